using System.IO.Compression;
using System.Text;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Text;
using DataPipe.Filter.Classifier;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Filter;

/// <summary>
/// Raw web text for the classifier tests, made without the Ingest stage (which the filter must not depend on): the HTML
/// responses of ../shared/data/warc/crawl-sample-000{0,1}.warc.gz read by a minimal WARC walk (gzip members,
/// headers, Content-Length, HTTP head skipped), turned into visible text, plus the Common Crawl documents of
/// ../shared/data/text/ccnet/dolma-documents-000.json.gz.
/// </summary>
internal static class RawWebPages
{
    private static readonly Lazy<IReadOnlyList<Document>> Cached = new(Load);

    public static IReadOnlyList<Document> All => Cached.Value;

    /// <summary>Writes the pages as a completed documents dataset (part file and _SUCCESS.json) under <paramref name="dir"/>.</summary>
    public static async Task<string> WriteDatasetAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        string part = Path.Combine(dir, DatasetFolder.PartFileName(0));
        await using (var w = await DocumentWriter.CreateAsync(part))
            foreach (var d in All) await w.WriteAsync(d);
        DatasetFolder.WriteJsonAtomic(Path.Combine(dir, DatasetFolder.SuccessFile), new DataPipe.Core.Stages.SuccessRecord
        {
            Stage = "ingest",
            ConfigHash = "test-raw-web-pages",
            TaskCount = 1,
            RowsIn = All.Count,
            RowsOut = All.Count,
            Schema = DocumentSchema.Describe(),
        });
        return dir;
    }

    private static List<Document> Load()
    {
        var docs = new List<Document>();
        foreach (var name in new[] { "crawl-sample-0000.warc.gz", "crawl-sample-0001.warc.gz" })
        {
            string path = Repo.Shared($"warc/{name}");
            foreach (var (uri, offset, html) in HtmlResponses(path))
            {
                string text = TrainingTexts.HtmlText(html);
                if (text.Length < 200) continue;
                docs.Add(Make(docs.Count, uri, text, path, offset));
            }
        }
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(Repo.Shared("text/ccnet/dolma-documents-000.json.gz")), CompressionMode.Decompress)))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                using var json = System.Text.Json.JsonDocument.Parse(line);
                string text = json.RootElement.GetProperty("text").GetString()!;
                docs.Add(Make(docs.Count, json.RootElement.GetProperty("id").GetString()!, text, "dolma-documents-000.json.gz", docs.Count));
            }
        }
        return docs;
    }

    private static Document Make(int i, string url, string text, string source, long offset)
    {
        var d = TestDocuments.Make(i, text);
        d.Id = $"<urn:test:raw:{i}>";
        d.Url = url;
        d.Host = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Host.ToLowerInvariant() : "";
        d.Source = source;
        d.SourceOffset = offset;
        d.ContentHash = ContentHash.Of(text);
        return d;
    }

    /// <summary>(target URI, record offset in the decompressed stream, HTML) of every WARC response with an HTML body.</summary>
    private static IEnumerable<(string Uri, long Offset, string Html)> HtmlResponses(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        var bytes = ms.ToArray();
        int at = 0;
        while (at < bytes.Length)
        {
            int headEnd = IndexOf(bytes, "\r\n\r\n"u8, at);
            if (headEnd < 0) yield break;
            var head = Encoding.ASCII.GetString(bytes, at, headEnd - at).Split("\r\n");
            string Header(string name) => head.FirstOrDefault(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";
            int length = int.Parse(Header("Content-Length"));
            int body = headEnd + 4;
            if (Header("WARC-Type") == "response")
            {
                int httpEnd = IndexOf(bytes, "\r\n\r\n"u8, body);
                if (httpEnd > 0 && httpEnd < body + length)
                {
                    string http = Encoding.ASCII.GetString(bytes, body, httpEnd - body);
                    if (http.Contains("text/html", StringComparison.OrdinalIgnoreCase) && !http.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) && !http.Contains("Content-Encoding", StringComparison.OrdinalIgnoreCase))
                        yield return (Header("WARC-Target-URI"), at, Encoding.UTF8.GetString(bytes, httpEnd + 4, body + length - httpEnd - 4));
                }
            }
            at = body + length;
            while (at < bytes.Length && bytes[at] is (byte)'\r' or (byte)'\n') at++;
        }
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> what, int from)
    {
        int i = data.AsSpan(from).IndexOf(what);
        return i < 0 ? -1 : from + i;
    }
}
