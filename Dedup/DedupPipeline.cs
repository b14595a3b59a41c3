using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Dedup.MinHash;
using DataPipe.Dedup.Stages;

namespace DataPipe.Dedup;

/// <summary>
/// Exact and MinHash LSH near-duplicate removal (GPT-3, Brown et al. 2020, appendix A: fuzzy deduplication with
/// Spark's MinHashLSH; Leskovec, Rajaraman and Ullman, Mining of Massive Datasets, ch. 3) as four stages of
/// independent, resumable tasks, a map/reduce that runs the same on one machine or a cluster:
/// <code>
/// ROOT/signatures   per input slice: shingles → MinHash → band keys + exact keys, in bucket partition files
/// ROOT/pairs        per bucket partition: duplicate pairs (candidates verified against the threshold)
/// ROOT/clusters     one task: union-find over all pairs, survivor and cluster id per clustered document
/// ROOT/documents    per input slice: the survivors with dup_cluster (the output dataset)
/// ROOT/dedup_stats.json
/// </code>
/// Results depend only on the input and the options, never on the task or partition counts.
/// </summary>
public sealed class DedupPipeline(DedupOptions options, string inputDir, string outputRoot)
{
    public const string StatsFile = "dedup_stats.json";

    public string SignaturesDir => Path.Combine(outputRoot, "signatures");
    public string PairsDir => Path.Combine(outputRoot, "pairs");
    public string ClustersDir => Path.Combine(outputRoot, "clusters");
    public string DocumentsDir => Path.Combine(outputRoot, "documents");
    public string StatsPath => Path.Combine(outputRoot, StatsFile);

    /// <summary>The stages in order (each built from the previous one's config hash).</summary>
    public IReadOnlyList<(IStage Stage, string Dir)> Stages()
    {
        options.Validate();
        var input = new InputSlices(inputDir);
        var signatures = new SignatureStage(options, input);
        var pairs = new PairsStage(options, SignaturesDir, signatures.ConfigHash);
        var clusters = new ClusterStage(options, SignaturesDir, PairsDir, pairs.ConfigHash);
        var write = new WriteStage(options, input, ClustersDir, clusters.ConfigHash);
        return [(signatures, SignaturesDir), (pairs, PairsDir), (clusters, ClustersDir), (write, DocumentsDir)];
    }

    /// <summary>Runs the stages with Core's <see cref="LocalExecutor"/>.</summary>
    public Task<DedupStats> RunAsync(ExecutorOptions executor, CancellationToken ct = default)
        => RunAsync((stage, dir, token) => new LocalExecutor().RunAsync(stage, dir, executor, token), ct);

    /// <summary>Runs the stages through <paramref name="run"/> (the CLI passes one that draws progress), then writes the stats.</summary>
    public async Task<DedupStats> RunAsync(Func<IStage, string, CancellationToken, Task<StageResult>> run, CancellationToken ct = default)
    {
        var results = new List<StageResult>();
        foreach (var (stage, dir) in Stages())
            results.Add(await run(stage, dir, ct).ConfigureAwait(false));
        var stats = DedupStats.From(options, results, ClustersDir, DocumentsDir);
        DatasetFolder.WriteJsonAtomic(StatsPath, stats);
        return stats;
    }
}

/// <summary><c>dedup_stats.json</c>: what dedup found, in the terms.</summary>
public sealed record DedupStats
{
    public long DocumentsIn { get; init; }
    public long DocumentsOut { get; init; }
    public long ExactDuplicates { get; init; }
    public long NearDuplicates { get; init; }
    public long Clusters { get; init; }
    public long DocumentsInClusters { get; init; }
    public long CandidatePairsChecked { get; init; }
    public long PairsRejectedByVerification { get; init; }
    public long NearPairs { get; init; }
    public long ExactPairs { get; init; }
    public int ShingleSize { get; init; }
    public LshBanding Banding { get; init; } = new(14, 8);
    public double Threshold { get; init; }
    public DedupVerification Verify { get; init; }
    public IReadOnlyList<LargestCluster> LargestClusters { get; init; } = [];
    public SortedDictionary<string, double> StageWallSeconds { get; init; } = [];

    public sealed record LargestCluster(long Cluster, int Size, long Kept, IReadOnlyList<string> ExampleUrls);

    internal static DedupStats From(DedupOptions options, IReadOnlyList<StageResult> results, string clustersDir, string documentsDir)
    {
        var sig = results[0].Success;
        var pairs = results[1].Success;
        var write = results[3].Success;
        var summary = DatasetFolder.ReadJson<ClusterSummary>(Path.Combine(clustersDir, ClusterStage.SummaryFile)) ?? new ClusterSummary();
        var urls = WriteStage.ReadExampleUrls(documentsDir);
        return new DedupStats
        {
            DocumentsIn = sig.RowsIn,
            DocumentsOut = write.RowsOut,
            ExactDuplicates = summary.ExactDuplicates,
            NearDuplicates = summary.NearDuplicates,
            Clusters = summary.Clusters,
            DocumentsInClusters = summary.DocumentsInClusters,
            CandidatePairsChecked = pairs.Counters.GetValueOrDefault("pairs.candidates_checked"),
            PairsRejectedByVerification = pairs.Counters.GetValueOrDefault("pairs.rejected_by_verification"),
            NearPairs = pairs.Counters.GetValueOrDefault("pairs.near"),
            ExactPairs = pairs.Counters.GetValueOrDefault("pairs.exact"),
            ShingleSize = options.ShingleSize,
            Banding = options.Banding,
            Threshold = options.Threshold,
            Verify = options.Verify,
            LargestClusters = [.. summary.Largest.Select(c => new LargestCluster(c.Cluster, c.Size, c.Kept,
                [.. c.Examples.Select(d => urls.TryGetValue(d, out var u) ? u : $"#{d}")]))],
            StageWallSeconds = new(results.ToDictionary(r => r.Stage, r => r.Success.WallSeconds), StringComparer.Ordinal),
        };
    }
}
