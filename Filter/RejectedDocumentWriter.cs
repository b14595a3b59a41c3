using DataPipe.Core.Datasets;
using Parquet.Schema;

namespace DataPipe.Filter;

/// <summary>
/// Writes the documents the filter dropped, for audit: every document column (so any documents reader reads the file)
/// plus <c>filter_reason</c>, the rule and reason that dropped it ("gopher_quality.word_count", "classifier.pareto").
/// The text is the document's text as it came in, before any line cleaning.
/// </summary>
public static class RejectedDocumentWriter
{
    public static readonly DataField<string> Reason = new("filter_reason", nullable: false);

    public static readonly DocumentAnnotation<string> Annotation = new([Reason],
        async (rg, reasons, ct) => await rg.WriteAsync(Reason, reasons.ToArray()).ConfigureAwait(false), RowGroupRows: 10_000);

    public static ParquetSchema Schema => Annotation.Schema;

    public static Task<AnnotatedDocumentWriter<string>> CreateAsync(string path, CancellationToken ct = default) =>
        AnnotatedDocumentWriter<string>.CreateAsync(path, Annotation, ct);
}
