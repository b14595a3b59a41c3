using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataPipe.Core.Errors;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Warc;

namespace DataPipe.Ingest.RealWeb;

/// <summary>One real page: where it came from, the HTTP response to write, its site and its reference text if any.</summary>
public sealed record RealWebPage(
    string Set, string Id, string Url, bool UrlKnown, string Site, byte[] HttpResponse, string? Reference, string ReferenceKind)
{
    /// <summary>"set/id", unique in the corpus.</summary>
    public string Key => $"{Set}/{Id}";
}

/// <summary>How the corpus is cut into files and held-out sites.</summary>
public sealed record RealWebOptions
{
    /// <summary>Folder holding extraction-bench/, html-extraction/ and warc/ (../shared/data).</summary>
    public required string SharedData { get; init; }

    /// <summary>Crawl WARC files the training pages are spread over (round robin in key order).</summary>
    public int Files { get; init; } = 8;

    /// <summary>Percent of sites whose pages are held out for evaluation (never ingested for training).</summary>
    public int EvalPercent { get; init; } = 15;

    /// <summary>Percent of sites whose reference texts are the classifier's web positives (their pages are not crawled).</summary>
    public int PositivePercent { get; init; } = 25;
}

/// <summary>What <see cref="RealWebCorpus.Write"/> produced.</summary>
public sealed record RealWebSummary(int Pages, int CrawlPages, int EvalPages, int PositivePages, int EvalReferences, int PositiveReferences,
    int Sites, IReadOnlyList<string> CrawlFiles);

/// <summary>
/// Wraps every real page under ../shared/data into Common Crawl-style WARC files, so the pipeline can run on real web
/// at the size of a small crawl: the 3,053 pages of extraction-bench (CleanEval, Dragnet, the trafilatura set), the
/// 130 pages of html-extraction (Mozilla Readability's tests) and the HTML responses of warc/*.warc.gz.
///
/// Each page is one <c>response</c> record, one gzip member, after a <c>warcinfo</c> record per file. Pages captured
/// as WARC keep their HTTP response byte for byte; the others get the headers a server would have sent: a status
/// line, Content-Type (with the charset the page declares, when it declares one) and Content-Length. The target URI
/// is the page's real URL where one is known (the capture's own, the trafilatura set's <c>url</c>, or a canonical /
/// og:url link in the page); otherwise a stable synthetic one, <c>https://SET.realweb.invalid/ID</c>.
///
/// Evaluation must be out of site, so every page gets a site: the registrable domain of its URL, else of the most
/// linked host in the page, else the page itself. A SHA-256 of the site puts it in one of three groups: evaluation
/// (its pages and reference texts held out), positives (its reference texts are the classifier's curated web text;
/// its pages are not crawled, so no page is both a positive and a negative), and crawl (the pipeline's input).
/// Everything is sorted and dated from a fixed origin, so a rerun writes the same bytes.
/// </summary>
public static partial class RealWebCorpus
{
    /// <summary>The date of the first record; each page is one second after the previous one.</summary>
    public static readonly DateTime Origin = new(2024, 5, 18, 0, 0, 0, DateTimeKind.Utc);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public const string CrawlFolder = "crawl";
    public const string HeldOutFolder = "heldout";
    public const string ManifestFile = "manifest.json";
    public const string EvalReferencesFile = "eval-references.jsonl";
    public const string PositiveReferencesFile = "positive-references.jsonl";

    /// <summary>The English evaluation references as plain text, one per blank-line-separated block (for the ablation).</summary>
    public const string EvalReferencesEnglishText = "eval-references.en.txt";

    /// <summary>Every page, sorted by set then id.</summary>
    public static List<RealWebPage> Load(string sharedData)
    {
        if (!Directory.Exists(sharedData)) throw new DataPipeException($"realweb: shared data folder not found: {sharedData}");
        var pages = new List<RealWebPage>();
        string bench = Path.Combine(sharedData, "extraction-bench");
        foreach (var tar in Directory.Exists(bench) ? Directory.GetFiles(bench, "*.tar.gz").Order(StringComparer.Ordinal).ToArray() : [])
            pages.AddRange(LoadBenchSet(tar));
        string readability = Path.Combine(sharedData, "html-extraction", "pages");
        if (Directory.Exists(readability))
            foreach (var dir in Directory.GetDirectories(readability).Order(StringComparer.Ordinal))
            {
                string source = Path.Combine(dir, ExtractionEvaluation.SourceFile);
                if (!File.Exists(source)) continue;
                string expected = Path.Combine(dir, ExtractionEvaluation.ReferenceFile);
                string? reference = File.Exists(expected) ? Tidy(ExtractionEvaluation.ReferenceText(File.ReadAllText(expected))) : null;
                pages.Add(FromHtml("readability", Path.GetFileName(dir), File.ReadAllBytes(source), knownUrl: null, reference, "readability-expected"));
            }
        string warc = Path.Combine(sharedData, "warc");
        if (Directory.Exists(warc))
            foreach (var file in Directory.GetFiles(warc, "*.warc.gz").Order(StringComparer.Ordinal))
                pages.AddRange(LoadCaptures(file));
        pages.Sort((a, b) => StringComparer.Ordinal.Compare(a.Key, b.Key));
        for (int i = 1; i < pages.Count; i++)
            if (pages[i].Key == pages[i - 1].Key) throw new DataPipeException($"realweb: two pages named {pages[i].Key}");
        return pages;
    }

    /// <summary>Which group a site falls in: "eval", "positive" or "crawl" (by SHA-256 of the site name, so stable).</summary>
    public static string GroupOf(string site, int evalPercent, int positivePercent)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(site));
        int bucket = (int)(BitConverter.ToUInt64(hash, 0) % 100);
        if (bucket < evalPercent) return "eval";
        if (bucket < evalPercent + positivePercent) return "positive";
        return "crawl";
    }

    /// <summary>Writes the corpus under <paramref name="outDir"/> (crawl/*.warc.gz, heldout/*, manifest.json).</summary>
    public static RealWebSummary Write(string outDir, RealWebOptions options)
    {
        if (options.Files < 1) throw new DataPipeException("realweb: --files must be at least 1");
        if (options.EvalPercent < 0 || options.PositivePercent < 0 || options.EvalPercent + options.PositivePercent > 100)
            throw new DataPipeException("realweb: eval and positive percentages must be >= 0 and sum to at most 100");
        var pages = Load(options.SharedData);
        if (pages.Count == 0) throw new DataPipeException($"realweb: no pages under {options.SharedData}");
        var groups = pages.Select(p => GroupOf(p.Site, options.EvalPercent, options.PositivePercent)).ToArray();

        // Written under a temporary folder and renamed into place, so a failed run leaves nothing half-written.
        string final = Path.GetFullPath(outDir);
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(Path.Combine(tmp, CrawlFolder));
        Directory.CreateDirectory(Path.Combine(tmp, HeldOutFolder));

        var crawl = Enumerable.Range(0, pages.Count).Where(i => groups[i] == "crawl").ToList();
        var crawlFiles = new List<string>();
        var location = new Dictionary<int, (string File, long Offset)>();
        for (int f = 0; f < options.Files; f++)
        {
            string name = $"CC-REALWEB-{f:D5}.warc.gz";
            crawlFiles.Add($"{CrawlFolder}/{name}");
            var members = crawl.Where((_, k) => k % options.Files == f).ToList();
            WriteFile(Path.Combine(tmp, CrawlFolder, name), name, pages, members, location, $"{CrawlFolder}/{name}");
        }
        WriteFile(Path.Combine(tmp, HeldOutFolder, "eval.warc.gz"), "eval.warc.gz", pages,
            Enumerable.Range(0, pages.Count).Where(i => groups[i] == "eval").ToList(), location, $"{HeldOutFolder}/eval.warc.gz");
        WriteFile(Path.Combine(tmp, HeldOutFolder, "positive-sites.warc.gz"), "positive-sites.warc.gz", pages,
            Enumerable.Range(0, pages.Count).Where(i => groups[i] == "positive").ToList(), location, $"{HeldOutFolder}/positive-sites.warc.gz");

        int evalRefs = WriteReferences(Path.Combine(tmp, HeldOutFolder, EvalReferencesFile), pages, groups, "eval");
        int posRefs = WriteReferences(Path.Combine(tmp, HeldOutFolder, PositiveReferencesFile), pages, groups, "positive");
        int evalEnglish = WriteEnglishText(Path.Combine(tmp, HeldOutFolder, EvalReferencesEnglishText), pages, groups, "eval");

        var manifest = new
        {
            description = "Real pages of ../shared/data as Common Crawl-style WARC; sites split into crawl / positive / eval by SHA-256 of the site",
            options = new { options.Files, eval_percent = options.EvalPercent, positive_percent = options.PositivePercent },
            counts = new
            {
                pages = pages.Count,
                crawl = crawl.Count,
                eval = groups.Count(g => g == "eval"),
                positive = groups.Count(g => g == "positive"),
                eval_references = evalRefs,
                eval_references_english = evalEnglish,
                positive_references = posRefs,
                sites = pages.Select(p => p.Site).Distinct().Count(),
            },
            eval_sites = SitesOf(pages, groups, "eval"),
            positive_sites = SitesOf(pages, groups, "positive"),
            pages = pages.Select((p, i) => new
            {
                key = p.Key,
                url = p.Url,
                url_known = p.UrlKnown,
                site = p.Site,
                group = groups[i],
                reference = p.ReferenceKind,
                file = location[i].File,
                offset = location[i].Offset,
            }),
        };
        File.WriteAllText(Path.Combine(tmp, ManifestFile), JsonSerializer.Serialize(manifest, Indented) + "\n");

        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(tmp, final);
        return new RealWebSummary(pages.Count, crawl.Count, groups.Count(g => g == "eval"), groups.Count(g => g == "positive"), evalRefs, posRefs,
            pages.Select(p => p.Site).Distinct().Count(), crawlFiles);
    }

    private static List<string> SitesOf(List<RealWebPage> pages, string[] groups, string group) =>
        pages.Where((_, i) => groups[i] == group).Select(p => p.Site).Distinct().Order(StringComparer.Ordinal).ToList();

    private static void WriteFile(string path, string name, List<RealWebPage> pages, List<int> members,
        Dictionary<int, (string, long)> location, string relative)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new WarcWriter(fs);
        writer.WriteWarcinfo(name, Origin,
        [
            ("software", "datapipe realweb-corpus"),
            ("format", "WARC File Format 1.0"),
            ("description", "real pages of ../shared/data (extraction-bench, html-extraction, warc) rewrapped as a crawl"),
            ("isPartOf", "DATAPIPE-REALWEB"),
        ]);
        foreach (int i in members)
        {
            var p = pages[i];
            long offset = writer.WriteResponse(p.Url, Origin.AddSeconds(i + 1), p.HttpResponse);
            location[i] = (relative, offset);
        }
    }

    private static int WriteReferences(string path, List<RealWebPage> pages, string[] groups, string group)
    {
        int n = 0;
        using var w = new StreamWriter(path, append: false, new UTF8Encoding(false));
        for (int i = 0; i < pages.Count; i++)
        {
            var p = pages[i];
            if (groups[i] != group || string.IsNullOrWhiteSpace(p.Reference) || p.ReferenceKind == "snippets") continue;
            w.Write(JsonSerializer.Serialize(new { id = p.Key, url = p.Url, site = p.Site, kind = p.ReferenceKind, text = p.Reference }));
            w.Write('\n');
            n++;
        }
        return n;
    }

    /// <summary>The full references of a group that the language identifier calls English, blank-line separated.</summary>
    private static int WriteEnglishText(string path, List<RealWebPage> pages, string[] groups, string group)
    {
        var language = Language.LanguageIdentifier.For(["en", "de", "fr", "es", "it", "pl", "pt", "nl"]);
        int n = 0;
        using var w = new StreamWriter(path, append: false, new UTF8Encoding(false));
        for (int i = 0; i < pages.Count; i++)
        {
            var p = pages[i];
            if (groups[i] != group || string.IsNullOrWhiteSpace(p.Reference) || p.ReferenceKind == "snippets") continue;
            if (language.Identify(p.Reference).Lang != "en") continue;
            if (n > 0) w.Write("\n\n");
            w.Write(p.Reference);
            n++;
        }
        return n;
    }

    private static IEnumerable<RealWebPage> LoadBenchSet(string tarPath)
    {
        var html = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var gold = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, (string Url, List<string> With)>? snippets = null;
        string set = Path.GetFileName(tarPath)[..^".tar.gz".Length];
        using (var gz = new GZipStream(File.OpenRead(tarPath), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            TarEntry? entry;
            while ((entry = tar.GetNextEntry()) is not null)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                using var ms = new MemoryStream();
                entry.DataStream.CopyTo(ms);
                string name = entry.Name;
                string file = Path.GetFileName(name);
                if (name.Contains("/pages/", StringComparison.Ordinal) && file.EndsWith(".html", StringComparison.Ordinal))
                    html[file[..^5]] = ms.ToArray();
                else if (name.Contains("/gold/", StringComparison.Ordinal) && file.EndsWith(".txt", StringComparison.Ordinal))
                    gold[file[..^4]] = Tidy(Encoding.UTF8.GetString(ms.ToArray()));
                else if (file == "snippets.json")
                    snippets = ReadSnippets(ms.ToArray(), tarPath);
            }
        }
        foreach (var (id, bytes) in html)
        {
            string? url = null;
            string? reference = null;
            string kind = "none";
            if (gold.TryGetValue(id, out var g) && g.Length > 0) (reference, kind) = (g, "gold");
            if (snippets is not null && snippets.TryGetValue(id, out var s))
            {
                if (s.Url.StartsWith("http://", StringComparison.Ordinal) || s.Url.StartsWith("https://", StringComparison.Ordinal)) url = s.Url;
                if (reference is null && s.With.Count > 0) (reference, kind) = (string.Join("\n", s.With), "snippets");
            }
            yield return FromHtml(set, id, bytes, url, reference, kind);
        }
    }

    private static Dictionary<string, (string, List<string>)> ReadSnippets(byte[] json, string tarPath)
    {
        var result = new Dictionary<string, (string, List<string>)>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(json);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                string url = prop.Value.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "";
                var with = new List<string>();
                if (prop.Value.TryGetProperty("with", out var w) && w.ValueKind == JsonValueKind.Array)
                    foreach (var item in w.EnumerateArray())
                        if (item.ValueKind == JsonValueKind.String) with.Add(item.GetString()!);
                result[prop.Name] = (url, with);
            }
        }
        catch (JsonException e)
        {
            throw new DataPipeException($"{tarPath}: snippets.json: {e.Message}");
        }
        return result;
    }

    /// <summary>The HTML responses of a WARC capture, each with its HTTP response kept byte for byte.</summary>
    private static IEnumerable<RealWebPage> LoadCaptures(string path)
    {
        string set = Path.GetFileName(path)[..^".warc.gz".Length];
        var found = new List<RealWebPage>();
        using var reader = new WarcReader(File.OpenRead(path));
        while (reader.TryRead(out var record))
        {
            if (record.Type != "response") continue;
            var block = record.Block.Span;
            if (!HttpResponseHead.TryParse(block, 65536, out var head, out _) || head.StatusCode != 200 || !MediaType.IsHtml(head.ContentType)) continue;
            string url = record.TargetUri;
            string site = SiteOfUrl(url) ?? $"{set}:{record.FileOffset}";
            found.Add(new RealWebPage(set, record.FileOffset.ToString("D10", CultureInfo.InvariantCulture), url, true, site, block.ToArray(), null, "none"));
        }
        return found;
    }

    private static RealWebPage FromHtml(string set, string id, byte[] html, string? knownUrl, string? reference, string referenceKind)
    {
        string head = Encoding.Latin1.GetString(html, 0, Math.Min(html.Length, 1 << 16));
        string? url = knownUrl ?? CanonicalUrl(head);
        string site = (url is null ? null : SiteOfUrl(url)) ?? MostLinkedSite(Encoding.Latin1.GetString(html)) ?? $"{set}:{id}";
        string target = url ?? $"https://{set}.realweb.invalid/{Uri.EscapeDataString(id)}";
        string? charset = Charset.HtmlCharset.MetaCharset(html);
        string contentType = charset is null ? "text/html" : $"text/html; charset={charset.Trim().ToLowerInvariant()}";
        byte[] response = [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {html.Length}\r\n\r\n"), .. html];
        return new RealWebPage(set, id, target, url is not null, site, response, reference, reference is null ? "none" : referenceKind);
    }

    /// <summary>The page's canonical or og:url link, when it is an absolute http(s) URL.</summary>
    private static string? CanonicalUrl(string head)
    {
        foreach (Match tag in LinkOrMeta().Matches(head))
        {
            string t = tag.Value;
            bool canonical = CanonicalRel().IsMatch(t);
            bool og = OgUrl().IsMatch(t);
            if (!canonical && !og) continue;
            var value = (canonical ? Href() : ContentAttr()).Match(t);
            if (!value.Success) continue;
            string url = System.Net.WebUtility.HtmlDecode(value.Groups[1].Value.Trim());
            if (Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https") && !string.IsNullOrEmpty(u.Host) && !url.Any(char.IsWhiteSpace))
                return url;
        }
        return null;
    }

    /// <summary>The site of the host most linked to from the page (ties: the first in name order).</summary>
    private static string? MostLinkedSite(string html)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in AbsoluteHref().Matches(html))
        {
            string? site = SiteOfHost(m.Groups[1].Value);
            if (site is null) continue;
            counts[site] = counts.GetValueOrDefault(site) + 1;
        }
        return counts.Count == 0 ? null : counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
    }

    /// <summary>The registrable domain of a URL's host (see <see cref="SiteOfHost"/>).</summary>
    public static string? SiteOfUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && !string.IsNullOrEmpty(u.Host) ? SiteOfHost(u.Host) : null;

    /// <summary>
    /// The registrable domain of a host, approximately: its last two labels, or last three when the second-level label
    /// is a short generic one under a two-letter country code (bbc.co.uk, abc.net.au). IP addresses stand for themselves.
    /// </summary>
    public static string? SiteOfHost(string host)
    {
        host = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0 || host.Contains(' ')) return null;
        if (System.Net.IPAddress.TryParse(host, out _)) return host;
        var labels = host.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (labels.Length < 2) return null;
        int keep = 2;
        if (labels.Length >= 3 && labels[^1].Length == 2 && labels[^2].Length <= 3) keep = 3;
        return string.Join('.', labels[^keep..]);
    }

    /// <summary>Line ends normalised, lines trimmed, empty lines dropped.</summary>
    private static string Tidy(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex(@"<(?:link|meta)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex LinkOrMeta();

    [GeneratedRegex(@"\brel\s*=\s*[""']?canonical\b", RegexOptions.IgnoreCase)]
    private static partial Regex CanonicalRel();

    [GeneratedRegex(@"\bproperty\s*=\s*[""']og:url[""']", RegexOptions.IgnoreCase)]
    private static partial Regex OgUrl();

    [GeneratedRegex(@"\bhref\s*=\s*[""']([^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex Href();

    [GeneratedRegex(@"\bcontent\s*=\s*[""']([^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex ContentAttr();

    [GeneratedRegex(@"href\s*=\s*[""']?https?://([A-Za-z0-9.-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex AbsoluteHref();
}
