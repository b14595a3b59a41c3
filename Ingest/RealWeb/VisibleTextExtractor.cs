using DataPipe.Ingest.Extraction;

namespace DataPipe.Ingest.RealWeb;

/// <summary>
/// All visible text of a page, as a Common Crawl WET file gives it: every text node of the body outside scripts and
/// styles, block elements on lines of their own, navigation, menus, footers and comments included. Not a main-text
/// extractor in the usual sense: it is the "no extraction" baseline (the raw crawl text GPT-3's classifier learned
/// its negatives from, and the first arm of the curation ablation). Parsed with AngleSharp, as the reference texts are.
/// </summary>
public sealed class VisibleTextExtractor : IMainTextExtractor
{
    public const string ExtractorName = "visible";

    public string Name => ExtractorName;

    public string Extract(string html, string? url = null)
    {
        string text = ExtractionEvaluation.ReferenceText(html);
        return string.Join('\n', text.Split('\n').Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))).Where(l => l.Length > 0));
    }
}
