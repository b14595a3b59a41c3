using System.IO.Compression;
using System.Text;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Warc;

namespace DataPipe.Fuzz.Targets;

/// <summary>
/// Ingest's parsers of crawl data, which is hostile by nature: the WARC record reader (plain, per-record gzip and
/// whole-file gzip, sniffed), the HTTP payload decoder (status line, headers, chunked, gzip, deflate, br) and the HTML
/// main-text extractor. None of them documents an exception for bad input: they skip and count (WarcReader,
/// HttpPayloadDecoder) or return less text (extractors), so any exception escaping is a finding.
/// </summary>
public static class IngestTargets
{
    // Made on first use, never in a static initializer: under afl-fuzz, instrumented code (all of DataPipe.Ingest) may
    // run only after SharpFuzz has set up the coverage map.
    private static HttpPayloadDecoder? _decoder;

    internal static readonly string[] HtmlTokens =
        ["<div>", "</div>", "<p>", "</p>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<table><tr><td>", "<li>",
         "&amp;", "&#x110000;", "&#9999999999;", "&nbsp", "<br/>", "<a href=\"", "class=\"article\"", "class=\"comment\"", "<template>", "<textarea>",
         "<title>", "<body>", "<html>", "<!DOCTYPE html>", "<svg>", "<math>", "<plaintext>", "</", "<", "=\"", "'"];

    public static FuzzTarget Warc { get; } = new()
    {
        Name = "warc-record",
        Parser = "DataPipe.Ingest.Warc.WarcReader.TryRead",
        Parse = data =>
        {
            using var reader = new WarcReader(new MemoryStream(data, writable: false));
            while (reader.TryRead(out var record))
            {
                _ = record.TargetUri;
                _ = record.RecordId;
                _ = record.Date;
                _ = record.ContentType;
                _ = record.Get("WARC-Payload-Digest");
            }
        },
        IsDocumentedError = _ => false,
        Seeds = WarcSeeds,
        Instrument = ["DataPipe.Ingest"],
        Dictionary = ["WARC/1.0\r\n", "WARC/1.1\r\n", "Content-Length: ", "WARC-Type: response\r\n", "WARC-Type: conversion\r\n", "\r\n\r\n",
            "WARC-Target-URI: ", "WARC-Date: 2024-05-01T12:00:00Z\r\n", "\x1f\x8b\x08\x00", "HTTP/1.1 200 OK\r\n"],
    };

    public static FuzzTarget HttpPayload { get; } = new()
    {
        Name = "http-payload",
        Parser = "DataPipe.Ingest.Http.HttpResponseHead.TryParse + HttpPayloadDecoder.Decode",
        Parse = data =>
        {
            if (!HttpResponseHead.TryParse(data, 64 * 1024, out var head, out _)) return;
            _ = MediaType.IsHtml(head.ContentType);
            _ = MediaType.Charset(head.ContentType);
            if ((_decoder ??= new HttpPayloadDecoder()).Decode(head.Headers, head.Body, out var payload).IsOk) _ = MediaType.SniffHtml(payload);
        },
        IsDocumentedError = _ => false,
        Seeds = HttpSeeds,
        Instrument = ["DataPipe.Ingest"],
        Dictionary = ["Transfer-Encoding: chunked\r\n", "Content-Encoding: gzip\r\n", "Content-Encoding: deflate\r\n", "Content-Encoding: br\r\n",
            "Content-Encoding: gzip, br\r\n", "Content-Type: text/html; charset=utf-8\r\n", "\r\n0\r\n\r\n", "ffffffff\r\n", "\x1f\x8b\x08", "\x78\x9c", "HTTP/1.1 200 OK\r\n"],
    };

    public static FuzzTarget HtmlDensity { get; } = new()
    {
        Name = "html-density",
        Parser = "DataPipe.Ingest.Extraction.DensityExtractor.Extract (LiteHtmlParser)",
        Parse = data => new DensityExtractor().Extract(Encoding.UTF8.GetString(data), "https://example.org/"),
        IsDocumentedError = _ => false,
        Seeds = HtmlSeeds,
        Instrument = ["DataPipe.Ingest"],
        Dictionary = HtmlTokens,
    };

    private static IReadOnlyList<FuzzSeed> WarcSeeds()
    {
        var seeds = new List<FuzzSeed>();
        string edge = SharedData.Path("warc/edge");
        foreach (var file in Directory.GetFiles(edge).Where(f => !Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            seeds.Add(new FuzzSeed("edge-" + Path.GetFileName(file), File.ReadAllBytes(file)));
        seeds.Add(new FuzzSeed("cc-whirlwind.warc.wet.gz", File.ReadAllBytes(SharedData.Path("warc/cc-whirlwind.warc.wet.gz"))));
        // Small records cut out of a real per-record-gzip crawl file, compressed and plain.
        foreach (var (offset, member) in SmallMembers(SharedData.Path("warc/crawl-sample-0000.warc.gz"), maxBytes: 6 * 1024).Take(4))
        {
            seeds.Add(new FuzzSeed($"crawl-sample-0000-at-{offset}.warc.gz", member));
            using var gz = new GZipStream(new MemoryStream(member), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gz.CopyTo(plain);
            seeds.Add(new FuzzSeed($"crawl-sample-0000-at-{offset}.warc", plain.ToArray()));
        }
        return seeds;
    }

    /// <summary>The gzip members (one record each) of a per-record-gzip WARC file that are at most <paramref name="maxBytes"/>.</summary>
    internal static IEnumerable<(long Offset, byte[] Member)> SmallMembers(string path, int maxBytes)
    {
        byte[] file = File.ReadAllBytes(path);
        var offsets = new List<long>();
        using (var reader = new WarcReader(new MemoryStream(file)))
        {
            while (reader.TryRead(out var r))
                if (offsets.Count == 0 || offsets[^1] != r.FileOffset) offsets.Add(r.FileOffset);
        }
        offsets.Add(file.Length);
        for (int i = 0; i + 1 < offsets.Count; i++)
        {
            long size = offsets[i + 1] - offsets[i];
            if (size <= maxBytes) yield return (offsets[i], file.AsSpan((int)offsets[i], (int)size).ToArray());
        }
    }

    private static IReadOnlyList<FuzzSeed> HttpSeeds()
    {
        var seeds = new List<FuzzSeed>();
        // Recorded responses (bodies cut to 6 KB: a cut body is what Common Crawl stores for large pages anyway).
        foreach (var file in new[] { "warc/edge/example-iana.org-chunked.warc", "warc/edge/example.warc", "warc/crawl-sample-0000.warc.gz" })
        {
            using var reader = new WarcReader(File.OpenRead(SharedData.Path(file)));
            int taken = 0;
            while (taken < 3 && reader.TryRead(out var r))
            {
                if (r.Type != "response" || !r.Block.Span.StartsWith("HTTP/"u8)) continue;
                var block = r.Block.Span[..Math.Min(r.Block.Length, 6 * 1024)].ToArray();
                seeds.Add(new FuzzSeed($"{Path.GetFileName(file)}-{r.StreamOffset}.http", block));
                taken++;
            }
        }
        // Every coding the decoder undoes, made here from one small page.
        byte[] page = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><head><title>t</title></head><body><article><p>Hello, encoded world. "
            + string.Concat(Enumerable.Repeat("Some repeated text. ", 20)) + "</p></article></body></html>");
        seeds.Add(Response("identity", "", page));
        seeds.Add(Response("chunked", "Transfer-Encoding: chunked\r\n", Chunk(page, 97)));
        seeds.Add(Response("gzip", "Content-Encoding: gzip\r\n", Compress(page, s => new GZipStream(s, CompressionLevel.Optimal))));
        seeds.Add(Response("gzip-two-members", "Content-Encoding: gzip\r\n",
            [.. Compress(page[..100], s => new GZipStream(s, CompressionLevel.Optimal)), .. Compress(page[100..], s => new GZipStream(s, CompressionLevel.Optimal))]));
        seeds.Add(Response("deflate-zlib", "Content-Encoding: deflate\r\n", Compress(page, s => new ZLibStream(s, CompressionLevel.Optimal))));
        seeds.Add(Response("deflate-raw", "Content-Encoding: deflate\r\n", Compress(page, s => new DeflateStream(s, CompressionLevel.Optimal))));
        seeds.Add(Response("br", "Content-Encoding: br\r\n", Compress(page, s => new BrotliStream(s, CompressionLevel.Optimal))));
        seeds.Add(Response("gzip-chunked", "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", Chunk(Compress(page, s => new GZipStream(s, CompressionLevel.Optimal)), 64)));
        seeds.Add(Response("gzip-then-br", "Content-Encoding: gzip, br\r\n",
            Compress(Compress(page, s => new GZipStream(s, CompressionLevel.Optimal)), s => new BrotliStream(s, CompressionLevel.Optimal))));
        return seeds;

        static FuzzSeed Response(string name, string headers, byte[] body) =>
            new($"synthetic-{name}.http", [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{headers}\r\n"), .. body]);
    }

    internal static byte[] Compress(byte[] data, Func<Stream, Stream> compressor)
    {
        var output = new MemoryStream();
        using (var c = compressor(output)) c.Write(data);
        return output.ToArray();
    }

    internal static byte[] Chunk(byte[] data, int size)
    {
        var output = new MemoryStream();
        for (int i = 0; i < data.Length; i += size)
        {
            int n = Math.Min(size, data.Length - i);
            output.Write(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
            output.Write(data, i, n);
            output.Write("\r\n"u8);
        }
        output.Write("0\r\n\r\n"u8);
        return output.ToArray();
    }

    private static IReadOnlyList<FuzzSeed> HtmlSeeds()
    {
        // The smallest real pages, cut to 24 KB (AFL++ works best on small inputs; the mutations add structure).
        string pages = SharedData.Path("html-extraction/pages");
        var seeds = Directory.GetDirectories(pages)
            .Select(d => Path.Combine(d, "source.html"))
            .Where(File.Exists)
            .OrderBy(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal)
            .Take(8)
            .Select(f => new FuzzSeed(Path.GetFileName(Path.GetDirectoryName(f)!) + ".html", File.ReadAllBytes(f)[..(int)Math.Min(new FileInfo(f).Length, 24 * 1024)]))
            .ToList();
        seeds.Add(new FuzzSeed("nested.html", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<div><p>", 300)) + "deep text" + string.Concat(Enumerable.Repeat("</p></div>", 300)))));
        return seeds;
    }
}
