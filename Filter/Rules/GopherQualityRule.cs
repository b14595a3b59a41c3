using System.Buffers;
using DataPipe.Core.Documents;
using DataPipe.Core.Options;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Rules;

/// <summary>
/// Thresholds of the Gopher quality filters: Rae et al. 2021, "Scaling Language Models: Methods, Analysis &amp; Insights
/// from Training Gopher", appendix A.1.1 (MassiveWeb quality filtering). The defaults are the paper's values.
/// </summary>
public sealed record GopherQualityOptions
{
    /// <summary>Fewest words a document may have (paper: 50).</summary>
    public int MinWords { get; init; } = 50;

    /// <summary>Most words a document may have (paper: 100,000).</summary>
    public int MaxWords { get; init; } = 100_000;

    /// <summary>Least mean word length in characters (paper: 3).</summary>
    public double MinMeanWordLength { get; init; } = 3;

    /// <summary>Greatest mean word length in characters (paper: 10).</summary>
    public double MaxMeanWordLength { get; init; } = 10;

    /// <summary>Greatest ratio of '#' symbols to words (paper: 0.1).</summary>
    public double MaxHashToWordRatio { get; init; } = 0.1;

    /// <summary>Greatest ratio of ellipses ("..." or "…") to words (paper: 0.1).</summary>
    public double MaxEllipsisToWordRatio { get; init; } = 0.1;

    /// <summary>Greatest fraction of lines that start with a bullet point (paper: 90%).</summary>
    public double MaxBulletLineFraction { get; init; } = 0.9;

    /// <summary>Greatest fraction of lines that end with an ellipsis (paper: 30%).</summary>
    public double MaxEllipsisLineFraction { get; init; } = 0.3;

    /// <summary>Least fraction of words that contain an alphabetic character (paper: 80%).</summary>
    public double MinAlphabeticWordFraction { get; init; } = 0.8;

    /// <summary>The paper's English stop words; a document must contain at least <see cref="MinStopWords"/> different ones.</summary>
    public IReadOnlyList<string> StopWords { get; init; } = ["the", "be", "to", "of", "and", "that", "have", "with"];

    /// <summary>Least number of different stop words (paper: 2).</summary>
    public int MinStopWords { get; init; } = 2;
}

/// <summary>
/// Gopher's document quality rules: word count, mean word length, symbol-to-word ratios ('#', ellipsis), bullet and
/// ellipsis line fractions, alphabetic word fraction and stop words. Words are whitespace tokens without their
/// surrounding punctuation (<see cref="TextUnits.Words"/>). Reasons: <c>word_count</c>, <c>mean_word_length</c>,
/// <c>hash_ratio</c>, <c>ellipsis_ratio</c>, <c>bullet_lines</c>, <c>ellipsis_lines</c>, <c>alphabetic_words</c>,
/// <c>stop_words</c>, checked in that order (the first failing one is counted).
/// </summary>
public sealed class GopherQualityRule(GopherQualityOptions options) : IDocumentRule
{
    private static readonly SearchValues<char> Bullets = SearchValues.Create("•●○◦▪▫■□‣⁃∙·-*–—➢►✓✔");
    private readonly Dictionary<string, int> _stopWords = options.StopWords.Distinct(StringComparer.OrdinalIgnoreCase)
        .Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.OrdinalIgnoreCase);

    [ThreadStatic]
    private static List<WordSpan>? t_words;

    /// <summary>YAML <c>rules: { gopher_quality: ... }</c>; runs after the language rule (one pass over the words).</summary>
    public static readonly FilterRuleDefinition<GopherQualityOptions> Definition = new("gopher_quality", 20,
        new OptionSchema<GopherQualityOptions>("gopher_quality rule options")
            .Int("min_words", "Fewest words", o => o.MinWords, (o, v) => o with { MinWords = v }, min: 0)
            .Int("max_words", "Most words", o => o.MaxWords, (o, v) => o with { MaxWords = v }, min: 1)
            .Double("min_mean_word_length", "Least mean word length", o => o.MinMeanWordLength, (o, v) => o with { MinMeanWordLength = v }, min: 0, max: 1000)
            .Double("max_mean_word_length", "Greatest mean word length", o => o.MaxMeanWordLength, (o, v) => o with { MaxMeanWordLength = v }, min: 0, max: 1000)
            .Double("max_hash_to_word_ratio", "Greatest '#' to word ratio", o => o.MaxHashToWordRatio, (o, v) => o with { MaxHashToWordRatio = v }, min: 0, max: 1)
            .Double("max_ellipsis_to_word_ratio", "Greatest ellipsis to word ratio", o => o.MaxEllipsisToWordRatio, (o, v) => o with { MaxEllipsisToWordRatio = v }, min: 0, max: 1)
            .Double("max_bullet_line_fraction", "Greatest fraction of bullet lines", o => o.MaxBulletLineFraction, (o, v) => o with { MaxBulletLineFraction = v }, min: 0, max: 1)
            .Double("max_ellipsis_line_fraction", "Greatest fraction of lines ending in an ellipsis", o => o.MaxEllipsisLineFraction, (o, v) => o with { MaxEllipsisLineFraction = v }, min: 0, max: 1)
            .Double("min_alphabetic_word_fraction", "Least fraction of words with a letter", o => o.MinAlphabeticWordFraction, (o, v) => o with { MinAlphabeticWordFraction = v }, min: 0, max: 1)
            .StringList("stop_words", "Stop words", o => o.StopWords, (o, v) => o with { StopWords = v })
            .Int("min_stop_words", "Least number of different stop words", o => o.MinStopWords, (o, v) => o with { MinStopWords = v }, min: 0),
        o => new GopherQualityRule(o))
    {
        Validate = o => o.MinWords > o.MaxWords ? $"min_words ({o.MinWords}) is above max_words ({o.MaxWords})"
            : o.MinMeanWordLength > o.MaxMeanWordLength ? $"min_mean_word_length ({o.MinMeanWordLength}) is above max_mean_word_length ({o.MaxMeanWordLength})"
            : null,
    };

    public string Name => Definition.Name;

    public GopherQualityOptions Options { get; } = options;

    public string? Check(Document doc, Counters counters)
    {
        string text = doc.Text;
        var words = t_words ??= new List<WordSpan>(1024);
        TextUnits.Words(text, words);
        int n = words.Count;
        if (n < Options.MinWords || n > Options.MaxWords) return "word_count";

        long chars = 0;
        int alphabetic = 0;
        Span<bool> seenStop = _stopWords.Count <= 64 ? stackalloc bool[_stopWords.Count] : new bool[_stopWords.Count];
        int stopSeen = 0;
        var lookup = _stopWords.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var w in words)
        {
            var span = text.AsSpan(w.Start, w.Length);
            chars += w.Length;
            foreach (char c in span)
            {
                if (char.IsLetter(c))
                {
                    alphabetic++;
                    break;
                }
            }
            if (stopSeen < Options.MinStopWords && lookup.TryGetValue(span, out int k))
            {
                if (!seenStop[k])
                {
                    seenStop[k] = true;
                    stopSeen++;
                }
            }
        }
        double meanLength = (double)chars / n;
        if (meanLength < Options.MinMeanWordLength || meanLength > Options.MaxMeanWordLength) return "mean_word_length";

        int hashes = text.AsSpan().Count('#');
        if ((double)hashes / n > Options.MaxHashToWordRatio) return "hash_ratio";
        int ellipses = text.AsSpan().Count("...") + text.AsSpan().Count('…');
        if ((double)ellipses / n > Options.MaxEllipsisToWordRatio) return "ellipsis_ratio";

        int lines = 0, bulletLines = 0, ellipsisLines = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty) continue;
            lines++;
            if (Bullets.Contains(line[0])) bulletLines++;
            if (line.EndsWith("...", StringComparison.Ordinal) || line.EndsWith('…')) ellipsisLines++;
        }
        if (lines > 0 && (double)bulletLines / lines > Options.MaxBulletLineFraction) return "bullet_lines";
        if (lines > 0 && (double)ellipsisLines / lines > Options.MaxEllipsisLineFraction) return "ellipsis_lines";

        if ((double)alphabetic / n < Options.MinAlphabeticWordFraction) return "alphabetic_words";
        if (stopSeen < Options.MinStopWords) return "stop_words";
        return null;
    }
}
