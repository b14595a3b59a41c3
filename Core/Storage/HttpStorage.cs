using System.Net;
using System.Net.Http.Headers;
using DataPipe.Core.Errors;

namespace DataPipe.Core.Storage;

/// <summary>
/// <c>https://</c> (and <c>http://</c>) objects through HttpClient. Transient failures are retried with backoff; a
/// transfer that breaks mid-body resumes with a Range request from the last byte received.
/// </summary>
public sealed class HttpStorage(StorageOptions options, HttpClient? client = null) : IStorageBackend
{
    private static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None, // WARC bytes must arrive exactly as stored.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(20),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // per-attempt timeouts are ours
        DefaultRequestHeaders = { UserAgent = { new ProductInfoHeaderValue("DataPipe", "1.0") } },
    };

    private readonly HttpClient _client = client ?? SharedClient;

    public bool Handles(string uri) =>
        uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    public async Task<Stream> OpenReadAsync(string uri, StorageReadContext read, CancellationToken ct)
    {
        var stream = new ResumableReadStream(uri, (offset, t) => OpenAtAsync(uri, offset, t), RetryPipeline.Create(options, uri, read), options.RequestTimeout);
        try
        {
            await stream.StartAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not StorageException and not OperationCanceledException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new StorageException(uri, $"GET failed after {options.MaxRetries} retries: {e.Message}", e) { RetriesExhausted = true };
        }
        return stream;
    }

    private async Task<(Stream, long?)> OpenAtAsync(string uri, long offset, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TransientStorageException($"no response in {options.RequestTimeout.TotalSeconds:F0} s");
        }
        int status = (int)response.StatusCode;
        if (offset > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            response.Dispose();
            return (Stream.Null, offset);
        }
        if (!response.IsSuccessStatusCode)
        {
            string reason = $"{status} {response.ReasonPhrase}";
            response.Dispose();
            if (RetryPipeline.IsTransientStatus(status)) throw new TransientStorageException($"HTTP {reason}");
            throw new StorageException(uri, $"HTTP {reason} (not retried)");
        }
        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        long? total = null;
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var range = response.Content.Headers.ContentRange;
            if (range?.From is { } from && from != offset)
            {
                response.Dispose();
                throw new TransientStorageException($"server answered range from {from}, asked {offset}");
            }
            total = range?.Length;
        }
        else
        {
            total = response.Content.Headers.ContentLength;
            if (offset > 0)
            {
                // The server ignored Range: skip what we already have.
                await SkipAsync(body, offset, ct).ConfigureAwait(false);
            }
        }
        return (new OwnedReadStream(body, response), total);
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken ct)
    {
        var buf = new byte[81920];
        while (count > 0)
        {
            int n = await body.ReadAsync(buf.AsMemory(0, (int)Math.Min(buf.Length, count)), ct).ConfigureAwait(false);
            if (n == 0) throw new TransientStorageException("body ended while skipping to the resume offset");
            count -= n;
        }
    }

    public Task<IReadOnlyList<string>> GlobAsync(string pattern, CancellationToken ct)
        => throw new DataPipeException($"{pattern}: wildcards are not supported for http(s) inputs; use a listing (warc.paths.gz) instead");
}
