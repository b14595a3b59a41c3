using System.Collections.Concurrent;

namespace DataPipe.Core.Stages;

/// <summary>
/// Named event counts of a task or stage: why records were skipped ("skipped.non_200"), why documents were dropped
/// ("dropped.gopher_quality.word_count"), retries, and so on. Thread-safe. Names are dotted, lower-case.
/// </summary>
public sealed class Counters
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Increment(string name, long by = 1) => _counts.AddOrUpdate(name, by, (_, v) => v + by);

    public long this[string name] => _counts.TryGetValue(name, out var v) ? v : 0;

    /// <summary>A sorted copy, for records and tables.</summary>
    public SortedDictionary<string, long> Snapshot() => new(_counts, StringComparer.Ordinal);

    public void Add(IReadOnlyDictionary<string, long> other)
    {
        foreach (var (k, v) in other) Increment(k, v);
    }
}
