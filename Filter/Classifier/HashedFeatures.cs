using System.Runtime.CompilerServices;

namespace DataPipe.Filter.Classifier;

/// <summary>
/// Turns a text into hashed bucket indices (see <see cref="FeatureSettings"/>) in one pass over its characters, with no
/// allocation: each word's hash is built while its characters are read (FNV-1a over lower-cased UTF-16 units, then a
/// 64-bit finalizer), and a bigram's hash mixes the two word hashes. Every occurrence is one feature; a document's
/// features all carry the weight 1/sqrt(n) (<see cref="Weight"/>), so long and short documents score on one scale.
/// </summary>
public static class HashedFeatures
{
    // Word hashing, shared with StyleFeatures so a function word hashes the same in both feature families.
    internal const ulong FnvOffset = 14695981039346656037UL;
    internal const ulong FnvPrime = 1099511628211UL;
    private const ulong BigramSalt = 0x9E3779B97F4A7C15UL;

    /// <summary>Appends the bucket of every feature of <paramref name="text"/> to <paramref name="buckets"/>; returns how many.</summary>
    public static int Extract(ReadOnlySpan<char> text, FeatureSettings settings, List<int> buckets)
    {
        int mask = settings.Buckets - 1;
        if (text.Length > settings.MaxChars) text = text[..settings.MaxChars];
        int before = buckets.Count;
        if (settings.Words) ExtractWords(text, settings.Bigrams, mask, buckets);
        if (settings.Style) StyleFeatures.Extract(text, mask, buckets);
        return buckets.Count - before;
    }

    private static void ExtractWords(ReadOnlySpan<char> text, bool bigrams, int mask, List<int> buckets)
    {
        ulong h = FnvOffset;
        bool inWord = false;
        ulong prev = 0;
        bool havePrev = false;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ' ';
            if (IsWordChar(c))
            {
                h = (h ^ Lower(c)) * FnvPrime;
                inWord = true;
                continue;
            }
            if (!inWord) continue;
            ulong word = Mix(h);
            buckets.Add((int)(word & (ulong)mask));
            if (bigrams && havePrev) buckets.Add((int)(Mix(prev * 31 + word + BigramSalt) & (ulong)mask));
            prev = word;
            havePrev = true;
            h = FnvOffset;
            inWord = false;
        }
    }

    /// <summary>The weight each of a document's <paramref name="count"/> features carries.</summary>
    public static float Weight(int count) => count == 0 ? 0f : 1f / MathF.Sqrt(count);

    /// <summary>A letter or digit; ASCII on a fast path, other characters through the invariant culture.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsWordChar(char c) =>
        c < 128 ? (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 : char.IsLetterOrDigit(c);

    /// <summary>Lower case as the word hash reads it (digits already have bit 0x20 set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static char Lower(char c) => c < 128 ? (char)(c | 0x20) : char.ToLowerInvariant(c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }
}
