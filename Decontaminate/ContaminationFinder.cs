using DataPipe.Decontaminate.Ngrams;

namespace DataPipe.Decontaminate;

/// <summary>A window of a document's words whose hash is in the index: words [FirstWord, FirstWord + Words), index entry.</summary>
public readonly record struct NgramMatch(int FirstWord, int Words, int Entry);

/// <summary>
/// Finds the benchmark n-grams in one document at a time: splits it into words (<see cref="WordScanner"/>), hashes every
/// window of N words (and, where the index holds shorter whole passages starting with the same words, those windows too),
/// and looks each up in the <see cref="BenchmarkIndex"/>. Reuses its buffers; one finder per thread.
/// </summary>
public sealed class ContaminationFinder
{
    private readonly BenchmarkIndex _index;
    private readonly WordScanner _scanner = new();
    private readonly NgramHasher _hasher = new();
    private readonly List<NgramMatch> _matches = [];
    private readonly List<(int Start, int End)> _spans = [];
    private readonly int[] _shortLengths;
    private ulong[] _windows = new ulong[1024];

    /// <summary>How many windows ahead the filter line is prefetched: enough to cover a memory access, few enough to stay in L1.</summary>
    private const int PrefetchAhead = 16;

    public ContaminationFinder(BenchmarkIndex index)
    {
        _index = index;
        _shortLengths = [.. Enumerable.Range(0, 64).Where(l => (index.ShortLengths & (1UL << l)) != 0)];
    }

    public BenchmarkIndex Index => _index;

    /// <summary>Matches of the last <see cref="Find"/>, by first word.</summary>
    public IReadOnlyList<NgramMatch> Matches => _matches;

    /// <summary>Words of the last text, for mapping matches back to characters.</summary>
    public WordScanner Words => _scanner;

    /// <summary>Finds every indexed n-gram in <paramref name="text"/>; returns how many windows matched.</summary>
    public int Find(ReadOnlySpan<char> text)
    {
        _matches.Clear();
        _scanner.Scan(text);
        int count = _scanner.Count;
        int n = _index.Settings.N, min = _index.Settings.MinWords;
        if (count < min) return 0;
        _hasher.Load(_scanner.Hashes);
        var index = _index;
        var hasher = _hasher;
        // N-gram windows: all hashed first, then looked up with the filter line of a later window already on its way.
        int windows = count - n + 1;
        if (windows > 0)
        {
            if (_windows.Length < windows) _windows = new ulong[Math.Max(windows, _windows.Length * 2)];
            var hashes = _windows.AsSpan(0, windows);
            for (int i = 0; i < hashes.Length; i++) hashes[i] = hasher.Window(i, n);
            for (int i = 0; i < Math.Min(PrefetchAhead, hashes.Length); i++) index.Prefetch(hashes[i]);
            for (int i = 0; i < hashes.Length; i++)
            {
                if (i + PrefetchAhead < hashes.Length) index.Prefetch(hashes[i + PrefetchAhead]);
                int e = index.Find(hashes[i]);
                if (e >= 0) _matches.Add(new NgramMatch(i, n, e));
            }
        }
        // Whole passages shorter than N: only where the first MinWords words start one (a small set, in cache).
        if (index.HasShort)
        {
            bool added = false;
            for (int i = 0; i + min <= count; i++)
            {
                if (!index.MayStartShort(hasher.Window(i, min))) continue;
                foreach (int len in _shortLengths)
                {
                    if (i + len > count) break;
                    int e = index.Find(hasher.Window(i, len));
                    if (e < 0) continue;
                    _matches.Add(new NgramMatch(i, len, e));
                    added = true;
                }
            }
            // Keep matches ordered by first word (then length), as MergedSpans expects.
            if (added) _matches.Sort((a, b) => a.FirstWord != b.FirstWord ? a.FirstWord.CompareTo(b.FirstWord) : a.Words.CompareTo(b.Words));
        }
        return _matches.Count;
    }

    /// <summary>Character ranges [Start, End) of the last text covered by matches, overlapping ones merged, in order.</summary>
    public IReadOnlyList<(int Start, int End)> MergedSpans()
    {
        _spans.Clear();
        var starts = _scanner.Starts;
        var ends = _scanner.Ends;
        foreach (var m in _matches)
        {
            int s = starts[m.FirstWord], e = ends[m.FirstWord + m.Words - 1];
            if (_spans.Count > 0 && s <= _spans[^1].End)
            {
                if (e > _spans[^1].End) _spans[^1] = (_spans[^1].Start, e);
            }
            else
            {
                _spans.Add((s, e));
            }
        }
        return _spans;
    }

    /// <summary>Character range of one match in the last text.</summary>
    public (int Start, int End) SpanOf(NgramMatch m) => (_scanner.Starts[m.FirstWord], _scanner.Ends[m.FirstWord + m.Words - 1]);
}
