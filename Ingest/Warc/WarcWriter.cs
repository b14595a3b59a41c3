using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

// SHA-1 is what WARC-Block-Digest carries in Common Crawl's files and what the record id is named from; it
// identifies content here, it protects nothing.
#pragma warning disable CA5350

namespace DataPipe.Ingest.Warc;

/// <summary>
/// Writes WARC/1.0 files the way Common Crawl ships them (ISO 28500, annex D): every record is its own gzip member,
/// so a reader can start at any member's offset. Each record carries WARC-Type, WARC-Date, a WARC-Record-ID, its
/// Content-Type and Content-Length, and a WARC-Block-Digest (SHA-1, base32, as Common Crawl writes it). Nothing
/// depends on the clock or a random generator: record ids are derived from the record's own fields, so the same
/// calls write the same bytes.
/// </summary>
public sealed class WarcWriter : IDisposable
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;

    public WarcWriter(Stream output, bool leaveOpen = false)
    {
        _output = output;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Records written so far.</summary>
    public long Records { get; private set; }

    /// <summary>Compressed bytes written so far (the offset the next record's gzip member starts at).</summary>
    public long Position { get; private set; }

    /// <summary>A <c>warcinfo</c> record describing the file; returns its member's offset.</summary>
    public long WriteWarcinfo(string fileName, DateTime date, IEnumerable<(string Name, string Value)> fields)
    {
        var body = new StringBuilder();
        foreach (var (name, value) in fields) body.Append(name).Append(": ").Append(value).Append("\r\n");
        return WriteRecord("warcinfo", date, targetUri: null, "application/warc-fields", Encoding.UTF8.GetBytes(body.ToString()),
            [("WARC-Filename", fileName)]);
    }

    /// <summary>A <c>response</c> record: <paramref name="httpResponse"/> is the HTTP status line, headers and body as served.</summary>
    public long WriteResponse(string targetUri, DateTime date, ReadOnlySpan<byte> httpResponse, string? ipAddress = null) =>
        WriteRecord("response", date, targetUri, "application/http; msgtype=response", httpResponse,
            ipAddress is null ? [] : [("WARC-IP-Address", ipAddress)]);

    /// <summary>
    /// One record as one gzip member. Returns the member's offset in the output. The record id is a name-based UUID
    /// of type, target URI, date and block digest, so it is stable across runs and distinct for distinct records.
    /// </summary>
    public long WriteRecord(string type, DateTime date, string? targetUri, string contentType, ReadOnlySpan<byte> block,
        IReadOnlyList<(string Name, string Value)> extraHeaders)
    {
        string digest = "sha1:" + Base32(SHA1.HashData(block));
        string dateText = date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var head = new StringBuilder(256);
        head.Append("WARC/1.0\r\n");
        head.Append("WARC-Type: ").Append(type).Append("\r\n");
        head.Append("WARC-Date: ").Append(dateText).Append("\r\n");
        head.Append("WARC-Record-ID: <urn:uuid:").Append(RecordUuid(type, targetUri, dateText, digest)).Append(">\r\n");
        if (targetUri is not null) head.Append("WARC-Target-URI: ").Append(targetUri).Append("\r\n");
        foreach (var (name, value) in extraHeaders) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("WARC-Block-Digest: ").Append(digest).Append("\r\n");
        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        head.Append("Content-Length: ").Append(block.Length).Append("\r\n\r\n");

        long offset = Position;
        var counting = new CountingStream(_output);
        using (var gz = new GZipStream(counting, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(head.ToString()));
            gz.Write(block);
            gz.Write("\r\n\r\n"u8);
        }
        Position += counting.Written;
        Records++;
        return offset;
    }

    /// <summary>A UUID (version-5 layout) from SHA-1 of the record's identifying fields.</summary>
    private static string RecordUuid(string type, string? uri, string date, string digest)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes($"{type}\n{uri}\n{date}\n{digest}"));
        hash[6] = (byte)((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return Convert.ToHexStringLower(hash.AsSpan(0, 4)) + "-" + Convert.ToHexStringLower(hash.AsSpan(4, 2)) + "-" +
               Convert.ToHexStringLower(hash.AsSpan(6, 2)) + "-" + Convert.ToHexStringLower(hash.AsSpan(8, 2)) + "-" +
               Convert.ToHexStringLower(hash.AsSpan(10, 6));
    }

    /// <summary>RFC 4648 base32 without padding (a SHA-1 is 160 bits: exactly 32 characters).</summary>
    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (byte b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }

    public void Dispose()
    {
        _output.Flush();
        if (!_leaveOpen) _output.Dispose();
    }

    /// <summary>Counts the bytes a gzip member takes, so the writer knows where the next member starts.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Written += buffer.Length;
        }
    }
}
