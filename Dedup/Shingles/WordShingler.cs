using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using DataPipe.Core.Text;

namespace DataPipe.Dedup.Shingles;

/// <summary>
/// Word n-gram shingles of a document, as 64-bit hashes: the text is normalized by Core's <see cref="TextNormalizer"/>
/// (so casing, punctuation, digits and layout do not matter), split on its single spaces, and every run of
/// <see cref="Size"/> consecutive words is hashed with XxHash3 over the UTF-16 code units of the run, read straight
/// from the normalized string (no string per shingle). A text with fewer words than <see cref="Size"/> has one shingle,
/// the whole text; an empty text has none. Shingling by words follows Broder (1997) and Leskovec, Rajaraman and
/// Ullman, Mining of Massive Datasets, ch. 3.2; GPT-3 (Brown et al. 2020, appendix A) deduplicated on such sets.
/// Languages written without spaces give one long "word" per run of text; their near-duplicates are found only
/// when whole runs repeat.
/// </summary>
public sealed class WordShingler
{
    public WordShingler(int size, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        Seed = seed;
    }

    /// <summary>Words per shingle (n).</summary>
    public int Size { get; }

    public ulong Seed { get; }

    /// <summary>Normalizes <paramref name="text"/> and returns its shingle hashes (with repeats, in text order).</summary>
    public ulong[] Shingle(string text)
    {
        using var buffer = new ShingleBuffer();
        int n = HashNormalized(TextNormalizer.Normalize(text), buffer);
        return buffer.Hashes.AsSpan(0, n).ToArray();
    }

    /// <summary>
    /// Hashes the shingles of already-normalized text into <paramref name="buffer"/> (grown from the shared array pool
    /// as needed); returns how many were written. Repeated shingles are written each time they occur.
    /// </summary>
    public int HashNormalized(ReadOnlySpan<char> normalized, ShingleBuffer buffer)
    {
        if (normalized.IsEmpty) return 0;
        // Word starts; the word count is at most (length + 1) / 2 with single spaces between words.
        buffer.EnsureWords(normalized.Length / 2 + 2);
        int[] starts = buffer.WordStarts!;
        int words = 0;
        bool inWord = false;
        for (int i = 0; i < normalized.Length; i++)
        {
            if (normalized[i] == ' ') inWord = false;
            else if (!inWord)
            {
                starts[words++] = i;
                inWord = true;
            }
        }
        if (words == 0) return 0;
        int count = Math.Max(1, words - Size + 1);
        buffer.EnsureHashes(count);
        ulong[] hashes = buffer.Hashes!;
        if (words <= Size)
        {
            hashes[0] = Hash(normalized.Slice(starts[0]).TrimEnd(' '));
            return 1;
        }
        for (int w = 0; w < count; w++)
        {
            int start = starts[w];
            int lastWord = w + Size - 1;
            int end = lastWord + 1 < words ? starts[lastWord + 1] - 1 : normalized.Length;
            // Normalized text may end in no space, but trailing spaces are trimmed defensively.
            var run = normalized[start..end].TrimEnd(' ');
            hashes[w] = Hash(run);
        }
        return count;
    }

    private ulong Hash(ReadOnlySpan<char> run) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(run), unchecked((long)Seed));
}

/// <summary>Pooled scratch arrays for <see cref="WordShingler.HashNormalized"/>; one per worker, returned to the pool when disposed.</summary>
public sealed class ShingleBuffer : IDisposable
{
    public int[]? WordStarts { get; private set; }

    /// <summary>The hashes of the last call, valid up to the count it returned.</summary>
    public ulong[]? Hashes { get; private set; }

    internal void EnsureWords(int n)
    {
        if (WordStarts is not null && WordStarts.Length >= n) return;
        if (WordStarts is not null) ArrayPool<int>.Shared.Return(WordStarts);
        WordStarts = ArrayPool<int>.Shared.Rent(Math.Max(n, 256));
    }

    internal void EnsureHashes(int n)
    {
        if (Hashes is not null && Hashes.Length >= n) return;
        if (Hashes is not null) ArrayPool<ulong>.Shared.Return(Hashes);
        Hashes = ArrayPool<ulong>.Shared.Rent(Math.Max(n, 256));
    }

    public void Dispose()
    {
        if (WordStarts is not null) ArrayPool<int>.Shared.Return(WordStarts);
        if (Hashes is not null) ArrayPool<ulong>.Shared.Return(Hashes);
        WordStarts = null;
        Hashes = null;
    }
}
