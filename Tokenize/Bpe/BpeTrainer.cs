using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using DataPipe.Core.Errors;

namespace DataPipe.Tokenize.Bpe;

/// <summary>What <see cref="BpeTrainer"/> learns to and how.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Total vocabulary: 256 bytes + merges + end-of-text. 4k-16k suits a model trained on a CPU.</summary>
    public int VocabSize { get; init; } = 8192;

    /// <summary>A pair seen fewer times than this is never merged; training stops early when no pair is left.</summary>
    public long MinPairCount { get; init; } = 2;

    /// <summary>Threads that pre-tokenize and count words.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// Learns a byte-level BPE (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with Subword Units"; made
/// byte-level by Radford et al. 2019, GPT-2) from a stream of text.
/// <list type="number">
/// <item>Pre-tokenize with GPT-2's regex (<see cref="PreTokenizerPattern"/>) and count each distinct piece once
/// ("word" → occurrences), in parallel; the corpus is read once and never again.</item>
/// <item>Start every word as its UTF-8 bytes; count adjacent pairs weighted by word frequency, and remember which words
/// hold each pair.</item>
/// <item>Repeatedly merge the most frequent pair (ties: the smaller left id, then right id, so training is
/// deterministic): only the words that hold it are rewritten, and pair counts are updated by the difference between
/// each rewritten word's old and new pairs. A max-heap with lazy deletion finds the next pair.</item>
/// </list>
/// Each merge costs time in the words it touches, not in the corpus, which is what lets training scale to 1 GB.
/// A pair whose bytes already exist as a token (reached by another merge order) is not merged again, so every merge
/// makes exactly one new token and <c>merges.txt</c> line k is token 256 + k.
/// </summary>
public sealed class BpeTrainer
{
    /// <summary>GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, each with an optional leading space; whitespace runs.</summary>
    public const string PreTokenizerPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly Regex PreTokenizer = new(PreTokenizerPattern, RegexOptions.Compiled);

    private readonly BpeTrainerOptions _options;
    private readonly Dictionary<string, long> _words = new(StringComparer.Ordinal);

    public BpeTrainer(BpeTrainerOptions? options = null)
    {
        _options = options ?? new BpeTrainerOptions();
        if (_options.VocabSize < 257) throw new DataPipeException($"vocabulary size {_options.VocabSize} is too small: 256 bytes + end-of-text need 257");
    }

    /// <summary>Characters of text counted so far.</summary>
    public long Chars { get; private set; }

    /// <summary>Pre-tokenized words counted so far (with repeats).</summary>
    public long WordOccurrences { get; private set; }

    /// <summary>Distinct words counted so far.</summary>
    public int DistinctWords => _words.Count;

    /// <summary>Counts the words of a batch of texts (in parallel across texts). Call as often as needed, then <see cref="Train"/>.</summary>
    public void Count(IReadOnlyList<string> texts)
    {
        int threads = Math.Max(1, Math.Min(_options.Threads, texts.Count));
        var partials = new Dictionary<string, long>[threads];
        var occurrences = new long[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var local = new Dictionary<string, long>(StringComparer.Ordinal);
            var lookup = local.GetAlternateLookup<ReadOnlySpan<char>>();
            long n = 0;
            for (int i = t; i < texts.Count; i += threads)
            {
                var text = texts[i].AsSpan();
                foreach (var m in PreTokenizer.EnumerateMatches(text))
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(lookup, text.Slice(m.Index, m.Length), out _)++;
                    n++;
                }
            }
            partials[t] = local;
            occurrences[t] = n;
        });
        foreach (var local in partials)
            foreach (var (word, count) in local)
                CollectionsMarshal.GetValueRefOrAddDefault(_words, word, out _) += count;
        foreach (var text in texts) Chars += text.Length;
        WordOccurrences += occurrences.Sum();
    }

    /// <summary>Learns the merges from the words counted so far. Empty input is an error: there is nothing to learn from.</summary>
    public BpeVocabulary Train()
    {
        if (_words.Count == 0) throw new DataPipeException("no text to train the tokenizer on: the input is empty");
        int targetMerges = _options.VocabSize - 257;

        // Words as symbol arrays, in a fixed (ordinal) order so training never depends on hash order.
        var keys = _words.Keys.Order(StringComparer.Ordinal).ToArray();
        var symbols = new int[keys.Length][];
        var freq = new long[keys.Length];
        for (int w = 0; w < keys.Length; w++)
        {
            var bytes = Encoding.UTF8.GetBytes(keys[w]);
            symbols[w] = Array.ConvertAll(bytes, b => (int)b);
            freq[w] = _words[keys[w]];
        }

        var pairCounts = new Dictionary<long, long>();
        var pairWords = new Dictionary<long, List<int>>();
        for (int w = 0; w < symbols.Length; w++)
        {
            var s = symbols[w];
            for (int i = 0; i + 1 < s.Length; i++)
            {
                long p = Pair(s[i], s[i + 1]);
                CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, p, out _) += freq[w];
                ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(pairWords, p, out _);
                list ??= [];
                if (list.Count == 0 || list[^1] != w) list.Add(w);
            }
        }

        var heap = new PriorityQueue<long, (long NegCount, long Pair)>();
        foreach (var (p, c) in pairCounts) heap.Enqueue(p, (-c, p));

        var tokens = new List<byte[]>(_options.VocabSize);
        for (int b = 0; b < 256; b++) tokens.Add([(byte)b]);
        var known = new HashSet<string>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++) known.Add(Latin1(tokens[b]));
        var merges = new List<(int, int)>(Math.Max(0, targetMerges));
        var changed = new HashSet<long>();
        var banned = new HashSet<long>();

        while (merges.Count < targetMerges && heap.TryDequeue(out long best, out var prio))
        {
            long count = pairCounts.GetValueOrDefault(best);
            if (count != -prio.NegCount)
            {
                // Stale entry: the pair's count changed after it was queued; queue it again with its current count.
                if (count > 0) heap.Enqueue(best, (-count, best));
                continue;
            }
            if (count < _options.MinPairCount) break;
            int a = (int)(best >> 32), b = (int)(best & 0xFFFFFFFF);
            byte[] merged = [.. tokens[a], .. tokens[b]];
            pairCounts.Remove(best);
            if (!known.Add(Latin1(merged)))
            {
                banned.Add(best);
                continue;
            }
            int id = tokens.Count;
            tokens.Add(merged);
            merges.Add((a, b));

            changed.Clear();
            foreach (int w in pairWords[best])
            {
                var old = symbols[w];
                var next = MergeWord(old, a, b, id);
                if (next is null) continue;
                long f = freq[w];
                for (int i = 0; i + 1 < old.Length; i++)
                {
                    long p = Pair(old[i], old[i + 1]);
                    if (p == best || banned.Contains(p)) continue;
                    pairCounts[p] -= f;
                    changed.Add(p);
                }
                for (int i = 0; i + 1 < next.Length; i++)
                {
                    long p = Pair(next[i], next[i + 1]);
                    if (banned.Contains(p)) continue;
                    CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, p, out _) += f;
                    changed.Add(p);
                    if (next[i] == id || next[i + 1] == id)
                    {
                        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(pairWords, p, out _);
                        list ??= [];
                        if (list.Count == 0 || list[^1] != w) list.Add(w);
                    }
                }
                symbols[w] = next;
            }
            pairWords.Remove(best);
            foreach (long p in changed)
            {
                if (p == best) continue;
                long c = pairCounts.GetValueOrDefault(p);
                if (c <= 0)
                {
                    pairCounts.Remove(p);
                    continue;
                }
                heap.Enqueue(p, (-c, p));
            }
        }
        return new BpeVocabulary(merges);
    }

    /// <summary>The word with every (a, b) replaced by <paramref name="id"/>, left to right; null when it holds no (a, b).</summary>
    private static int[]? MergeWord(int[] s, int a, int b, int id)
    {
        int[]? result = null;
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (i + 1 < s.Length && s[i] == a && s[i + 1] == b)
            {
                if (result is null)
                {
                    result = new int[s.Length - 1];
                    Array.Copy(s, result, i);
                    n = i;
                }
                result[n++] = id;
                i++;
            }
            else if (result is not null)
            {
                result[n++] = s[i];
            }
        }
        return result is null ? null : result.AsSpan(0, n).ToArray();
    }

    private static long Pair(int a, int b) => ((long)a << 32) | (uint)b;

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
