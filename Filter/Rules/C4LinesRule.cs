using System.Text;
using DataPipe.Core.Documents;
using DataPipe.Core.Options;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Rules;

/// <summary>
/// Options of the C4 cleaning rules: Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
/// Text-to-Text Transformer" (T5), section 2.2, with the line and sentence minimums and the policy phrases of its
/// reference implementation (TensorFlow Datasets, c4_utils: minimum 5 words per line, 3 sentences per page).
/// </summary>
public sealed record C4LinesOptions
{
    /// <summary>Keep only lines that end in terminal punctuation (period, exclamation mark, question mark, end quote).</summary>
    public bool RequireTerminalPunctuation { get; init; } = true;

    /// <summary>Fewest words a kept line must have (C4: 5).</summary>
    public int MinWordsPerLine { get; init; } = 5;

    /// <summary>Remove lines that mention Javascript (C4: warnings that Javascript should be enabled).</summary>
    public bool RemoveJavascriptLines { get; init; } = true;

    /// <summary>Drop the page when a kept line contains "lorem ipsum" (C4: placeholder text).</summary>
    public bool DropLoremIpsum { get; init; } = true;

    /// <summary>Drop the page when a kept line contains a curly bracket (C4: code, rare in natural text).</summary>
    public bool DropCurlyBracket { get; init; } = true;

    /// <summary>Lines containing any of these (case-insensitive) are removed (C4's boilerplate policy notices).</summary>
    public IReadOnlyList<string> PolicyPhrases { get; init; } =
        ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"];

    /// <summary>Fewest sentences the cleaned page must have (C4: 3).</summary>
    public int MinSentences { get; init; } = 3;
}

/// <summary>
/// C4's line-level cleaning and page-level drops. Each line is judged in C4's order: no terminal punctuation, too few
/// words, "lorem ipsum" (drops the page), "javascript", a curly bracket (drops the page), a policy phrase. Removed
/// lines are counted as <c>c4_lines.removed_lines.{reason}</c>; the kept lines become the document's text, with its
/// blank-line paragraph breaks kept. Pages reasons: <c>lorem_ipsum</c>, <c>curly_bracket</c>, <c>too_few_sentences</c>.
/// Not included: C4's bad-words list (no list ships with DataPipe) and its three-sentence span dedup (Dedup's job).
/// </summary>
public sealed class C4LinesRule(C4LinesOptions options) : IDocumentRule
{
    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>YAML <c>rules: { c4_lines: ... }</c>; runs last, since it rewrites the text.</summary>
    public static readonly FilterRuleDefinition<C4LinesOptions> Definition = new("c4_lines", 40,
        new OptionSchema<C4LinesOptions>("c4_lines rule options")
            .Bool("require_terminal_punctuation", "Keep only lines ending in terminal punctuation", o => o.RequireTerminalPunctuation, (o, v) => o with { RequireTerminalPunctuation = v })
            .Int("min_words_per_line", "Fewest words a kept line has", o => o.MinWordsPerLine, (o, v) => o with { MinWordsPerLine = v }, min: 0)
            .Bool("remove_javascript_lines", "Remove lines mentioning Javascript", o => o.RemoveJavascriptLines, (o, v) => o with { RemoveJavascriptLines = v })
            .Bool("drop_lorem_ipsum", "Drop pages with lorem ipsum", o => o.DropLoremIpsum, (o, v) => o with { DropLoremIpsum = v })
            .Bool("drop_curly_bracket", "Drop pages with a curly bracket", o => o.DropCurlyBracket, (o, v) => o with { DropCurlyBracket = v })
            .StringList("policy_phrases", "Lines containing these are removed", o => o.PolicyPhrases, (o, v) => o with { PolicyPhrases = v })
            .Int("min_sentences", "Fewest sentences of the cleaned page", o => o.MinSentences, (o, v) => o with { MinSentences = v }, min: 0),
        o => new C4LinesRule(o));

    public string Name => Definition.Name;

    public C4LinesOptions Options { get; } = options;

    public string? Check(Document doc, Counters counters)
    {
        var sb = t_builder ??= new StringBuilder(4096);
        sb.Clear();
        bool pendingBreak = false;
        int kept = 0, removed = 0;
        foreach (var raw in doc.Text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                pendingBreak = sb.Length > 0;
                continue;
            }
            string? reason = LineReason(line);
            if (reason is "lorem_ipsum" or "curly_bracket") return reason;
            if (reason is not null)
            {
                counters.Increment($"c4_lines.removed_lines.{reason}");
                removed++;
                continue;
            }
            if (sb.Length > 0) sb.Append(pendingBreak ? "\n\n" : "\n");
            pendingBreak = false;
            sb.Append(line);
            kept++;
        }
        if (CountSentences(sb) < Options.MinSentences) return "too_few_sentences";
        if (removed > 0 || kept > 0) doc.Text = sb.ToString();
        return null;
    }

    private string? LineReason(ReadOnlySpan<char> line)
    {
        if (Options.RequireTerminalPunctuation && !EndsWithTerminalPunctuation(line)) return "no_terminal_punctuation";
        if (TextUnits.CountWords(line) < Options.MinWordsPerLine) return "too_few_words";
        if (Options.DropLoremIpsum && line.Contains("lorem ipsum", StringComparison.OrdinalIgnoreCase)) return "lorem_ipsum";
        if (Options.RemoveJavascriptLines && line.Contains("javascript", StringComparison.OrdinalIgnoreCase)) return "javascript";
        if (Options.DropCurlyBracket && line.Contains('{')) return "curly_bracket";
        foreach (var phrase in Options.PolicyPhrases)
        {
            if (line.Contains(phrase, StringComparison.OrdinalIgnoreCase)) return "policy";
        }
        return null;
    }

    private static bool EndsWithTerminalPunctuation(ReadOnlySpan<char> line)
        => line[^1] is '.' or '!' or '?' or '"' or '”' or '’' or '\'';

    /// <summary>
    /// Sentences in the cleaned text, approximated as terminal punctuation ('.', '!', '?') followed by whitespace, a
    /// closing quote or the end of the text, counting a run of such marks ("?!", "...") once.
    /// </summary>
    private static int CountSentences(StringBuilder sb)
    {
        int n = 0;
        for (int i = 0; i < sb.Length; i++)
        {
            if (sb[i] is not ('.' or '!' or '?')) continue;
            int j = i + 1;
            while (j < sb.Length && sb[j] is '.' or '!' or '?') j++;
            if (j == sb.Length || char.IsWhiteSpace(sb[j]) || sb[j] is '"' or '”' or '’' or '\'') n++;
            i = j - 1;
        }
        return n;
    }
}
