using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using Parquet.Schema;

namespace DataPipe.Decontaminate;

/// <summary>What <c>action: flag</c> adds to a document.</summary>
public readonly record struct ContaminationFlags(string Benchmarks, int Ngrams, long Chars);

/// <summary>
/// The documents of a flagging run: every document column (so any documents reader reads the file and later stages
/// pass the documents on) plus <c>contamination_benchmarks</c> (the benchmarks matched, comma-separated, empty when
/// clean), <c>contamination_ngrams</c> (matched windows) and <c>contamination_chars</c> (characters under matched spans).
/// </summary>
public static class FlaggedDocumentWriter
{
    public static readonly DataField<string> BenchmarksField = new("contamination_benchmarks", nullable: false);
    public static readonly DataField<int> NgramsField = new("contamination_ngrams", nullable: false);
    public static readonly DataField<long> CharsField = new("contamination_chars", nullable: false);

    public static readonly DocumentAnnotation<ContaminationFlags> Annotation = new([BenchmarksField, NgramsField, CharsField], async (rg, flags, ct) =>
    {
        await rg.WriteAsync(BenchmarksField, flags.Select(f => f.Benchmarks).ToArray()).ConfigureAwait(false);
        await rg.WriteAsync<int>(NgramsField, flags.Select(f => f.Ngrams).ToArray(), null, null, ct).ConfigureAwait(false);
        await rg.WriteAsync<long>(CharsField, flags.Select(f => f.Chars).ToArray(), null, null, ct).ConfigureAwait(false);
    }, RowGroupRows: 20_000);

    public static ParquetSchema Schema => Annotation.Schema;

    public static IReadOnlyList<ColumnDescription> Describe() =>
        [.. DocumentSchema.Describe(), new(BenchmarksField.Name, "string", false), new(NgramsField.Name, "int32", false), new(CharsField.Name, "int64", false)];

    public static Task<AnnotatedDocumentWriter<ContaminationFlags>> CreateAsync(string path, CancellationToken ct = default) =>
        AnnotatedDocumentWriter<ContaminationFlags>.CreateAsync(path, Annotation, ct);
}
