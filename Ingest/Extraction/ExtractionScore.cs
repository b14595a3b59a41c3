using System.Globalization;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// Token-level agreement between an extracted text and a reference text, as main-content extraction is usually
/// scored (CleanEval; the ScrapingHub article-extraction benchmark): both texts are split into lower-case words (runs
/// of letters and digits), and the multisets are compared. Precision is the share of extracted words that are in the
/// reference, recall the share of reference words that were extracted, F1 their harmonic mean. Two empty texts agree
/// fully; an empty extraction of a non-empty reference scores 0.
/// </summary>
public readonly record struct ExtractionScore(double Precision, double Recall, double F1, int ExtractedTokens, int ReferenceTokens)
{
    public static ExtractionScore Compute(string extracted, string reference)
    {
        var got = Count(extracted, out int gotTotal);
        var want = Count(reference, out int wantTotal);
        if (gotTotal == 0 && wantTotal == 0) return new ExtractionScore(1, 1, 1, 0, 0);
        long overlap = 0;
        foreach (var (token, n) in got)
            if (want.TryGetValue(token, out int m)) overlap += Math.Min(n, m);
        double p = gotTotal == 0 ? 0 : (double)overlap / gotTotal;
        double r = wantTotal == 0 ? 0 : (double)overlap / wantTotal;
        double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return new ExtractionScore(p, r, f, gotTotal, wantTotal);
    }

    /// <summary>
    /// The words of <paramref name="text"/>: maximal runs of letters, digits and combining marks, lower-cased; in
    /// scripts written without spaces (Han, Hiragana, Katakana, Thai) every character is a token of its own, so a
    /// sentence is not one giant word that any small difference turns into a miss.
    /// </summary>
    public static IEnumerable<string> Tokens(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !IsWordChar(text[i])) i++;
            if (i >= text.Length) break;
            if (IsUnspacedScript(text[i]))
            {
                yield return text[i].ToString();
                i++;
                continue;
            }
            int start = i;
            while (i < text.Length && IsWordChar(text[i]) && !IsUnspacedScript(text[i])) i++;
            yield return text[start..i].ToLowerInvariant();
        }
    }

    private static bool IsUnspacedScript(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\u0E00' and <= '\u0E7F') or (>= '\uFF66' and <= '\uFF9F');

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
        || char.IsSurrogate(c);

    private static Dictionary<string, int> Count(string text, out int total)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        total = 0;
        foreach (var t in Tokens(text))
        {
            counts[t] = counts.GetValueOrDefault(t) + 1;
            total++;
        }
        return counts;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"P={Precision:F3} R={Recall:F3} F1={F1:F3} ({ExtractedTokens} extracted / {ReferenceTokens} reference tokens)");
}
