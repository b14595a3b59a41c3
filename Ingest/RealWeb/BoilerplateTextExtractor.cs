using DataPipe.Ingest.Extraction;

namespace DataPipe.Ingest.RealWeb;

/// <summary>
/// The boilerplate of a page: its visible lines (<see cref="VisibleTextExtractor"/>, as a WET file gives them) that are
/// not part of its main text (<see cref="DensityExtractor"/>, the ingest's default extractor). Menus, footers, link
/// lists, cookie notices, bylines and comment widgets, without the article. Not a main-text extractor: it is a
/// negative sample for the quality classifier. GPT-3's negatives were whole raw pages (Brown et al. 2020, appendix A),
/// which carry the article's prose too, so a classifier trained on them learns to tell one site's topic from another
/// rather than prose from page furniture; this sample is only the furniture. Computed from the extractors alone: no
/// reference text is involved.
/// <para>
/// A visible line is main text when, whitespace-normalised, it equals one of the main text's lines, or when it is at
/// least <see cref="MinContainedChars"/> characters long and occurs inside the (flattened) main text.
/// </para>
/// </summary>
public sealed class BoilerplateTextExtractor : IMainTextExtractor
{
    public const string ExtractorName = "boilerplate";

    /// <summary>Shorter lines are matched whole only (a short line such as "Home" occurs inside most articles).</summary>
    public const int MinContainedChars = 40;

    private readonly VisibleTextExtractor _visible = new();
    private readonly IMainTextExtractor _main;

    public BoilerplateTextExtractor(IMainTextExtractor? main = null) => _main = main ?? new DensityExtractor();

    public string Name => ExtractorName;

    public string Extract(string html, string? url = null) => Subtract(_visible.Extract(html, url), _main.Extract(html, url));

    /// <summary>The lines of <paramref name="visible"/> that are not part of <paramref name="main"/>, one per line.</summary>
    public static string Subtract(string visible, string main)
    {
        var mainLines = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in main.Split('\n'))
        {
            string n = Normalise(line);
            if (n.Length > 0) mainLines.Add(n);
        }
        string flat = Normalise(main);
        var kept = new List<string>();
        foreach (var line in visible.Split('\n'))
        {
            string n = Normalise(line);
            if (n.Length == 0 || mainLines.Contains(n)) continue;
            if (n.Length >= MinContainedChars && flat.Contains(n, StringComparison.Ordinal)) continue;
            kept.Add(n);
        }
        return string.Join('\n', kept);
    }

    private static string Normalise(string line) => string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
