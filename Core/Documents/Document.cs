namespace DataPipe.Core.Documents;

/// <summary>
/// One web page as it moves through the pipeline. Ingest fills the first columns; Filter adds
/// <see cref="QualityScore"/>, Dedup adds <see cref="DupCluster"/>. Column names and types are fixed by
/// <see cref="DocumentSchema"/> (the document contract in docs/architecture.md).
/// </summary>
public sealed class Document
{
    /// <summary>WARC-Record-ID of the response record, stable across reruns.</summary>
    public string Id { get; set; } = "";

    /// <summary>WARC-Target-URI.</summary>
    public string Url { get; set; } = "";

    /// <summary>Lower-cased host of <see cref="Url"/>.</summary>
    public string Host { get; set; } = "";

    /// <summary>WARC-Date, UTC.</summary>
    public DateTime FetchTime { get; set; }

    /// <summary>Language code (ISO 639-1 where one exists), or "und" when undetermined.</summary>
    public string Lang { get; set; } = "und";

    /// <summary>The language detector's confidence in <see cref="Lang"/>, 0..1.</summary>
    public float LangScore { get; set; }

    /// <summary>Extracted main text, paragraphs separated by blank lines.</summary>
    public string Text { get; set; } = "";

    /// <summary>URI of the file the record came from.</summary>
    public string Source { get; set; } = "";

    /// <summary>Byte offset of the record in <see cref="Source"/> (of its gzip member when the file is gzipped per record).</summary>
    public long SourceOffset { get; set; }

    /// <summary>64-bit hash of the normalized text (<see cref="Text.ContentHash"/>), for exact dedup.</summary>
    public long ContentHash { get; set; }

    /// <summary>Filter: P(curated) from the quality classifier; null before Filter.</summary>
    public float? QualityScore { get; set; }

    /// <summary>Dedup: id of the near-duplicate cluster this document represents; null before Dedup.</summary>
    public long? DupCluster { get; set; }

    /// <summary>A shallow copy; strings are immutable so this is a full copy.</summary>
    public Document Clone() => (Document)MemberwiseClone();
}
