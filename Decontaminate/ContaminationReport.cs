using DataPipe.Core.Datasets;

namespace DataPipe.Decontaminate;

/// <summary>A matched passage of one document, for the report.</summary>
public sealed record ContaminationExample
{
    public string DocId { get; init; } = "";
    public string Url { get; init; } = "";

    /// <summary>0-based record number of the benchmark item in its file, and the line it starts on.</summary>
    public int Item { get; init; }
    public int ItemLine { get; init; }

    /// <summary>The document's text under the matched span (its first, up to 400 characters).</summary>
    public string MatchedText { get; init; } = "";
}

/// <summary>One benchmark's part of a contamination report.</summary>
public sealed record BenchmarkContamination
{
    public string Name { get; init; } = "";
    public string Path { get; init; } = "";
    public int Items { get; init; }
    public int ItemsIndexed { get; init; }
    public int ItemsTooShort { get; init; }

    /// <summary>Distinct items of the benchmark with an n-gram found in the corpus.</summary>
    public int ItemsFound { get; init; }

    /// <summary>The found items' record numbers, ascending (kept so task reports merge exactly).</summary>
    public List<int> FoundItems { get; init; } = [];

    /// <summary>Documents with at least one n-gram of this benchmark.</summary>
    public long Documents { get; init; }

    /// <summary>Characters those documents lost (cut or dropped); a document matching two benchmarks counts for both.</summary>
    public long CharsRemoved { get; init; }

    /// <summary>Matched n-gram windows.</summary>
    public long NgramMatches { get; init; }

    public List<ContaminationExample> Examples { get; init; } = [];
}

/// <summary>
/// <c>contamination.json</c> of a decontaminate stage (and <c>contamination/part-NNNNN.json</c> of each task, merged into
/// it in task order, which is document order): per benchmark the items found, documents touched, characters removed and
/// the first few matches; the corpus totals; and the index it was checked against.
/// </summary>
public sealed record ContaminationReport
{
    public const string FileName = "contamination.json";
    public const string TaskFolder = "contamination";

    public string Action { get; init; } = "";
    public long DocumentsIn { get; init; }
    public long DocumentsMatched { get; init; }
    public long DocumentsDropped { get; init; }
    public long PiecesKept { get; init; }
    public long CharsIn { get; init; }
    public long CharsRemoved { get; init; }
    public IndexSummary? Index { get; init; }
    public List<BenchmarkContamination> Benchmarks { get; init; } = [];

    public static string TaskFile(int task) => $"{TaskFolder}/part-{task:D5}.json";

    public static ContaminationReport? ReadFrom(string stageDir) => DatasetFolder.ReadJson<ContaminationReport>(System.IO.Path.Combine(stageDir, FileName));

    /// <summary>Task reports merged in order: sums, the union of found items, the first examples.</summary>
    public static ContaminationReport Merge(IReadOnlyList<ContaminationReport> parts, int examples, IndexSummary? index)
    {
        var first = parts.Count > 0 ? parts[0] : new ContaminationReport();
        var benches = new List<BenchmarkContamination>();
        for (int b = 0; b < first.Benchmarks.Count; b++)
        {
            var all = parts.Select(p => p.Benchmarks[b]).ToList();
            var found = all.SelectMany(x => x.FoundItems).Distinct().Order().ToList();
            benches.Add(first.Benchmarks[b] with
            {
                FoundItems = found,
                ItemsFound = found.Count,
                Documents = all.Sum(x => x.Documents),
                CharsRemoved = all.Sum(x => x.CharsRemoved),
                NgramMatches = all.Sum(x => x.NgramMatches),
                Examples = [.. all.SelectMany(x => x.Examples).Take(examples)],
            });
        }
        return new ContaminationReport
        {
            Action = first.Action,
            DocumentsIn = parts.Sum(p => p.DocumentsIn),
            DocumentsMatched = parts.Sum(p => p.DocumentsMatched),
            DocumentsDropped = parts.Sum(p => p.DocumentsDropped),
            PiecesKept = parts.Sum(p => p.PiecesKept),
            CharsIn = parts.Sum(p => p.CharsIn),
            CharsRemoved = parts.Sum(p => p.CharsRemoved),
            Index = index,
            Benchmarks = benches,
        };
    }
}

/// <summary>The index a report was made against.</summary>
public sealed record IndexSummary
{
    public string Key { get; init; } = "";
    public int Ngram { get; init; }
    public int MinWords { get; init; }
    public int MaxItemsPerNgram { get; init; }
    public long Ngrams { get; init; }
    public long NgramsIgnoredCommon { get; init; }
    public long NgramsIgnoredListed { get; init; }
    public long MemoryBytes { get; init; }

    public static IndexSummary Of(BenchmarkIndex index) => new()
    {
        Key = index.Key,
        Ngram = index.Settings.N,
        MinWords = index.Settings.MinWords,
        MaxItemsPerNgram = index.Settings.MaxItemsPerNgram,
        Ngrams = index.Count,
        NgramsIgnoredCommon = index.NgramsIgnoredCommon,
        NgramsIgnoredListed = index.NgramsIgnoredListed,
        MemoryBytes = index.MemoryBytes,
    };
}
