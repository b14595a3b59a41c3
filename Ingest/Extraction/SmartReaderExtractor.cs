using System.Text;
using SmartReader;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// Main text through SmartReader, a C# port of Mozilla's Readability (the algorithm behind Firefox Reader View):
/// candidate blocks scored by text and link density and class/id names, then cleaned. It parses with AngleSharp, so it
/// is several times slower than the density extractor; it is kept as the reference point the density extractor is
/// measured against. Each non-empty line of its text output becomes a paragraph (blank line between).
/// </summary>
public sealed class SmartReaderExtractor : IMainTextExtractor
{
    /// <summary>Elements parsed at most; more makes SmartReader give up on the page (bounded work on hostile pages).</summary>
    public const int MaxElements = 100_000;

    public string Name => "smartreader";

    public string Extract(string html, string? url = null)
    {
        if (string.IsNullOrWhiteSpace(html)) return "";
        // AngleSharp's tree builder does work proportional to the open-element depth for each tag, so a page of
        // 1,000,000 nested tags ran for minutes (found by the hostile tests in tests/fuzz). A page nested deeper than the
        // lite parser's cap is not an article; the linear lite parse finds that first and the page gets no text here.
        if (LiteHtmlParser.Parse(html).TagsBeyondMaxDepth > 0) return "";
        string uri = url is not null && Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https") ? url : "https://localhost/";
        Article article;
        try
        {
            var reader = new Reader(uri, html) { MaxElemsToParse = MaxElements, Debug = false };
            article = reader.GetArticle();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // SmartReader throws on some malformed pages; such a page has no main text for us.
            return "";
        }
        if (!article.Completed || string.IsNullOrWhiteSpace(article.TextContent)) return "";
        return Paragraphs(article.TextContent);
    }

    /// <summary>Trims every line, drops empty ones and separates the rest by blank lines.</summary>
    internal static string Paragraphs(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.AsSpan().Trim();
            if (line.IsEmpty) continue;
            if (sb.Length > 0) sb.Append("\n\n");
            // Collapse runs of spaces and tabs inside the line.
            bool space = false;
            foreach (char c in line)
            {
                if (c is ' ' or '\t' or '\u00A0' or '\r')
                {
                    space = true;
                    continue;
                }
                if (space) sb.Append(' ');
                space = false;
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
