using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
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
        var write = new WriteStage(options, input, ClustersDir, clusters.ConfigHash, WriteStats);
        return [(signatures, SignaturesDir), (pairs, PairsDir), (clusters, ClustersDir), (write, DocumentsDir)];
    }

    /// <summary>Runs the stages with Core's <see cref="LocalStageExecutor"/>.</summary>
    public Task<DedupStats> RunAsync(StageRunOptions executor, CancellationToken ct = default)
        => RunAsync((stage, dir, token) => new LocalStageExecutor().RunAsync(stage, dir, executor, token), ct);

    /// <summary>Runs the stages through <paramref name="run"/> (the CLI passes one that draws progress) and returns the stats they wrote.</summary>
    public async Task<DedupStats> RunAsync(Func<IStage, string, CancellationToken, Task<StageResult>> run, CancellationToken ct = default)
    {
        foreach (var (stage, dir) in Stages())
            await run(stage, dir, ct).ConfigureAwait(false);
        return DatasetFolder.ReadJson<DedupStats>(StatsPath)
            ?? throw new DataPipeException($"{StatsPath}: missing after the documents stage completed");
    }

    /// <summary>
    /// Writes <c>dedup_stats.json</c> from the finished signature, pairs and cluster folders and the documents stage's task
    /// records; the documents stage calls it as it finalizes, so a pipeline run and <c>datapipe dedup</c> both write it.
    /// </summary>
    private void WriteStats(IReadOnlyList<TaskRecord> documentsTasks)
    {
        SuccessRecord Done(string dir) => DatasetFolder.ReadSuccess(dir)
            ?? throw new DataPipeException($"{dir}: not complete (no {DatasetFolder.SuccessFile}) while dedup's last stage finishes");
        var stats = DedupStats.From(options, Done(SignaturesDir), Done(PairsDir), Done(ClustersDir), documentsTasks, ClustersDir, DocumentsDir);
        DatasetFolder.WriteJsonAtomic(StatsPath, stats);
    }
}

/// <summary><c>dedup_stats.json</c>: what dedup found: exact and near duplicates, clusters, pairs checked and rejected, the banding.</summary>
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

    internal static DedupStats From(DedupOptions options, SuccessRecord sig, SuccessRecord pairs, SuccessRecord clusters,
        IReadOnlyList<TaskRecord> documentsTasks, string clustersDir, string documentsDir)
    {
        var summary = DatasetFolder.ReadJson<ClusterSummary>(Path.Combine(clustersDir, ClusterStage.SummaryFile)) ?? new ClusterSummary();
        var urls = WriteStage.ReadExampleUrls(documentsDir);
        return new DedupStats
        {
            DocumentsIn = sig.RowsIn,
            DocumentsOut = documentsTasks.Sum(t => t.RowsOut),
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
            StageWallSeconds = new(StringComparer.Ordinal)
            {
                [sig.Stage] = sig.WallSeconds,
                [pairs.Stage] = pairs.WallSeconds,
                [clusters.Stage] = clusters.WallSeconds,
                // This file is written as the documents stage finishes, before its wall time is known: its tasks' sum.
                [WriteStage.StageName] = Math.Round(documentsTasks.Sum(t => t.Seconds), 3),
            },
        };
    }
}
