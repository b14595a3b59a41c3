using DataPipe.Core.Documents;
using Parquet;

namespace DataPipe.Core.Datasets;

/// <summary>
/// Streams documents into one Parquet file with the <see cref="DocumentSchema"/>. Rows are buffered column by
/// column and flushed as a row group every <see cref="DocumentWriterOptions.RowGroupRows"/> rows or
/// <see cref="DocumentWriterOptions.RowGroupTextBytes"/> bytes of text, whichever comes first, so memory is
/// bounded by one row group and readers can stream the file a row group at a time.
/// </summary>
public sealed class DocumentWriter : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DocumentWriterOptions _options;
    private readonly List<Document> _buffer = [];
    private long _bufferedTextChars;
    private bool _disposed;

    private DocumentWriter(Stream stream, ParquetWriter writer, DocumentWriterOptions options)
    {
        _stream = stream;
        _writer = writer;
        _options = options;
    }

    /// <summary>Rows written so far, flushed or not.</summary>
    public long RowCount { get; private set; }

    public static async Task<DocumentWriter> CreateAsync(string path, DocumentWriterOptions? options = null, CancellationToken ct = default)
    {
        options ??= DocumentWriterOptions.Default;
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        try
        {
            var writer = await ParquetWriter.CreateAsync(DocumentSchema.Schema, stream, options.ToParquetOptions(), append: false, ct).ConfigureAwait(false);
            return new DocumentWriter(stream, writer, options);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask WriteAsync(Document doc, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _buffer.Add(doc);
        _bufferedTextChars += doc.Text.Length;
        RowCount++;
        if (_buffer.Count >= _options.RowGroupRows || _bufferedTextChars * 2 >= _options.RowGroupTextBytes)
            await FlushRowGroupAsync(ct).ConfigureAwait(false);
    }

    private async Task FlushRowGroupAsync(CancellationToken ct)
    {
        if (_buffer.Count == 0) return;
        using (var rg = _writer.CreateRowGroup())
        {
            await WriteDocumentColumnsAsync(rg, _buffer, ct).ConfigureAwait(false);
            rg.CompleteValidate();
        }
        _buffer.Clear();
        _bufferedTextChars = 0;
    }

    /// <summary>
    /// Writes the <see cref="DocumentSchema"/> columns of <paramref name="docs"/> into a row group, in schema order;
    /// shared with <see cref="AnnotatedDocumentWriter{TNote}"/>, which writes its own columns after them.
    /// </summary>
    internal static async Task WriteDocumentColumnsAsync(ParquetRowGroupWriter rg, IReadOnlyList<Document> docs, CancellationToken ct)
    {
        int n = docs.Count;
        await rg.WriteAsync(DocumentSchema.Id, Strings(d => d.Id)).ConfigureAwait(false);
        await rg.WriteAsync(DocumentSchema.Url, Strings(d => d.Url)).ConfigureAwait(false);
        await rg.WriteAsync(DocumentSchema.Host, Strings(d => d.Host)).ConfigureAwait(false);
        await rg.WriteAsync<DateTime>(DocumentSchema.FetchTime, Values(d => DateTime.SpecifyKind(d.FetchTime, DateTimeKind.Utc)), null, null, ct).ConfigureAwait(false);
        await rg.WriteAsync(DocumentSchema.Lang, Strings(d => d.Lang)).ConfigureAwait(false);
        await rg.WriteAsync<float>(DocumentSchema.LangScore, Values(d => d.LangScore), null, null, ct).ConfigureAwait(false);
        await rg.WriteAsync(DocumentSchema.Text, Strings(d => d.Text)).ConfigureAwait(false);
        await rg.WriteAsync(DocumentSchema.Source, Strings(d => d.Source)).ConfigureAwait(false);
        await rg.WriteAsync<long>(DocumentSchema.SourceOffset, Values(d => d.SourceOffset), null, null, ct).ConfigureAwait(false);
        await rg.WriteAsync<long>(DocumentSchema.ContentHash, Values(d => d.ContentHash), null, null, ct).ConfigureAwait(false);
        await rg.WriteAsync<float>(DocumentSchema.QualityScore, Values(d => d.QualityScore), null, null, ct).ConfigureAwait(false);
        await rg.WriteAsync<long>(DocumentSchema.DupCluster, Values(d => d.DupCluster), null, null, ct).ConfigureAwait(false);

        string[] Strings(Func<Document, string> get)
        {
            var a = new string[n];
            for (int i = 0; i < n; i++) a[i] = get(docs[i]);
            return a;
        }

        T[] Values<T>(Func<Document, T> get)
        {
            var a = new T[n];
            for (int i = 0; i < n; i++) a[i] = get(docs[i]);
            return a;
        }
    }

    /// <summary>Flushes the last row group and closes the file. Call before committing the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        try
        {
            await FlushRowGroupAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _disposed = true;
            await _writer.DisposeAsync().ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>How a <see cref="DocumentWriter"/> sizes row groups and compresses pages.</summary>
public sealed record DocumentWriterOptions
{
    public static readonly DocumentWriterOptions Default = new();

    /// <summary>Rows per row group, at most.</summary>
    public int RowGroupRows { get; init; } = 20_000;

    /// <summary>Approximate bytes of text (UTF-16 chars x 2) per row group, at most.</summary>
    public long RowGroupTextBytes { get; init; } = 64L << 20;

    /// <summary>Page compression: zstd by default (<see cref="ParquetWriting"/>); snappy is the other common choice.</summary>
    public CompressionMethod Compression { get; init; } = ParquetWriting.DefaultCompression;

    /// <summary>Compression level: zstd level 3 by default (<see cref="ParquetWriting"/> says why not Parquet.Net's 19).</summary>
    public System.IO.Compression.CompressionLevel CompressionLevel { get; init; } = ParquetWriting.DefaultLevel;

    internal ParquetOptions ToParquetOptions() => ParquetWriting.Options(Compression, CompressionLevel);
}
