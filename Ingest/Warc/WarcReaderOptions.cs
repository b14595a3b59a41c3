namespace DataPipe.Ingest.Warc;

/// <summary>Caps that keep a <see cref="WarcReader"/>'s memory bounded on hostile input.</summary>
public sealed record WarcReaderOptions
{
    public static readonly WarcReaderOptions Default = new();

    /// <summary>Longest header block accepted; a longer one is skipped as corrupt.</summary>
    public int MaxHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Largest content block read (default 10 MiB, decompressed). A larger record is skipped without being held in
    /// memory; in a file gzipped per record the rest of its member is not even inflated (a gzip bomb stops here).
    /// </summary>
    public int MaxRecordBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>
    /// Offset in the file of the stream's first byte, added to every record's <see cref="WarcRecord.FileOffset"/>: a
    /// reader started at a gzip member inside the file (a task's share of a large file) reports offsets in the file.
    /// </summary>
    public long FileOffsetBase { get; init; }
}
