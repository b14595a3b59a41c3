using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataPipe.Ingest.Charset;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// One page of an extraction test set: its HTML (decoded from the raw bytes as ingest decodes a page: BOM, meta
/// charset, UTF-8 if valid, else windows-1252) and its reference, either a gold text (<see cref="ReferenceText"/>) or
/// trafilatura's snippets (<see cref="With"/>: text that must be in the main text; <see cref="Without"/>: text that
/// must not).
/// </summary>
public sealed record ExtractionPage(string Set, string Id, string Html, string? ReferenceText, IReadOnlyList<string>? With, IReadOnlyList<string>? Without)
{
    public bool IsSnippetScored => With is not null;

    /// <summary>
    /// Whether an empty output loses real text, the line of the empty-output count: a gold text of at least 50 words;
    /// on a snippet page (whose snippets are a few sentences, not the whole text) at least one <c>with</c> snippet.
    /// </summary>
    public bool HasSubstantialReference => IsSnippetScored ? With!.Count > 0 : ExtractionScore.Tokens(ReferenceText ?? "").Take(50).Count() >= 50;
}

/// <summary>
/// The extraction test sets of ../shared/data (layout in ../shared/data/SOURCES.md): the three
/// <c>extraction-bench/*.tar.gz</c> archives (cleaneval and dragnet with gold text, trafilatura with snippets), read
/// straight from the archive, and Mozilla Readability's <c>html-extraction</c> pages (expected.html is the reference).
/// </summary>
public static class ExtractionSets
{
    public static readonly string[] Names = ["cleaneval", "dragnet", "trafilatura", "html-extraction"];

    /// <summary>
    /// The pages of set <paramref name="name"/> under <paramref name="sharedData"/> (the ../shared/data folder), in id
    /// order; with <paramref name="maxPages"/>, an evenly spaced sample of that many (the same sample every run).
    /// </summary>
    public static List<ExtractionPage> Load(string sharedData, string name, int maxPages = int.MaxValue) => name switch
    {
        "html-extraction" => LoadReadability(Path.Combine(sharedData, "html-extraction"), maxPages),
        "cleaneval" or "dragnet" or "trafilatura" => LoadArchive(Path.Combine(sharedData, "extraction-bench", name + ".tar.gz"), name, maxPages),
        _ => throw new ArgumentException($"unknown extraction set '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>Which of <paramref name="count"/> sorted items a sample of <paramref name="max"/> keeps: evenly spaced.</summary>
    public static bool[] Sample(int count, int max)
    {
        var keep = new bool[count];
        if (max >= count)
        {
            Array.Fill(keep, true);
            return keep;
        }
        for (int k = 0; k < max; k++) keep[(int)((long)k * count / max)] = true;
        return keep;
    }

    private static List<ExtractionPage> LoadReadability(string folder, int maxPages)
    {
        var folders = ExtractionEvaluation.PageFolders(folder);
        var keep = Sample(folders.Count, maxPages);
        var pages = new List<ExtractionPage>();
        for (int i = 0; i < folders.Count; i++)
        {
            if (!keep[i]) continue;
            string source = File.ReadAllText(Path.Combine(folders[i], ExtractionEvaluation.SourceFile));
            string reference = ExtractionEvaluation.ReferenceText(File.ReadAllText(Path.Combine(folders[i], ExtractionEvaluation.ReferenceFile)));
            pages.Add(new ExtractionPage("html-extraction", Path.GetFileName(folders[i]), source, reference, null, null));
        }
        return pages;
    }

    private static List<ExtractionPage> LoadArchive(string path, string set, int maxPages)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"extraction set not found: {path}", path);
        var html = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var gold = new Dictionary<string, string>(StringComparer.Ordinal);
        byte[]? snippets = null;
        using (var file = File.OpenRead(path))
        using (var gz = new GZipStream(file, CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                string name = entry.Name;
                using var ms = new MemoryStream();
                entry.DataStream.CopyTo(ms);
                string stem = Path.GetFileNameWithoutExtension(name);
                if (name.Contains("/pages/", StringComparison.Ordinal) && name.EndsWith(".html", StringComparison.Ordinal)) html[stem] = ms.ToArray();
                else if (name.Contains("/gold/", StringComparison.Ordinal) && name.EndsWith(".txt", StringComparison.Ordinal))
                    gold[stem] = GoldText.ArticleOnly(GoldText.Decode(ms.ToArray()));
                else if (name.EndsWith("snippets.json", StringComparison.Ordinal)) snippets = ms.ToArray();
            }
        }

        Dictionary<string, (List<string> With, List<string> Without)>? snippetMap = null;
        if (snippets is not null)
        {
            snippetMap = new(StringComparer.Ordinal);
            using var json = JsonDocument.Parse(snippets);
            foreach (var page in json.RootElement.EnumerateObject())
            {
                var with = page.Value.TryGetProperty("with", out var w) ? w.EnumerateArray().Select(e => e.GetString() ?? "").Where(s => s.Length > 0).ToList() : [];
                var without = page.Value.TryGetProperty("without", out var wo) ? wo.EnumerateArray().Select(e => e.GetString() ?? "").Where(s => s.Length > 0).ToList() : [];
                snippetMap[page.Name] = (with, without);
            }
        }

        var ids = html.Keys.Where(id => snippetMap is not null ? snippetMap.ContainsKey(id) : gold.ContainsKey(id))
            .OrderBy(id => id, StringComparer.Ordinal).ToList();
        var keep = Sample(ids.Count, maxPages);
        var pages = new List<ExtractionPage>(Math.Min(ids.Count, maxPages));
        for (int i = 0; i < ids.Count; i++)
        {
            if (!keep[i]) continue;
            string id = ids[i];
            string decoded = HtmlCharset.Decode(html[id], null);
            if (snippetMap is not null)
            {
                var (with, without) = snippetMap[id];
                pages.Add(new ExtractionPage(set, id, decoded, null, with, without));
            }
            else pages.Add(new ExtractionPage(set, id, decoded, gold[id], null, null));
        }
        return pages;
    }
}

/// <summary>
/// Decodes a gold text file: UTF-8, unless the bytes are UTF-16. UTF-16 is recognised by its NUL bytes (text that
/// is mostly Latin has a zero high byte in every other byte; UTF-8 text has no NULs at all), whatever comes before:
/// a byte-order mark, or a mark that an earlier UTF-8 conversion turned into replacement characters (EF BF BD, one
/// per byte of the mark, so the UTF-16 text after them keeps its alignment). Little-endian text is read so that it
/// survives a byte-level newline conversion that deleted the 0x0D byte of each CR (0D 00): every deletion shifts the
/// pairs by one byte, which shows as a NUL where a character's low byte should be; the reader skips that byte.
/// </summary>
public static class GoldText
{
    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD];

    /// <summary>
    /// Dragnet's gold files hold the article, then a line of the symbols <c>!@#$%^&amp;*()</c> followed by
    /// <c>COMMENTS</c>, then the readers' comment thread. Dragnet's own reader splits there and scores the article
    /// alone; the hand-typed separator line comes in variants (a symbol missing, doubled or replaced by a space), so
    /// any line of at least three of those symbols and spaces before <c>COMMENTS</c> counts.
    /// </summary>
    private static readonly System.Text.RegularExpressions.Regex CommentThreadSeparator =
        new(@"^[!@#$%^&*() ]{3,}COMMENTS[ \t\r]*$", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The gold text before a comment-thread separator line (the whole text when it has none).</summary>
    public static string ArticleOnly(string gold)
    {
        var match = CommentThreadSeparator.Match(gold);
        return match.Success ? gold[..match.Index].TrimEnd() : gold;
    }

    public static string Decode(byte[] bytes)
    {
        int start = 0;
        if (bytes.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF])) start = 3;
        else if (bytes.AsSpan().StartsWith((byte[])[0xFF, 0xFE]) || bytes.AsSpan().StartsWith((byte[])[0xFE, 0xFF])) start = 2;
        else
            while (bytes.AsSpan(start).StartsWith(Replacement)) start += Replacement.Length;
        var body = bytes.AsSpan(start);
        int sample = Math.Min(body.Length, 4096);
        int nul = body[..sample].Count((byte)0);
        if (sample < 2 || nul * 4 < sample) return new UTF8Encoding(false, false).GetString(bytes, start, bytes.Length - start);
        if (bytes.AsSpan().StartsWith((byte[])[0xFE, 0xFF]) || (body[0] == 0 && body[1] != 0))
            return Encoding.BigEndianUnicode.GetString(body[..(body.Length & ~1)]);
        return LittleEndianResynchronising(body);
    }

    private static string LittleEndianResynchronising(ReadOnlySpan<byte> body)
    {
        var sb = new StringBuilder(body.Length / 2);
        int i = 0;
        while (i + 1 < body.Length)
        {
            // A NUL where the low byte belongs: a byte was deleted before it; step over the NUL to realign.
            if (body[i] == 0)
            {
                i++;
                continue;
            }
            sb.Append((char)(body[i] | body[i + 1] << 8));
            i += 2;
        }
        return sb.ToString();
    }
}

/// <summary>
/// What one extracted text scores against one page's reference, in counts that add up over a set (micro averages):
/// token bags (<see cref="ExtractionScore"/>'s words) for gold text; for snippets, trafilatura's protocol: after
/// whitespace is collapsed on both sides, a <c>with</c> snippet found in the text is a true positive and one missing a
/// false negative, a <c>without</c> snippet found is a false positive.
/// </summary>
public readonly record struct PageCounts(long TruePositives, long FalsePositives, long FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? (FalseNegatives == 0 ? 1 : 0) : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public static PageCounts operator +(PageCounts a, PageCounts b) =>
        new(a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.FalseNegatives + b.FalseNegatives);

    public static PageCounts Score(ExtractionPage page, string extracted)
    {
        if (page.IsSnippetScored)
        {
            string text = CollapseWhitespace(extracted);
            long tp = 0, fn = 0, fp = 0;
            foreach (var s in page.With!)
                if (text.Contains(CollapseWhitespace(s), StringComparison.Ordinal)) tp++; else fn++;
            foreach (var s in page.Without!)
                if (text.Contains(CollapseWhitespace(s), StringComparison.Ordinal)) fp++;
            return new PageCounts(tp, fp, fn);
        }
        var score = ExtractionScore.Compute(extracted, page.ReferenceText ?? "");
        long overlap = (long)Math.Round(score.Precision * score.ExtractedTokens);
        if (score.ExtractedTokens == 0) overlap = 0;
        return new PageCounts(overlap, score.ExtractedTokens - overlap, score.ReferenceTokens - overlap);
    }

    /// <summary>Runs of whitespace become one space; leading and trailing whitespace go.</summary>
    public static string CollapseWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }
}
