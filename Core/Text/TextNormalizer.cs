using System.Globalization;
using System.Text;

namespace DataPipe.Core.Text;

/// <summary>
/// The normalization under exact and near-duplicate detection: Unicode NFKC, lower case, digits folded to 0,
/// punctuation and symbols removed, runs of whitespace collapsed to one space. Two pages that differ only in
/// casing, punctuation, numbers (dates, counters) or layout normalize to the same string.
/// </summary>
public static class TextNormalizer
{
    public static string Normalize(string text)
    {
        if (text.Length == 0) return "";
        string s = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(s.Length);
        bool pendingSpace = false;
        foreach (var rune in s.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(rune);
            if (Rune.IsWhiteSpace(rune) || cat is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (Rune.IsPunctuation(rune) || Rune.IsSymbol(rune)) continue;
            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }
            if (Rune.IsDigit(rune)) sb.Append('0');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
        }
        return sb.ToString();
    }
}
