using DataPipe.Core.Documents;
using Parquet;
using Parquet.Schema;

namespace DataPipe.Core.Datasets;

/// <summary>
/// The columns a stage adds after the document columns, and how to write them from one note per document: the filter's
/// <c>filter_reason</c> for the documents it dropped, decontamination's <c>contamination_*</c> columns.
/// </summary>
/// <param name="Fields">The added columns, in file order.</param>
/// <param name="Write">Writes the added columns of one row group, one note per row, in <paramref name="Fields"/> order.</param>
/// <param name="RowGroupRows">Rows per row group, at most (row groups also close at 32 M characters of text).</param>
public sealed record DocumentAnnotation<TNote>(
    IReadOnlyList<DataField> Fields,
    Func<ParquetRowGroupWriter, IReadOnlyList<TNote>, CancellationToken, Task> Write,
    int RowGroupRows)
{
    /// <summary>Every document column, then <see cref="Fields"/>: any documents reader reads the file.</summary>
    public ParquetSchema Schema { get; } = new([.. DocumentSchema.Schema.DataFields, .. Fields]);
}

/// <summary>
/// Streams documents, each with a note, into one Parquet file: the document columns (as <see cref="DocumentWriter"/>
/// writes them) followed by the annotation's columns, so later stages and <c>inspect</c> read it as documents.
/// </summary>
public sealed class AnnotatedDocumentWriter<TNote> : IAsyncDisposable
{
    private const long RowGroupTextChars = 32L << 20;
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DocumentAnnotation<TNote> _annotation;
    private readonly List<Document> _docs = [];
    private readonly List<TNote> _notes = [];
    private long _bufferedChars;

    private AnnotatedDocumentWriter(Stream stream, ParquetWriter writer, DocumentAnnotation<TNote> annotation)
    {
        _stream = stream;
        _writer = writer;
        _annotation = annotation;
    }

    /// <summary>Rows written so far, flushed or not.</summary>
    public long RowCount { get; private set; }

    public static async Task<AnnotatedDocumentWriter<TNote>> CreateAsync(string path, DocumentAnnotation<TNote> annotation, CancellationToken ct = default)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        try
        {
            var writer = await ParquetWriter.CreateAsync(annotation.Schema, stream, ParquetWriting.Options(), append: false, ct).ConfigureAwait(false);
            return new AnnotatedDocumentWriter<TNote>(stream, writer, annotation);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask WriteAsync(Document doc, TNote note, CancellationToken ct = default)
    {
        _docs.Add(doc);
        _notes.Add(note);
        _bufferedChars += doc.Text.Length;
        RowCount++;
        if (_docs.Count >= _annotation.RowGroupRows || _bufferedChars >= RowGroupTextChars) await FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_docs.Count == 0) return;
        using (var rg = _writer.CreateRowGroup())
        {
            await DocumentWriter.WriteDocumentColumnsAsync(rg, _docs, ct).ConfigureAwait(false);
            await _annotation.Write(rg, _notes, ct).ConfigureAwait(false);
            rg.CompleteValidate();
        }
        _docs.Clear();
        _notes.Clear();
        _bufferedChars = 0;
    }

    /// <summary>Flushes the last row group and closes the file. Call before committing the file.</summary>
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
