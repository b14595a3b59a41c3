using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using Parquet;
using Parquet.Schema;

namespace DataPipe.Decontaminate;

/// <summary>What <c>action: flag</c> adds to a document.</summary>
public readonly record struct ContaminationFlags(string Benchmarks, int Ngrams, long Chars);

/// <summary>
/// The documents of a flagging run: every document column (so any documents reader reads the file and later stages
/// pass the documents on) plus <c>contamination_benchmarks</c> (the benchmarks matched, comma-separated, empty when
/// clean), <c>contamination_ngrams</c> (matched windows) and <c>contamination_chars</c> (characters under matched spans).
/// </summary>
public sealed class FlaggedDocumentWriter : IAsyncDisposable
{
    public static readonly DataField<string> BenchmarksField = new("contamination_benchmarks", nullable: false);
    public static readonly DataField<int> NgramsField = new("contamination_ngrams", nullable: false);
    public static readonly DataField<long> CharsField = new("contamination_chars", nullable: false);
    public static readonly ParquetSchema Schema = new([.. DocumentSchema.Schema.DataFields, BenchmarksField, NgramsField, CharsField]);

    private const int RowGroupRows = 20_000;
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly List<(Document Doc, ContaminationFlags Flags)> _buffer = [];
    private long _bufferedChars;

    private FlaggedDocumentWriter(Stream stream, ParquetWriter writer)
    {
        _stream = stream;
        _writer = writer;
    }

    public static IReadOnlyList<ColumnDescription> Describe() =>
        [.. DocumentSchema.Describe(), new(BenchmarksField.Name, "string", false), new(NgramsField.Name, "int32", false), new(CharsField.Name, "int64", false)];

    public static async Task<FlaggedDocumentWriter> CreateAsync(string path, CancellationToken ct = default)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        try
        {
            var writer = await ParquetWriter.CreateAsync(Schema, stream, ParquetWriting.Options(), append: false, ct).ConfigureAwait(false);
            return new FlaggedDocumentWriter(stream, writer);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask WriteAsync(Document doc, ContaminationFlags flags, CancellationToken ct = default)
    {
        _buffer.Add((doc, flags));
        _bufferedChars += doc.Text.Length;
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
            await rg.WriteAsync(BenchmarksField, Strings(d => d.Flags.Benchmarks)).ConfigureAwait(false);
            await rg.WriteAsync<int>(NgramsField, Values(d => d.Flags.Ngrams), null, null, ct).ConfigureAwait(false);
            await rg.WriteAsync<long>(CharsField, Values(d => d.Flags.Chars), null, null, ct).ConfigureAwait(false);
            rg.CompleteValidate();
        }
        _buffer.Clear();
        _bufferedChars = 0;
    }

    private string[] Strings(Func<(Document Doc, ContaminationFlags Flags), string> get) => [.. _buffer.Select(get)];

    private T[] Values<T>(Func<(Document Doc, ContaminationFlags Flags), T> get) => [.. _buffer.Select(get)];

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
