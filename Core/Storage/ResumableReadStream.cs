using Polly;

namespace DataPipe.Core.Storage;

/// <summary>
/// A read-only, forward-only stream over a remote object that survives broken transfers: when a read fails or the
/// body ends before the announced length, the next attempt reopens the object at the current offset (an HTTP Range
/// request, an S3 ranged GET) under the retry pipeline. The consumer sees one uninterrupted stream of bytes.
/// </summary>
public sealed class ResumableReadStream : Stream
{
    /// <summary>Opens the object at a byte offset; returns the body and the object's total length when known.</summary>
    public delegate Task<(Stream Body, long? TotalLength)> OpenAt(long offset, CancellationToken ct);

    private readonly OpenAt _open;
    private readonly ResiliencePipeline _pipeline;
    private readonly string _uri;
    private readonly TimeSpan _readTimeout;
    private Stream? _body;
    private long _position;
    private long? _length;

    public ResumableReadStream(string uri, OpenAt open, ResiliencePipeline pipeline, TimeSpan readTimeout)
    {
        _uri = uri;
        _open = open;
        _pipeline = pipeline;
        _readTimeout = readTimeout;
    }

    /// <summary>Opens the first connection now, so that a missing object fails at open time, not at first read.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _pipeline.ExecuteAsync(async t => { await EnsureOpenAsync(t).ConfigureAwait(false); }, ct).ConfigureAwait(false);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length ?? throw new NotSupportedException("length unknown");
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        if (_length is { } len && _position >= len) return 0;
        int n = await _pipeline.ExecuteAsync(async t =>
        {
            await EnsureOpenAsync(t).ConfigureAwait(false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(t);
                timeout.CancelAfter(_readTimeout);
                int read;
                try
                {
                    read = await _body!.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!t.IsCancellationRequested)
                {
                    throw new TransientStorageException($"no data for {_readTimeout.TotalSeconds:F0} s");
                }
                if (read == 0 && _length is { } total && _position < total)
                    throw new TransientStorageException($"connection closed at byte {_position} of {total}");
                return read;
            }
            catch
            {
                await DropBodyAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override int Read(Span<byte> buffer)
    {
        // Pooled: readers call this with large buffers, once per chunk.
        var tmp = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int n = Read(tmp, 0, buffer.Length);
            tmp.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(tmp);
        }
    }

    private async Task EnsureOpenAsync(CancellationToken ct)
    {
        if (_body is not null) return;
        var (body, total) = await _open(_position, ct).ConfigureAwait(false);
        _body = body;
        _length ??= total;
    }

    private async Task DropBodyAsync()
    {
        if (_body is null) return;
        try { await _body.DisposeAsync().ConfigureAwait(false); } catch (IOException) { }
        _body = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _body?.Dispose();
        _body = null;
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await DropBodyAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override string ToString() => _uri;
}
