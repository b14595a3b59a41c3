using System.Security.Cryptography;
using DataPipe.Core.Datasets;
using Parquet;

namespace DataPipe.Tokenize.Shards;

/// <summary>
/// Streams documents' tokens into one shard file. Rows are flushed as a row group every
/// <see cref="RowGroupTokens"/> tokens, so neither writer nor reader holds more than that in memory.
/// After <see cref="DisposeAsync"/>, <see cref="Sha256"/> holds the file's hash for the manifest.
/// </summary>
public sealed class TokenShardWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly List<string> _ids = [];
    private readonly List<int> _values = [];
    private readonly List<int> _levels = [];
    private bool _disposed;

    private TokenShardWriter(string path, FileStream stream, ParquetWriter writer)
    {
        _path = path;
        _stream = stream;
        _writer = writer;
    }

    /// <summary>Tokens per row group, at most (a document is never split across row groups).</summary>
    public int RowGroupTokens { get; set; } = 1 << 20;

    public long Rows { get; private set; }
    public long TokenCount { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the finished file; empty until disposed.</summary>
    public string Sha256 { get; private set; } = "";

    /// <summary>A shard at <paramref name="path"/>, written with DataPipe's Parquet options (<see cref="ParquetWriting"/>).</summary>
    public static async Task<TokenShardWriter> CreateAsync(string path, CancellationToken ct = default)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        try
        {
            var writer = await ParquetWriter.CreateAsync(TokenShardSchema.Schema, stream, ParquetWriting.Options(), false, ct).ConfigureAwait(false);
            return new TokenShardWriter(path, stream, writer);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends one document. <paramref name="tokens"/> must already end with the end-of-text id and must not be empty.</summary>
    public async ValueTask WriteAsync(string docId, ReadOnlyMemory<int> tokens, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tokens.Length == 0) throw new ArgumentException("a shard row needs at least one token (the end-of-text id)", nameof(tokens));
        _ids.Add(docId);
        var span = tokens.Span;
        for (int i = 0; i < span.Length; i++)
        {
            _values.Add(span[i]);
            _levels.Add(i == 0 ? 0 : 1);
        }
        Rows++;
        TokenCount += tokens.Length;
        if (_values.Count >= RowGroupTokens) await FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_ids.Count == 0) return;
        using (var rg = _writer.CreateRowGroup())
        {
            await rg.WriteAsync(TokenShardSchema.DocId, _ids.ToArray()).ConfigureAwait(false);
            // Every element is present, so every definition level is the column's maximum.
            var definitions = new int[_values.Count];
            Array.Fill(definitions, TokenShardSchema.TokenItem.MaxDefinitionLevel);
            await rg.WriteAllPartsAsync<int>(TokenShardSchema.TokenItem, _values.ToArray(), definitions, _levels.ToArray(), ct).ConfigureAwait(false);
            rg.CompleteValidate();
        }
        _ids.Clear();
        _values.Clear();
        _levels.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
            _stream.Position = 0;
            Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(_stream).ConfigureAwait(false));
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override string ToString() => _path;
}
