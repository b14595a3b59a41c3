using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using Parquet;
using Parquet.Schema;

namespace DataPipe.Filter;

/// <summary>
/// Writes the documents the filter dropped, for audit: every document column (so any documents reader reads the file)
/// plus <c>filter_reason</c>, the rule and reason that dropped it ("gopher_quality.word_count", "classifier.pareto").
/// The text is the document's text as it came in, before any line cleaning.
/// </summary>
public sealed class RejectedDocumentWriter : IAsyncDisposable
{
    public static readonly DataField<string> Reason = new("filter_reason", nullable: false);
    public static readonly ParquetSchema Schema = new([.. DocumentSchema.Schema.DataFields, Reason]);

    private const int RowGroupRows = 10_000;
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly List<(Document Doc, string Reason)> _buffer = [];
    private long _bufferedChars;

    private RejectedDocumentWriter(Stream stream, ParquetWriter writer)
    {
        _stream = stream;
        _writer = writer;
    }

    public long RowCount { get; private set; }

    public static async Task<RejectedDocumentWriter> CreateAsync(string path, CancellationToken ct = default)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        try
        {
            var writer = await ParquetWriter.CreateAsync(Schema, stream, ParquetWriting.Options(), append: false, ct).ConfigureAwait(false);
            return new RejectedDocumentWriter(stream, writer);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask WriteAsync(Document doc, string reason, CancellationToken ct = default)
    {
        _buffer.Add((doc, reason));
        _bufferedChars += doc.Text.Length;
        RowCount++;
        if (_buffer.Count >= RowGroupRows || _bufferedChars >= 32L << 20) await FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_buffer.Count == 0) return;
        using (var rg = _writer.CreateRowGroup())
        {
            await rg.WriteAsync(DocumentSchema.Id, Strings(d => d.Doc.Id)).ConfigureAwait(false);
            await rg.WriteAsync(DocumentSchema.Url, Strings(d => d.Doc.Url)).ConfigureAwait(false);
            await rg.WriteAsync(DocumentSchema.Host, Strings(d => d.Doc.Host)).ConfigureAwait(false);
            await rg.WriteAsync<DateTime>(DocumentSchema.FetchTime, Values(d => DateTime.SpecifyKind(d.Doc.FetchTime, DateTimeKind.Utc)), null, null, ct).ConfigureAwait(false);
            await rg.WriteAsync(DocumentSchema.Lang, Strings(d => d.Doc.Lang)).ConfigureAwait(false);
            await rg.WriteAsync<float>(DocumentSchema.LangScore, Values(d => d.Doc.LangScore), null, null, ct).ConfigureAwait(false);
            await rg.WriteAsync(DocumentSchema.Text, Strings(d => d.Doc.Text)).ConfigureAwait(false);
            await rg.WriteAsync(DocumentSchema.Source, Strings(d => d.Doc.Source)).ConfigureAwait(false);
            await rg.WriteAsync<long>(DocumentSchema.SourceOffset, Values(d => d.Doc.SourceOffset), null, null, ct).ConfigureAwait(false);
            await rg.WriteAsync<long>(DocumentSchema.ContentHash, Values(d => d.Doc.ContentHash), null, null, ct).ConfigureAwait(false);
            await rg.WriteAsync<float>(DocumentSchema.QualityScore, Values(d => d.Doc.QualityScore), null, null, ct).ConfigureAwait(false);
            await rg.WriteAsync<long>(DocumentSchema.DupCluster, Values(d => d.Doc.DupCluster), null, null, ct).ConfigureAwait(false);
            await rg.WriteAsync(Reason, Strings(d => d.Reason)).ConfigureAwait(false);
            rg.CompleteValidate();
        }
        _buffer.Clear();
        _bufferedChars = 0;
    }

    private string[] Strings(Func<(Document Doc, string Reason), string> get) => [.. _buffer.Select(get)];

    private T[] Values<T>(Func<(Document Doc, string Reason), T> get) => [.. _buffer.Select(get)];

    public async ValueTask DisposeAsync()
    {
        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
