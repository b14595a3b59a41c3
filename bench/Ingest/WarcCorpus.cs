using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Warc;

namespace DataPipe.Bench.Ingest;

/// <summary>
/// Builds a Common-Crawl-shaped WARC file of about N MB (compressed) from the real pages in ../shared/data: the 130
/// pages of html-extraction and the HTML responses of the crawl-sample WARC files. Each page is written as a request
/// plus a response record, gzipped one member per record like Common Crawl. Pages are varied so the file is not one
/// page repeated: every copy gets its own URL, record id and date, and a paragraph of words drawn at random from the
/// corpus's own vocabulary inserted after &lt;body&gt;. Seeded, so the same N gives the same file.
/// </summary>
public static partial class WarcCorpus
{
    public static string SharedData => Environment.GetEnvironmentVariable("DATAPIPE_SHARED_DATA") is { Length: > 0 } env
        ? env
        : Path.GetFullPath(Path.Combine(FindRoot(), "..", "shared", "data"));

    public static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }

    /// <summary>The real HTML pages available, as UTF-8 bytes.</summary>
    public static List<byte[]> LoadPages()
    {
        var pages = new List<byte[]>();
        string extraction = Path.Combine(SharedData, "html-extraction", "pages");
        foreach (var dir in Directory.GetDirectories(extraction).Order(StringComparer.Ordinal))
        {
            string src = Path.Combine(dir, "source.html");
            if (File.Exists(src)) pages.Add(File.ReadAllBytes(src));
        }
        foreach (var warc in Directory.GetFiles(Path.Combine(SharedData, "warc"), "crawl-sample-*.warc.gz").Order(StringComparer.Ordinal))
        {
            using var reader = new WarcReader(File.OpenRead(warc));
            var decoder = new HttpPayloadDecoder();
            while (reader.TryRead(out var rec))
            {
                if (rec.Type != "response") continue;
                if (!HttpResponseHead.TryParse(rec.Block.Span, 65536, out var head, out _) || head.StatusCode != 200 || !MediaType.IsHtml(head.ContentType)) continue;
                if (decoder.Decode(head.Headers, head.Body, out var payload).IsOk && payload.Length > 0) pages.Add(payload.ToArray());
            }
        }
        return pages;
    }

    /// <summary>Writes the corpus to <paramref name="path"/> (reused when it exists with a matching size marker); returns page count.</summary>
    public static long Build(string path, long targetBytes, int seed = 1)
    {
        string marker = path + ".pages";
        if (File.Exists(path) && File.Exists(marker) && new FileInfo(path).Length >= targetBytes * 95 / 100)
            return long.Parse(File.ReadAllText(marker));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var pages = LoadPages();
        var vocabulary = Words().Matches(string.Join(' ', pages.Take(40).Select(p => Encoding.UTF8.GetString(p)))).Select(m => m.Value).Distinct().Take(20000).ToArray();
        var rnd = new Random(seed);
        long count = 0;
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var date = new DateTime(2024, 5, 18, 0, 0, 0, DateTimeKind.Utc);
            while (fs.Length < targetBytes)
            {
                var page = pages[(int)(count % pages.Count)];
                string url = $"https://site{rnd.Next(5000)}.example.org/{count}/page.html";
                var sb = new StringBuilder("<p>");
                for (int w = 0; w < 40; w++) sb.Append(vocabulary[rnd.Next(vocabulary.Length)]).Append(' ');
                sb.Append("</p>");
                var html = Vary(page, Encoding.UTF8.GetBytes(sb.ToString()));
                var when = date.AddSeconds(count * 3);
                var request = Encoding.ASCII.GetBytes($"GET /{count}/page.html HTTP/1.1\r\nHost: example.org\r\nUser-Agent: CCBot/2.0\r\nAccept: text/html\r\n\r\n");
                Write(fs, Record("request", url, when, request, "application/http; msgtype=request"));
                var response = (byte[])[.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {html.Length}\r\nServer: bench\r\n\r\n"), .. html];
                Write(fs, Record("response", url, when, response, "application/http; msgtype=response"));
                count++;
            }
        }
        File.Move(tmp, path, overwrite: true);
        File.WriteAllText(marker, count.ToString());
        return count;
    }

    private static byte[] Vary(byte[] page, byte[] paragraph)
    {
        int body = page.AsSpan().IndexOf("<body"u8);
        if (body < 0) return [.. paragraph, .. page];
        int close = page.AsSpan(body).IndexOf((byte)'>');
        int at = close < 0 ? body : body + close + 1;
        return [.. page.AsSpan(0, at), .. paragraph, .. page.AsSpan(at)];
    }

    private static byte[] Record(string type, string url, DateTime when, byte[] block, string contentType)
    {
        var head = $"WARC/1.0\r\nWARC-Type: {type}\r\nWARC-Date: {when:yyyy-MM-ddTHH:mm:ssZ}\r\nWARC-Record-ID: <urn:uuid:{Guid.NewGuid()}>\r\nWARC-Target-URI: {url}\r\nContent-Type: {contentType}\r\nContent-Length: {block.Length}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. block, .. "\r\n\r\n"u8];
    }

    private static void Write(Stream fs, byte[] record)
    {
        using var gz = new GZipStream(fs, CompressionLevel.Optimal, leaveOpen: true);
        gz.Write(record);
    }

    [GeneratedRegex(@"\b[A-Za-z]{3,12}\b")]
    private static partial Regex Words();
}
