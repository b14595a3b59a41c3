using System.IO.Compression;
using System.Text;
using DataPipe.Ingest;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Warc;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Ingest;

public class HttpPayloadTests
{
    private const string Html = "<!doctype html><html><head><title>T</title></head><body><p>Hello, payload decoding.</p></body></html>";

    private static (DecodeResult Result, string Payload, bool Truncated) Decode(byte[] message, int cap = 10 << 20)
    {
        Assert.True(HttpResponseHead.TryParse(message, 64 * 1024, out var head, out var error), error);
        var decoder = new HttpPayloadDecoder(cap);
        var r = decoder.Decode(head.Headers, head.Body, out var payload);
        return (r, Encoding.UTF8.GetString(payload), decoder.LastWasTruncated);
    }

    private static byte[] Chunked(byte[] body, int chunk)
    {
        var sb = new MemoryStream();
        for (int i = 0; i < body.Length; i += chunk)
        {
            int n = Math.Min(chunk, body.Length - i);
            sb.Write(Encoding.ASCII.GetBytes($"{n:x};ext=1\r\n"));
            sb.Write(body, i, n);
            sb.Write("\r\n"u8);
        }
        sb.Write("0\r\nX-Trailer: yes\r\n\r\n"u8);
        return sb.ToArray();
    }

    private static byte[] Compress(byte[] data, Func<Stream, Stream> wrap)
    {
        using var ms = new MemoryStream();
        using (var s = wrap(ms)) s.Write(data);
        return ms.ToArray();
    }

    private static readonly byte[] HtmlBytes = Encoding.UTF8.GetBytes(Html);

    [Fact]
    public void Status_line_and_headers_are_parsed()
    {
        var msg = WarcFiles.HttpResponse(Html, "Content-Type: text/html; charset=ISO-8859-1", status: 404);
        Assert.True(HttpResponseHead.TryParse(msg, 65536, out var head, out _));
        Assert.Equal(404, head.StatusCode);
        Assert.Equal("text/html; charset=ISO-8859-1", head.ContentType);
        Assert.Equal("ISO-8859-1", MediaType.Charset(head.ContentType));
        Assert.Equal(Html, Encoding.UTF8.GetString(head.Body));
    }

    [Fact]
    public void Garbage_instead_of_a_status_line_is_rejected_with_a_reason()
    {
        Assert.False(HttpResponseHead.TryParse("GET / HTTP/1.1\r\n\r\n"u8, 65536, out _, out var e1));
        Assert.Contains("status line", e1);
        Assert.False(HttpResponseHead.TryParse("HTTP/1.1 OK\r\n\r\n"u8, 65536, out _, out var e2));
        Assert.Contains("bad status line", e2);
    }

    [Fact]
    public void Chunked_body_from_a_real_recording_is_dechunked()
    {
        using var reader = new WarcReader(File.OpenRead(Repo.Shared("warc/edge/example-iana.org-chunked.warc")));
        WarcRecord rec;
        do Assert.True(reader.TryRead(out rec)); while (rec.Type != "response");
        var (r, payload, truncated) = Decode(rec.Block.ToArray());
        Assert.True(r.IsOk);
        Assert.False(truncated);
        Assert.StartsWith("<!DOCTYPE html>", payload.TrimStart(), StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("</html>", payload.TrimEnd());
        Assert.DoesNotContain("\r\n1000\r\n", payload);
    }

    [Fact]
    public void Gzip_content_encoding_from_a_real_recording_is_decoded()
    {
        using var reader = new WarcReader(File.OpenRead(Repo.Shared("warc/edge/example.warc.gz")));
        WarcRecord rec;
        do Assert.True(reader.TryRead(out rec)); while (rec.Type != "response");
        var (r, payload, _) = Decode(rec.Block.ToArray());
        Assert.True(r.IsOk);
        Assert.Contains("<title>Example Domain</title>", payload);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("x-gzip")]
    [InlineData("deflate")]
    [InlineData("deflate-raw")]
    [InlineData("br")]
    public void Each_content_encoding_is_decoded_also_under_chunking(string coding)
    {
        byte[] body = coding switch
        {
            "gzip" or "x-gzip" => Compress(HtmlBytes, s => new GZipStream(s, CompressionLevel.Optimal)),
            "deflate" => Compress(HtmlBytes, s => new ZLibStream(s, CompressionLevel.Optimal)),
            "deflate-raw" => Compress(HtmlBytes, s => new DeflateStream(s, CompressionLevel.Optimal)),
            _ => Compress(HtmlBytes, s => new BrotliStream(s, CompressionLevel.Optimal)),
        };
        string header = coding == "deflate-raw" ? "deflate" : coding;
        var (plain, p1, _) = Decode(WarcFiles.HttpResponse(body, $"Content-Type: text/html\r\nContent-Encoding: {header}"));
        Assert.True(plain.IsOk, plain.Detail);
        Assert.Equal(Html, p1);
        var (chunked, p2, _) = Decode(WarcFiles.HttpResponse(Chunked(body, 7), $"Content-Type: text/html\r\nTransfer-Encoding: chunked\r\nContent-Encoding: {header}"));
        Assert.True(chunked.IsOk, chunked.Detail);
        Assert.Equal(Html, p2);
    }

    [Fact]
    public void Stacked_content_encodings_are_undone_last_first()
    {
        var body = Compress(Compress(HtmlBytes, s => new GZipStream(s, CompressionLevel.Fastest)), s => new BrotliStream(s, CompressionLevel.Fastest));
        var (r, payload, _) = Decode(WarcFiles.HttpResponse(body, "Content-Type: text/html\r\nContent-Encoding: gzip, br"));
        Assert.True(r.IsOk, r.Detail);
        Assert.Equal(Html, payload);
    }

    [Fact]
    public void Body_declared_gzip_but_stored_decoded_is_taken_as_it_is()
    {
        var (r, payload, _) = Decode(WarcFiles.HttpResponse(HtmlBytes, "Content-Type: text/html\r\nContent-Encoding: gzip"));
        Assert.True(r.IsOk);
        Assert.Equal(Html, payload);
    }

    [Fact]
    public void Body_declared_chunked_but_not_chunked_is_taken_as_it_is()
    {
        var (r, payload, _) = Decode(WarcFiles.HttpResponse(HtmlBytes, "Content-Type: text/html\r\nTransfer-Encoding: chunked"));
        Assert.True(r.IsOk);
        Assert.Equal(Html, payload);
    }

    [Fact]
    public void Broken_chunking_midway_is_a_skip()
    {
        var chunked = Chunked(HtmlBytes, 10);
        // Damage the third chunk-size line.
        var text = Encoding.Latin1.GetString(chunked);
        int third = text.IndexOf("a;ext=1", text.IndexOf("a;ext=1", 5, StringComparison.Ordinal) + 1, StringComparison.Ordinal);
        chunked[third] = (byte)'z';
        var (r, _, _) = Decode(WarcFiles.HttpResponse(chunked, "Content-Type: text/html\r\nTransfer-Encoding: chunked"));
        Assert.Equal(SkipReasons.HttpBadChunking, r.SkipReason);
    }

    [Fact]
    public void Chunked_body_cut_short_keeps_the_decoded_prefix()
    {
        var chunked = Chunked(HtmlBytes, 16);
        var cut = chunked[..(chunked.Length / 2)];
        var (r, payload, truncated) = Decode(WarcFiles.HttpResponse(cut, "Content-Type: text/html\r\nTransfer-Encoding: chunked"));
        Assert.True(r.IsOk);
        Assert.True(truncated);
        Assert.StartsWith(payload, Html);
        Assert.True(payload.Length > 20);
    }

    [Fact]
    public void Truncated_gzip_body_keeps_the_decoded_prefix()
    {
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"<p>paragraph {i}</p>")));
        var gz = Compress(big, s => new GZipStream(s, CompressionLevel.Fastest));
        var (r, payload, truncated) = Decode(WarcFiles.HttpResponse(gz[..(gz.Length / 2)], "Content-Type: text/html\r\nContent-Encoding: gzip"));
        Assert.True(r.IsOk);
        Assert.True(truncated);
        Assert.StartsWith("<p>paragraph 0</p>", payload);
        Assert.True(payload.Length > 1000);
    }

    [Fact]
    public void Corrupt_gzip_body_is_a_skip()
    {
        var gz = Compress(HtmlBytes, s => new GZipStream(s, CompressionLevel.Fastest));
        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0xA5;
        var (r, _, _) = Decode(WarcFiles.HttpResponse(gz, "Content-Type: text/html\r\nContent-Encoding: gzip"));
        Assert.Equal(SkipReasons.HttpBadContentEncoding, r.SkipReason);
    }

    [Fact]
    public void Gzip_bomb_body_stops_at_the_cap()
    {
        var zeros = new byte[64 << 20];
        var bomb = Compress(zeros, s => new GZipStream(s, CompressionLevel.SmallestSize));
        var (r, _, _) = Decode(WarcFiles.HttpResponse(bomb, "Content-Type: text/html\r\nContent-Encoding: gzip"), cap: 1 << 20);
        Assert.Equal(SkipReasons.HttpBodyTooLarge, r.SkipReason);
        var brBomb = Compress(zeros, s => new BrotliStream(s, CompressionLevel.Fastest));
        var (r2, _, _) = Decode(WarcFiles.HttpResponse(brBomb, "Content-Type: text/html\r\nContent-Encoding: br"), cap: 1 << 20);
        Assert.Equal(SkipReasons.HttpBodyTooLarge, r2.SkipReason);
    }

    [Fact]
    public void Unknown_content_encoding_is_a_skip_naming_it()
    {
        var (r, _, _) = Decode(WarcFiles.HttpResponse(HtmlBytes, "Content-Type: text/html\r\nContent-Encoding: compress"));
        Assert.Equal(SkipReasons.HttpUnsupportedContentEncoding, r.SkipReason);
        Assert.Contains("compress", r.Detail);
    }

    [Theory]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData("TEXT/HTML", true)]
    [InlineData("application/xhtml+xml", true)]
    [InlineData("application/json", false)]
    [InlineData("text/plain", false)]
    [InlineData(null, false)]
    public void Html_media_types_are_recognised(string? contentType, bool html) => Assert.Equal(html, MediaType.IsHtml(contentType));

    [Fact]
    public void Html_without_a_content_type_is_recognised_by_sniffing()
    {
        Assert.True(MediaType.SniffHtml("\uFEFF  <!DOCTYPE html><html>"u8));
        Assert.True(MediaType.SniffHtml("\n<HTML lang=en>"u8));
        Assert.False(MediaType.SniffHtml("{\"json\": true}"u8));
    }
}
