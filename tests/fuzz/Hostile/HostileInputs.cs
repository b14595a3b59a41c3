using System.Text;

namespace DataPipe.Fuzz.Hostile;

/// <summary>
/// The hostile inputs, generated on the fly at any size: decompression bombs, giant records and deeply
/// nested pages. Used at full size by the hostile-memory bench and at full or reduced size by tests/Hostile.
/// </summary>
public static class HostileInputs
{
    public const long TenGiB = 10L << 30;

    /// <summary>64 KiB of zeros: the unit of a zero bomb.</summary>
    public static byte[] ZeroUnit { get; } = new byte[64 * 1024];

    /// <summary>64 KiB of article-like HTML (a 256-byte paragraph repeated, so the compressor settles).</summary>
    public static byte[] HtmlUnit { get; } = MakeHtmlUnit();

    private static byte[] MakeHtmlUnit()
    {
        const string Paragraph = "<p class=\"body\">The quick brown fox jumps over the lazy dog while the committee reviews its findings again.</p>\n";
        var one = Encoding.ASCII.GetBytes(Paragraph.PadRight(255, ' ') + "\n");
        var unit = new byte[64 * 1024];
        for (int i = 0; i < unit.Length; i += one.Length) one.AsSpan(0, Math.Min(one.Length, unit.Length - i)).CopyTo(unit.AsSpan(i));
        return unit;
    }

    /// <summary>A WARC/1.0 response record header with the given Content-Length, ending with the blank line.</summary>
    public static byte[] WarcHeader(string uri, long contentLength, int id) => Encoding.ASCII.GetBytes(
        "WARC/1.0\r\n" +
        "WARC-Type: response\r\n" +
        $"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{id:D12}>\r\n" +
        "WARC-Date: 2024-05-01T12:00:00Z\r\n" +
        $"WARC-Target-URI: {uri}\r\n" +
        "Content-Type: application/http; msgtype=response\r\n" +
        $"Content-Length: {contentLength}\r\n\r\n");

    /// <summary>The HTTP head of an HTML response with the given body length.</summary>
    public static byte[] HttpHead(long bodyLength, string extraHeaders = "") => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{extraHeaders}Content-Length: {bodyLength}\r\n\r\n");

    /// <summary>A small, complete response record (header, block, trailing CRLF CRLF).</summary>
    public static byte[] SmallRecord(string uri, int id)
    {
        var body = Encoding.UTF8.GetBytes($"<html><body><article><p>An ordinary page at {uri} with a sentence of text.</p></article></body></html>");
        byte[] block = [.. HttpHead(body.Length), .. body];
        return [.. WarcHeader(uri, block.Length, id), .. block, .. "\r\n\r\n"u8];
    }

    /// <summary>
    /// A per-record-gzip WARC file: a small record, then a gzip member holding a response record with
    /// <paramref name="bodyBytes"/> bytes of <paramref name="unit"/> repeated, then a small record. With
    /// <paramref name="honestLength"/> false the giant record declares a 100-byte block and the rest of its member is
    /// garbage to the reader. Nothing is held: the giant member is a <see cref="RepeatingGzipMemberStream"/>.
    /// </summary>
    public static Stream GzipWarcWithGiantRecord(byte[] unit, long bodyBytes, bool honestLength = true)
    {
        long units = bodyBytes / unit.Length;
        var head = HttpHead(units * unit.Length);
        long blockLength = honestLength ? head.Length + units * unit.Length : 100;
        byte[] prefix = [.. WarcHeader("https://bomb.example/", blockLength, 2), .. head];
        return new ConcatenatedStream(
        [
            new MemoryStream(Gzip(SmallRecord("https://before.example/", 1))),
            new RepeatingGzipMemberStream(prefix, unit, units, "\r\n\r\n"u8.ToArray()),
            new MemoryStream(Gzip(SmallRecord("https://after.example/", 3))),
        ]);
    }

    /// <summary>The same three records as a plain (uncompressed) WARC file, generated as it is read.</summary>
    public static Stream PlainWarcWithGiantRecord(byte[] unit, long bodyBytes)
    {
        long units = bodyBytes / unit.Length;
        var head = HttpHead(units * unit.Length);
        return new ConcatenatedStream(
        [
            new MemoryStream(SmallRecord("https://before.example/", 1)),
            new MemoryStream([.. WarcHeader("https://giant.example/", head.Length + units * unit.Length, 2), .. head]),
            new RepeatedBytesStream(unit, units),
            new MemoryStream([.. "\r\n\r\n"u8, .. SmallRecord("https://after.example/", 3)]),
        ]);
    }

    /// <summary>An HTML page of <paramref name="depth"/> nested <c>div</c>s around one sentence.</summary>
    public static string NestedTags(int depth, string tag = "div")
    {
        var sb = new StringBuilder(depth * (2 * tag.Length + 5) + 200);
        sb.Append("<!DOCTYPE html><html><head><title>nested</title></head><body>");
        for (int i = 0; i < depth; i++) sb.Append('<').Append(tag).Append('>');
        sb.Append("The sentence at the bottom of a very deep page.");
        for (int i = 0; i < depth; i++) sb.Append("</").Append(tag).Append('>');
        sb.Append("</body></html>");
        return sb.ToString();
    }

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal)) gz.Write(data);
        return output.ToArray();
    }
}

/// <summary>A read-only stream that yields <paramref name="unit"/> <paramref name="count"/> times, holding one copy.</summary>
public sealed class RepeatedBytesStream(byte[] unit, long count) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => unit.Length * count;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        while (!buffer.IsEmpty && _position < Length)
        {
            int at = (int)(_position % unit.Length);
            int n = (int)Math.Min(Math.Min(buffer.Length, unit.Length - at), Length - _position);
            unit.AsSpan(at, n).CopyTo(buffer);
            buffer = buffer[n..];
            _position += n;
            total += n;
        }
        return total;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Streams read one after the other, each disposed with this one.</summary>
public sealed class ConcatenatedStream(IReadOnlyList<Stream> parts) : Stream
{
    private int _current;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => parts.Sum(p => p.Length);

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_current < parts.Count)
        {
            int n = parts[_current].Read(buffer);
            if (n > 0)
            {
                _position += n;
                return n;
            }
            _current++;
        }
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var p in parts) p.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
