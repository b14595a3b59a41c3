using DataPipe.Core.Documents;
using DataPipe.Core.Options;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Rules;

/// <summary>
/// Thresholds of the Gopher repetition filters: Rae et al. 2021, "Scaling Language Models: Methods, Analysis &amp;
/// Insights from Training Gopher", appendix A.1.1 and table A1. A document is dropped when any measure exceeds its
/// threshold. The defaults are table A1's values.
/// </summary>
public sealed record GopherRepetitionOptions
{
    /// <summary>Greatest fraction of lines that repeat an earlier line (table A1: 0.30).</summary>
    public double MaxDuplicateLineFraction { get; init; } = 0.30;

    /// <summary>Greatest fraction of paragraphs that repeat an earlier paragraph (table A1: 0.30).</summary>
    public double MaxDuplicateParagraphFraction { get; init; } = 0.30;

    /// <summary>Greatest fraction of characters in repeated lines (table A1: 0.20).</summary>
    public double MaxDuplicateLineCharFraction { get; init; } = 0.20;

    /// <summary>Greatest fraction of characters in repeated paragraphs (table A1: 0.20).</summary>
    public double MaxDuplicateParagraphCharFraction { get; init; } = 0.20;

    /// <summary>
    /// Greatest fraction of word characters in the most frequent n-gram, for n = 2, 3, 4 (table A1: 0.20, 0.18, 0.16).
    /// </summary>
    public IReadOnlyList<double> MaxTopNGramCharFraction { get; init; } = [0.20, 0.18, 0.16];

    /// <summary>
    /// Greatest fraction of word characters covered by repeated n-grams, for n = 5..10
    /// (table A1: 0.15, 0.14, 0.13, 0.12, 0.11, 0.10).
    /// </summary>
    public IReadOnlyList<double> MaxDuplicateNGramCharFraction { get; init; } = [0.15, 0.14, 0.13, 0.12, 0.11, 0.10];
}

/// <summary>
/// Gopher's repetition rules: repeated lines and paragraphs (by count and by characters), the share of the most
/// frequent 2-, 3- and 4-gram, and the share of text covered by repeated 5- to 10-grams. Lines are split on '\n',
/// paragraphs on blank lines; blank ones are not counted. A line or paragraph "repeats" when an identical one came
/// earlier, so a text made of one line written twice has a duplicate fraction of 1/2. For the n-gram measures, words
/// are those of <see cref="TextUnits.Words"/> and characters are word characters; an occurrence of an n-gram that
/// occurred before marks its words as covered, each word counted once however many repeated n-grams overlap it.
/// Reasons: <c>duplicate_lines</c>, <c>duplicate_paragraphs</c>, <c>duplicate_line_chars</c>,
/// <c>duplicate_paragraph_chars</c>, <c>top_2gram</c>..<c>top_4gram</c>, <c>duplicate_5gram</c>..<c>duplicate_10gram</c>.
/// </summary>
public sealed class GopherRepetitionRule(GopherRepetitionOptions options) : IDocumentRule
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>YAML <c>rules: { gopher_repetition: ... }</c>; runs after the quality rule (hashes lines and n-grams).</summary>
    public static readonly FilterRuleDefinition<GopherRepetitionOptions> Definition = new("gopher_repetition", 30,
        new OptionSchema<GopherRepetitionOptions>("gopher_repetition rule options")
            .Double("max_duplicate_line_fraction", "Greatest fraction of repeated lines", o => o.MaxDuplicateLineFraction, (o, v) => o with { MaxDuplicateLineFraction = v }, min: 0, max: 1)
            .Double("max_duplicate_paragraph_fraction", "Greatest fraction of repeated paragraphs", o => o.MaxDuplicateParagraphFraction, (o, v) => o with { MaxDuplicateParagraphFraction = v }, min: 0, max: 1)
            .Double("max_duplicate_line_char_fraction", "Greatest fraction of characters in repeated lines", o => o.MaxDuplicateLineCharFraction, (o, v) => o with { MaxDuplicateLineCharFraction = v }, min: 0, max: 1)
            .Double("max_duplicate_paragraph_char_fraction", "Greatest fraction of characters in repeated paragraphs", o => o.MaxDuplicateParagraphCharFraction, (o, v) => o with { MaxDuplicateParagraphCharFraction = v }, min: 0, max: 1)
            .DoubleList("max_top_ngram_char_fraction", "Greatest share of the top 2-, 3-, 4-gram", o => o.MaxTopNGramCharFraction, (o, v) => o with { MaxTopNGramCharFraction = v }, min: 0, max: 1, count: 3)
            .DoubleList("max_duplicate_ngram_char_fraction", "Greatest share of repeated 5- to 10-grams", o => o.MaxDuplicateNGramCharFraction, (o, v) => o with { MaxDuplicateNGramCharFraction = v }, min: 0, max: 1, count: 6),
        o => new GopherRepetitionRule(o));

    public string Name => Definition.Name;

    public GopherRepetitionOptions Options { get; } = options;

    public string? Check(Document doc, Counters counters)
    {
        string text = doc.Text;
        var s = t_scratch ??= new Scratch();

        var (paragraphs, dupParagraphs, dupParagraphChars) = RepeatedBlocks(text, paragraphs: true, s.Seen);
        if (paragraphs > 0 && (double)dupParagraphs / paragraphs > Options.MaxDuplicateParagraphFraction) return "duplicate_paragraphs";
        if (text.Length > 0 && (double)dupParagraphChars / text.Length > Options.MaxDuplicateParagraphCharFraction) return "duplicate_paragraph_chars";
        var (lines, dupLines, dupLineChars) = RepeatedBlocks(text, paragraphs: false, s.Seen);
        if (lines > 0 && (double)dupLines / lines > Options.MaxDuplicateLineFraction) return "duplicate_lines";
        if (text.Length > 0 && (double)dupLineChars / text.Length > Options.MaxDuplicateLineCharFraction) return "duplicate_line_chars";

        TextUnits.Words(text, s.Words);
        int n = s.Words.Count;
        if (n == 0) return null;
        s.WordHashes.Clear();
        long totalChars = 0;
        foreach (var w in s.Words)
        {
            s.WordHashes.Add(TextUnits.Hash(text.AsSpan(w.Start, w.Length)));
            totalChars += w.Length;
        }

        for (int k = 0; k < Options.MaxTopNGramCharFraction.Count; k++)
        {
            int size = 2 + k;
            if (n < size) break;
            if ((double)TopNGramChars(s, size) / totalChars > Options.MaxTopNGramCharFraction[k]) return $"top_{size}gram";
        }
        for (int k = 0; k < Options.MaxDuplicateNGramCharFraction.Count; k++)
        {
            int size = 5 + k;
            if (n < size) break;
            if ((double)DuplicateNGramChars(s, size) / totalChars > Options.MaxDuplicateNGramCharFraction[k]) return $"duplicate_{size}gram";
        }
        return null;
    }

    /// <summary>Counts non-blank lines (or paragraphs), those that repeat an earlier one, and the characters of the repeats.</summary>
    private static (int Count, int Repeated, long RepeatedChars) RepeatedBlocks(string text, bool paragraphs, HashSet<ulong> seen)
    {
        seen.Clear();
        int count = 0, repeated = 0;
        long repeatedChars = 0;
        var rest = text.AsSpan();
        while (true)
        {
            int cut;
            int sepLength;
            if (paragraphs)
            {
                cut = IndexOfBlankLine(rest, out sepLength);
            }
            else
            {
                cut = rest.IndexOf('\n');
                sepLength = 1;
            }
            var block = (cut < 0 ? rest : rest[..cut]).Trim();
            if (!block.IsEmpty)
            {
                count++;
                if (!seen.Add(TextUnits.Hash(block)))
                {
                    repeated++;
                    repeatedChars += block.Length;
                }
            }
            if (cut < 0) break;
            rest = rest[(cut + sepLength)..];
        }
        return (count, repeated, repeatedChars);
    }

    /// <summary>Index of the next "\n" + optional whitespace + "\n", and the separator's length; -1 when none.</summary>
    private static int IndexOfBlankLine(ReadOnlySpan<char> s, out int length)
    {
        int from = 0;
        while (true)
        {
            int nl = s[from..].IndexOf('\n');
            if (nl < 0)
            {
                length = 0;
                return -1;
            }
            nl += from;
            int j = nl + 1;
            while (j < s.Length && s[j] != '\n' && char.IsWhiteSpace(s[j])) j++;
            if (j < s.Length && s[j] == '\n')
            {
                length = j + 1 - nl;
                return nl;
            }
            from = nl + 1;
        }
    }

    /// <summary>Word characters of the most frequent n-gram times its count.</summary>
    private static long TopNGramChars(Scratch s, int size)
    {
        s.Counts.Clear();
        int bestCount = 0;
        long bestChars = 0;
        for (int i = 0; i + size <= s.Words.Count; i++)
        {
            ulong h = NGramHash(s, i, size);
            int c = s.Counts.TryGetValue(h, out int prev) ? prev + 1 : 1;
            s.Counts[h] = c;
            if (c < bestCount) continue;
            long chars = 0;
            for (int j = i; j < i + size; j++) chars += s.Words[j].Length;
            // The most frequent n-gram; among equally frequent ones, the longest.
            if (c > bestCount || chars > bestChars)
            {
                bestCount = c;
                bestChars = chars;
            }
        }
        return bestChars * bestCount;
    }

    /// <summary>Characters of words covered by an n-gram occurrence that repeats an earlier occurrence.</summary>
    private static long DuplicateNGramChars(Scratch s, int size)
    {
        s.Seen.Clear();
        var covered = s.Covered;
        covered.Clear();
        covered.AddRange(Enumerable.Repeat(false, s.Words.Count));
        long chars = 0;
        for (int i = 0; i + size <= s.Words.Count; i++)
        {
            if (s.Seen.Add(NGramHash(s, i, size))) continue;
            for (int j = i; j < i + size; j++)
            {
                if (covered[j]) continue;
                covered[j] = true;
                chars += s.Words[j].Length;
            }
        }
        return chars;
    }

    private static ulong NGramHash(Scratch s, int start, int size)
    {
        ulong h = (ulong)size;
        for (int j = start; j < start + size; j++) h = TextUnits.Combine(h, s.WordHashes[j]);
        return h;
    }

    private sealed class Scratch
    {
        public readonly List<WordSpan> Words = new(1024);
        public readonly List<ulong> WordHashes = new(1024);
        public readonly HashSet<ulong> Seen = [];
        public readonly Dictionary<ulong, int> Counts = [];
        public readonly List<bool> Covered = new(1024);
    }
}
