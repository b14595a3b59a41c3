using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataPipe.Filter.Rules;

/// <summary>A word's place in a text: <c>text.AsSpan(Start, Length)</c>.</summary>
public readonly record struct WordSpan(int Start, int Length);

/// <summary>
/// The units the heuristic rules count, found without copying the text: words (whitespace-separated tokens with
/// leading and trailing punctuation removed; a token of punctuation only is not a word, as in the Gopher rules),
/// lines (split on '\n') and 64-bit hashes of spans for duplicate counting.
/// </summary>
public static class TextUnits
{
    /// <summary>Appends the words of <paramref name="text"/> to <paramref name="into"/> (cleared first).</summary>
    public static void Words(ReadOnlySpan<char> text, List<WordSpan> into)
    {
        into.Clear();
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            int end = i;
            while (start < end && IsPunctuationOrSymbol(text[start])) start++;
            while (end > start && IsPunctuationOrSymbol(text[end - 1])) end--;
            if (end > start) into.Add(new WordSpan(start, end - start));
        }
    }

    /// <summary>Number of whitespace-separated tokens that are words (see <see cref="Words"/>), without storing them.</summary>
    public static int CountWords(ReadOnlySpan<char> text)
    {
        int n = 0;
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            bool word = false;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                if (!IsPunctuationOrSymbol(text[i])) word = true;
                i++;
            }
            if (word) n++;
        }
        return n;
    }

    public static bool IsPunctuationOrSymbol(char c) => char.IsPunctuation(c) || char.IsSymbol(c);

    /// <summary>A 64-bit hash of a span's characters (XxHash3), for counting repeats.</summary>
    public static ulong Hash(ReadOnlySpan<char> span) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(span));

    /// <summary>Combines an n-gram's running hash with the next word's hash (order-sensitive).</summary>
    public static ulong Combine(ulong h, ulong next) => (h ^ next) * 0x9E3779B97F4A7C15UL + (h >> 29) + 0x632BE59BD9B4E019UL;
}
