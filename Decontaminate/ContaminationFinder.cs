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
        bool hasShort = _index.HasShort;
        var index = _index;
        var hasher = _hasher;
        for (int i = 0; i + min <= count; i++)
        {
            if (i + n <= count)
            {
                int e = index.Find(hasher.Window(i, n));
                if (e >= 0) _matches.Add(new NgramMatch(i, n, e));
            }
            if (hasShort && index.MayStartShort(hasher.Window(i, min)))
            {
                foreach (int len in _shortLengths)
                {
                    if (i + len > count) break;
                    int e = index.Find(hasher.Window(i, len));
                    if (e >= 0) _matches.Add(new NgramMatch(i, len, e));
                }
            }
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
