using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DataPipe.Tests.Support;

/// <summary>
/// A small HTTP/1.1 file server on 127.0.0.1 for storage tests, written on raw sockets so that it can misbehave
/// exactly as told: fail a share of requests with 500/503, drop the connection mid-body, answer slowly, ignore Range,
/// or answer a path with a fixed status (404, 403). Faults are drawn from a seeded generator, so runs repeat.
/// Serves only loopback and stops when disposed.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private int _requests;

    public LoopbackHttpServer(int seed = 1)
    {
        _random = new Random(seed);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string BaseUrl { get; }

    /// <summary>Files served, by path without the leading slash.</summary>
    public Dictionary<string, byte[]> Files { get; } = [];

    /// <summary>Paths answered with a fixed status and no body.</summary>
    public Dictionary<string, int> FixedStatus { get; } = [];

    /// <summary>Share of requests answered 500 or 503.</summary>
    public double ErrorRate { get; set; }

    /// <summary>Share of successful responses whose connection is dropped after part of the body.</summary>
    public double DropRate { get; set; }

    /// <summary>Share of responses delayed by <see cref="SlowDelay"/> before the headers.</summary>
    public double SlowRate { get; set; }

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When true, Range headers are ignored and every answer is a full 200.</summary>
    public bool IgnoreRange { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The Authorization header of every request that had one (to check how requests were signed).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Authorizations { get; } = new();

    public int RequestsFor(string path) { lock (_lock) return _perPath.GetValueOrDefault(path); }

    private readonly Dictionary<string, int> _perPath = [];

    private double Draw() { lock (_lock) return _random.NextDouble(); }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { break; }
            catch (SocketException) { break; }
            catch (ObjectDisposedException) { break; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (true)
                {
                    var request = await ReadRequestAsync(stream);
                    if (request is null) return;
                    if (!await AnswerAsync(stream, request.Value.Path, request.Value.Headers)) return;
                }
            }
            catch (IOException) { }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        }
    }

    private static async Task<(string Path, Dictionary<string, string> Headers)?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(one);
            if (n == 0) return null;
            head.Append((char)one[0]);
            if (head.Length > 16384) return null;
        }
        var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var l in lines.Skip(1))
        {
            int c = l.IndexOf(':', StringComparison.Ordinal);
            if (c > 0) headers[l[..c].Trim()] = l[(c + 1)..].Trim();
        }
        return (Uri.UnescapeDataString(parts[1].TrimStart('/')), headers);
    }

    /// <summary>Writes one response; returns false when the connection must close.</summary>
    private async Task<bool> AnswerAsync(NetworkStream stream, string path, Dictionary<string, string> headers)
    {
        Interlocked.Increment(ref _requests);
        if (headers.TryGetValue("Authorization", out var authorization)) Authorizations.Enqueue(authorization);
        lock (_lock) _perPath[path] = _perPath.GetValueOrDefault(path) + 1;
        if (Draw() < SlowRate) await Task.Delay(SlowDelay);
        if (FixedStatus.TryGetValue(path, out int fixedStatus))
        {
            await WriteHeadAsync(stream, fixedStatus, 0, null);
            return true;
        }
        if (Draw() < ErrorRate)
        {
            await WriteHeadAsync(stream, Draw() < 0.5 ? 500 : 503, 0, null);
            return true;
        }
        if (!Files.TryGetValue(path, out var body))
        {
            await WriteHeadAsync(stream, 404, 0, null);
            return true;
        }
        long start = 0;
        if (!IgnoreRange && headers.TryGetValue("Range", out var range) && range.StartsWith("bytes=", StringComparison.Ordinal))
            start = long.Parse(range[6..].Split('-')[0]);
        int status = start > 0 ? 206 : 200;
        if (start >= body.Length && start > 0)
        {
            await WriteHeadAsync(stream, 416, 0, null);
            return true;
        }
        long length = body.Length - start;
        await WriteHeadAsync(stream, status, length, status == 206 ? $"bytes {start}-{body.Length - 1}/{body.Length}" : null);
        bool drop = length > 16 && Draw() < DropRate;
        long send = drop ? Math.Max(1, (long)(length * Draw())) : length;
        await stream.WriteAsync(body.AsMemory((int)start, (int)send));
        await stream.FlushAsync();
        if (drop)
        {
            stream.Socket.Close(0);
            return false;
        }
        return true;
    }

    private static async Task WriteHeadAsync(NetworkStream stream, int status, long length, string? contentRange)
    {
        var sb = new StringBuilder();
        sb.Append($"HTTP/1.1 {status} {Reason(status)}\r\nContent-Length: {length}\r\nAccept-Ranges: bytes\r\n");
        if (contentRange is not null) sb.Append($"Content-Range: {contentRange}\r\n");
        sb.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 403 => "Forbidden", 404 => "Not Found", 416 => "Range Not Satisfiable",
        500 => "Internal Server Error", 503 => "Service Unavailable", _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
