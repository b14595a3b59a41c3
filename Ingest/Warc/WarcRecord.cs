using System.Globalization;
using System.Text;
using DataPipe.Ingest.Http;

namespace DataPipe.Ingest.Warc;

/// <summary>
/// One WARC record (ISO 28500 WARC/1.0 and 1.1): its named fields and its content block. The memory belongs to the
/// <see cref="WarcReader"/> and is valid until its next read; copy what must outlive it.
/// </summary>
public readonly struct WarcRecord
{
    internal WarcRecord(long fileOffset, long streamOffset, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> block, string type)
    {
        FileOffset = fileOffset;
        StreamOffset = streamOffset;
        Header = header;
        Block = block;
        Type = type;
    }

    /// <summary>
    /// Where the record is in the file: the offset of the gzip member it starts in (for a file gzipped per record,
    /// as Common Crawl ships them, the record's own member: <c>tail -c +OFFSET+1 | zcat</c> yields it), or its byte
    /// offset in a plain file.
    /// </summary>
    public long FileOffset { get; }

    /// <summary>The record's offset in the decompressed stream.</summary>
    public long StreamOffset { get; }

    /// <summary>The header block: version line and named fields, without the blank line that ends it.</summary>
    public ReadOnlyMemory<byte> Header { get; }

    /// <summary>The content block (Content-Length bytes).</summary>
    public ReadOnlyMemory<byte> Block { get; }

    /// <summary>WARC-Type, lower-case for the standard types ("response", "conversion", ...).</summary>
    public string Type { get; }

    /// <summary>The value of a named field, or null when absent.</summary>
    public string? Get(string name) => HeaderFields.GetString(Header.Span, Encoding.ASCII.GetBytes(name));

    /// <summary>WARC-Target-URI without the angle brackets some writers (wget 1.x) put around it.</summary>
    public string TargetUri
    {
        get
        {
            string? u = HeaderFields.GetString(Header.Span, "WARC-Target-URI"u8);
            if (u is null) return "";
            return u.Length >= 2 && u[0] == '<' && u[^1] == '>' ? u[1..^1] : u;
        }
    }

    public string RecordId => HeaderFields.GetString(Header.Span, "WARC-Record-ID"u8) ?? "";

    public string? ContentType => HeaderFields.GetString(Header.Span, "Content-Type"u8);

    /// <summary>WARC-Date as UTC; <see cref="DateTime.UnixEpoch"/> when absent or unreadable.</summary>
    public DateTime Date
    {
        get
        {
            string? d = HeaderFields.GetString(Header.Span, "WARC-Date"u8);
            return d is not null && DateTime.TryParse(d, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
                : DateTime.UnixEpoch;
        }
    }

    internal static string InternType(ReadOnlySpan<byte> t)
    {
        if (t.SequenceEqual("response"u8)) return "response";
        if (t.SequenceEqual("request"u8)) return "request";
        if (t.SequenceEqual("metadata"u8)) return "metadata";
        if (t.SequenceEqual("conversion"u8)) return "conversion";
        if (t.SequenceEqual("warcinfo"u8)) return "warcinfo";
        if (t.SequenceEqual("resource"u8)) return "resource";
        if (t.SequenceEqual("revisit"u8)) return "revisit";
        if (t.SequenceEqual("continuation"u8)) return "continuation";
        return Encoding.Latin1.GetString(t).ToLowerInvariant();
    }
}
