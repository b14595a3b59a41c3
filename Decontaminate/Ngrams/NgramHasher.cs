using System.Runtime.CompilerServices;

namespace DataPipe.Decontaminate.Ngrams;

/// <summary>
/// Hashes of word windows by a polynomial over the word hashes: with prefix sums P[k] = P[k-1]·B + h[k-1], the window
/// of <c>L</c> words at <c>i</c> is P[i+L] − P[i]·B^L (mod 2^64), then finalised with its length mixed in. One
/// multiply-subtract per window whatever its length, and no string per n-gram: the same words hash the same wherever
/// they sit, in a benchmark item or a document.
/// </summary>
public sealed class NgramHasher
{
    /// <summary>Longest window a hasher supports (n-gram size and whole-item lengths).</summary>
    public const int MaxWords = 64;

    private const ulong Base = 0x9E3779B97F4A7C15UL;
    private const ulong LengthSalt = 0xD6E8FEB86659FD93UL;
    private static readonly ulong[] Pow = BuildPow();

    private ulong[] _prefix = new ulong[1025];

    private static ulong[] BuildPow()
    {
        var p = new ulong[MaxWords + 1];
        p[0] = 1;
        for (int i = 1; i <= MaxWords; i++) p[i] = unchecked(p[i - 1] * Base);
        return p;
    }

    /// <summary>Words loaded by the last <see cref="Load"/>.</summary>
    public int Count { get; private set; }

    public void Load(ReadOnlySpan<ulong> wordHashes)
    {
        if (_prefix.Length < wordHashes.Length + 1) _prefix = new ulong[Math.Max(wordHashes.Length + 1, _prefix.Length * 2)];
        ulong acc = 0;
        _prefix[0] = 0;
        for (int i = 0; i < wordHashes.Length; i++)
        {
            acc = unchecked(acc * Base + wordHashes[i]);
            _prefix[i + 1] = acc;
        }
        Count = wordHashes.Length;
    }

    /// <summary>The hash of the <paramref name="length"/> words starting at word <paramref name="start"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Window(int start, int length)
        => WordScanner.Mix(unchecked(_prefix[start + length] - _prefix[start] * Pow[length] + (ulong)length * LengthSalt));
}
