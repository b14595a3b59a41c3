using System.Globalization;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace DataPipe.Ingest.Extraction;

/// <summary>One page of an extraction test set scored against its reference.</summary>
public sealed record PageExtractionScore(string Page, ExtractionScore Score, double Seconds);

/// <summary>The scores of one extractor over a test set: per page, and the means.</summary>
public sealed record ExtractionReport(string Extractor, IReadOnlyList<PageExtractionScore> Pages)
{
    public double MeanPrecision => Pages.Count == 0 ? 0 : Pages.Average(p => p.Score.Precision);
    public double MeanRecall => Pages.Count == 0 ? 0 : Pages.Average(p => p.Score.Recall);
    public double MeanF1 => Pages.Count == 0 ? 0 : Pages.Average(p => p.Score.F1);
    public double TotalSeconds => Pages.Sum(p => p.Seconds);

    /// <summary>The <paramref name="count"/> lowest-F1 pages, worst first.</summary>
    public IEnumerable<PageExtractionScore> Worst(int count) => Pages.OrderBy(p => p.Score.F1).ThenBy(p => p.Page, StringComparer.Ordinal).Take(count);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Extractor}: {Pages.Count} pages, mean P={MeanPrecision:F4} R={MeanRecall:F4} F1={MeanF1:F4}");
}

/// <summary>
/// Scores a main-text extractor on a folder of test pages laid out as Mozilla Readability's test set
/// (../shared/data/html-extraction/pages/NAME/{source.html, expected.html}): each <c>source.html</c> is extracted and
/// compared with the text of <c>expected.html</c> by <see cref="ExtractionScore"/>. The reference text is read with
/// AngleSharp, a parser we did not write, so a fault of our own parser cannot hide on both sides of the comparison.
/// </summary>
public static class ExtractionEvaluation
{
    public const string SourceFile = "source.html";
    public const string ReferenceFile = "expected.html";

    /// <summary>The test pages under <paramref name="folder"/> (a folder of page folders, or its parent holding <c>pages/</c>), by name.</summary>
    public static IReadOnlyList<string> PageFolders(string folder)
    {
        string pages = Directory.Exists(Path.Combine(folder, "pages")) ? Path.Combine(folder, "pages") : folder;
        if (!Directory.Exists(pages)) throw new DirectoryNotFoundException($"extraction test set not found: {pages}");
        return Directory.EnumerateDirectories(pages)
            .Where(d => File.Exists(Path.Combine(d, SourceFile)) && File.Exists(Path.Combine(d, ReferenceFile)))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The text of a reference HTML fragment: text content with block elements separated by line breaks.</summary>
    public static string ReferenceText(string html)
    {
        var parser = new HtmlParser();
        var doc = parser.ParseDocument(html);
        var sb = new StringBuilder(html.Length / 2);
        if (doc.Body is not null) AppendText(doc.Body, sb);
        return sb.ToString();
    }

    private static readonly HashSet<string> InlineTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark", "q", "s", "samp", "small",
        "span", "strong", "sub", "sup", "time", "u", "var", "del", "ins", "big", "tt", "nobr",
    };

    private static void AppendText(INode root, StringBuilder sb)
    {
        // Iterative walk: reference pages can nest deeply too.
        var stack = new Stack<(INode Node, bool Leaving)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, leaving) = stack.Pop();
            if (node is IText text)
            {
                sb.Append(text.Data);
                continue;
            }
            if (node is not IElement element) continue;
            string tag = element.LocalName;
            if (tag is "script" or "style" or "noscript" or "template") continue;
            bool block = !InlineTags.Contains(tag);
            if (leaving)
            {
                if (block) sb.Append('\n');
                continue;
            }
            if (block) sb.Append('\n');
            stack.Push((node, true));
            for (int i = node.ChildNodes.Length - 1; i >= 0; i--) stack.Push((node.ChildNodes[i], false));
        }
    }

    /// <summary>Runs <paramref name="extractor"/> on every page of the set and scores it.</summary>
    public static ExtractionReport Evaluate(IMainTextExtractor extractor, string folder)
    {
        var scores = new List<PageExtractionScore>();
        foreach (var page in PageFolders(folder))
        {
            string source = File.ReadAllText(Path.Combine(page, SourceFile));
            string reference = ReferenceText(File.ReadAllText(Path.Combine(page, ReferenceFile)));
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            string extracted = extractor.Extract(source);
            double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            scores.Add(new PageExtractionScore(Path.GetFileName(page), ExtractionScore.Compute(extracted, reference), seconds));
        }
        return new ExtractionReport(extractor.Name, scores);
    }
}
