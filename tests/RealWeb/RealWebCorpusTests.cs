using System.Text;
using System.Text.Json;
using DataPipe.Ingest.RealWeb;
using DataPipe.Ingest.Warc;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.RealWeb;

public class RealWebCorpusTests
{
    [Fact]
    public void Written_records_read_back_with_their_member_offsets_and_bytes()
    {
        var ms = new MemoryStream();
        var offsets = new List<long>();
        using (var w = new WarcWriter(ms, leaveOpen: true))
        {
            offsets.Add(w.WriteWarcinfo("x.warc.gz", RealWebCorpus.Origin, [("software", "test")]));
            for (int i = 0; i < 5; i++)
            {
                byte[] body = Encoding.UTF8.GetBytes($"<html><body><p>page {i} é</p></body></html>");
                byte[] http = [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\n\r\n"), .. body];
                offsets.Add(w.WriteResponse($"https://example.org/{i}", RealWebCorpus.Origin.AddSeconds(i), http));
            }
        }
        var skips = new List<string>();
        using var reader = new WarcReader(new MemoryStream(ms.ToArray()), null, (r, o, d) => skips.Add(r));
        var read = new List<(string Type, long Offset, string Uri, string Block)>();
        while (reader.TryRead(out var rec)) read.Add((rec.Type, rec.FileOffset, rec.TargetUri, Encoding.UTF8.GetString(rec.Block.Span)));
        Assert.Empty(skips);
        Assert.Equal(6, read.Count);
        Assert.Equal(offsets, read.Select(r => r.Offset));
        Assert.Equal("warcinfo", read[0].Type);
        Assert.Equal("https://example.org/3", read[4].Uri);
        Assert.EndsWith("<p>page 3 é</p></body></html>", read[4].Block);
        Assert.True(offsets.Zip(offsets.Skip(1)).All(p => p.First < p.Second), "one gzip member per record");
    }

    [Fact]
    public void Corpus_is_byte_identical_on_rerun_and_holds_every_page_once()
    {
        using var tmp = new TempDir("realweb");
        // The Readability pages and the WARC captures: small enough for a test, both kinds of source.
        string shared = tmp["shared"];
        Directory.CreateDirectory(Path.Combine(shared, "html-extraction"));
        Directory.CreateSymbolicLink(Path.Combine(shared, "html-extraction", "pages"), Repo.Shared("html-extraction/pages"));
        Directory.CreateSymbolicLink(Path.Combine(shared, "warc"), Repo.Shared("warc"));
        var options = new RealWebOptions { SharedData = shared, Files = 3, EvalPercent = 20, PositivePercent = 20 };
        var first = RealWebCorpus.Write(tmp["a"], options);
        RealWebCorpus.Write(tmp["b"], options);

        var filesA = Directory.GetFiles(tmp["a"], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(tmp["a"], f)).Order(StringComparer.Ordinal).ToList();
        var filesB = Directory.GetFiles(tmp["b"], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(tmp["b"], f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(filesA, filesB);
        foreach (var f in filesA) Assert.True(File.ReadAllBytes(Path.Combine(tmp["a"], f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(tmp["b"], f))), f);

        // Every page is a response record in exactly one file, at the offset the manifest gives, under its URL.
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp["a"], RealWebCorpus.ManifestFile)));
        var pages = manifest.RootElement.GetProperty("pages").EnumerateArray().ToList();
        Assert.Equal(first.Pages, pages.Count);
        Assert.True(first.Pages >= 130 + 30, $"readability pages and crawl-sample responses expected, got {first.Pages}");
        var responses = new Dictionary<(string, long), string>();
        foreach (var file in filesA.Where(f => f.EndsWith(".warc.gz", StringComparison.Ordinal)))
        {
            using var reader = new WarcReader(File.OpenRead(Path.Combine(tmp["a"], file)));
            while (reader.TryRead(out var rec))
                if (rec.Type == "response") responses[(file.Replace('\\', '/'), rec.FileOffset)] = rec.TargetUri;
        }
        Assert.Equal(pages.Count, responses.Count);
        foreach (var p in pages)
            Assert.Equal(p.GetProperty("url").GetString(), responses[(p.GetProperty("file").GetString()!, p.GetProperty("offset").GetInt64())]);

        // Sites never straddle groups, and the crawl files hold only crawl-group pages.
        var groupsBySite = pages.GroupBy(p => p.GetProperty("site").GetString()).ToList();
        Assert.All(groupsBySite, g => Assert.Single(g.Select(p => p.GetProperty("group").GetString()).Distinct()));
        Assert.All(pages.Where(p => p.GetProperty("file").GetString()!.StartsWith("crawl/", StringComparison.Ordinal)),
            p => Assert.Equal("crawl", p.GetProperty("group").GetString()));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(tmp["a"], RealWebCorpus.CrawlFolder)).Length);
    }

    [Theory]
    [InlineData("www.bbc.co.uk", "bbc.co.uk")]
    [InlineData("blogs.nfl.com", "nfl.com")]
    [InlineData("news.abc.net.au", "abc.net.au")]
    [InlineData("Example.ORG.", "example.org")]
    [InlineData("localhost", null)]
    public void Site_is_the_registrable_domain_of_the_host(string host, string? site) => Assert.Equal(site, RealWebCorpus.SiteOfHost(host));
}
