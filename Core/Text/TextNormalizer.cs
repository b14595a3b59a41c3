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
        // ASCII is its own NFKC form; the vectorised ASCII test spares most texts the ICU normalisation check.
        string s = System.Text.Ascii.IsValid(text) || text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        // Written into a pooled buffer with an ASCII table in front of the Rune path: the per-rune
        // ToLowerInvariant(rune).ToString() this replaced allocated a string per character and was 6.5% of the
        // full-ingest worker's time in a dotnet-trace profile of bench ingest. Same output (TextNormalizerTests).
        char[] buffer = System.Buffers.ArrayPool<char>.Shared.Rent(2 * s.Length);
        try
        {
            int n = 0;
            bool pendingSpace = false;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                AsciiClass ascii = c < 128 ? Ascii[c] : AsciiClass.NotAscii;
                if (ascii == AsciiClass.Drop) continue;
                if (ascii == AsciiClass.Space)
                {
                    pendingSpace = n > 0;
                    continue;
                }
                if (ascii == AsciiClass.NotAscii)
                {
                    if (!Rune.TryGetRuneAt(s, i, out var rune)) rune = Rune.ReplacementChar;
                    else if (rune.Utf16SequenceLength == 2) i++;
                    var cat = Rune.GetUnicodeCategory(rune);
                    if (Rune.IsWhiteSpace(rune) || cat is UnicodeCategory.Control or UnicodeCategory.Format)
                    {
                        pendingSpace = n > 0;
                        continue;
                    }
                    if (Rune.IsPunctuation(rune) || Rune.IsSymbol(rune)) continue;
                    if (pendingSpace)
                    {
                        buffer[n++] = ' ';
                        pendingSpace = false;
                    }
                    if (Rune.IsDigit(rune)) buffer[n++] = '0';
                    else n += Rune.ToLowerInvariant(rune).EncodeToUtf16(buffer.AsSpan(n));
                    continue;
                }
                if (pendingSpace)
                {
                    buffer[n++] = ' ';
                    pendingSpace = false;
                }
                buffer[n++] = ascii == AsciiClass.Digit ? '0' : (char)(c | (ascii == AsciiClass.Upper ? 0x20 : 0));
            }
            return new string(buffer, 0, n);
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private enum AsciiClass : byte { NotAscii, Space, Drop, Digit, Upper, Keep }

    /// <summary>What the Rune rules above do with each ASCII character, computed from those same rules.</summary>
    private static readonly AsciiClass[] Ascii = BuildAscii();

    private static AsciiClass[] BuildAscii()
    {
        var table = new AsciiClass[128];
        for (int c = 0; c < 128; c++)
        {
            var rune = new Rune(c);
            var cat = Rune.GetUnicodeCategory(rune);
            table[c] = Rune.IsWhiteSpace(rune) || cat is UnicodeCategory.Control or UnicodeCategory.Format ? AsciiClass.Space
                : Rune.IsPunctuation(rune) || Rune.IsSymbol(rune) ? AsciiClass.Drop
                : Rune.IsDigit(rune) ? AsciiClass.Digit
                : Rune.ToLowerInvariant(rune).Value != c ? AsciiClass.Upper
                : AsciiClass.Keep;
        }
        return table;
    }
}
