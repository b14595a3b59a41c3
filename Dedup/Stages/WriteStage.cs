using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;

namespace DataPipe.Dedup.Stages;

/// <summary>
/// Dedup step 4 of 4, one task per input slice (the same slices as the signature stage): streams the slice's
/// documents and writes the survivors to <c>part-TTTTT.parquet</c> with <c>dup_cluster</c> set, the id of the
/// cluster each represents (its own global row index when it has no duplicate). Dropped documents are counted by
/// reason and, with <see cref="DedupOptions.KeepRejected"/>, written to <c>rejected/exact/</c> or <c>rejected/near/</c>
/// with the cluster they belong to. Only the assignments of the slice's own rows are held in memory.
/// The URLs of the largest clusters' example documents are written to <c>dedup-examples/tTTTTT.json</c>. When the last
/// task is done, the dedup's numbers are written (<see cref="DedupPipeline"/>'s <c>dedup_stats.json</c>), whichever
/// executor ran it.
/// </summary>
public sealed class WriteStage : IFinalizingStage
{
    public const string StageName = "dedup";
    public const string ExamplesDir = "dedup-examples";

    private readonly DedupOptions _options;
    private readonly InputSlices _input;
    private readonly string _clustersDir;

    private readonly Action<IReadOnlyList<TaskRecord>>? _finalize;

    /// <param name="finalize">Run once when every task is done, before <c>_SUCCESS.json</c> (the run's <c>dedup_stats.json</c>).</param>
    public WriteStage(DedupOptions options, InputSlices input, string clustersDir, string clustersHash, Action<IReadOnlyList<TaskRecord>>? finalize = null)
    {
        _finalize = finalize;
        _options = options;
        _input = input;
        _clustersDir = Path.GetFullPath(clustersDir);
        ConfigHash = Core.Config.ConfigHash.Combine(StageName, Core.Config.ConfigHash.Of(options), clustersHash);
    }

    public string Name => StageName;

    public void FinalizeStage(string outputDir, IReadOnlyList<TaskRecord> tasks) => _finalize?.Invoke(tasks);

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => DocumentSchema.Describe();

    public async Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        if (DatasetFolder.ReadSuccess(_clustersDir) is null)
            throw new DataPipeException($"{_clustersDir}: clusters are not complete (no {DatasetFolder.SuccessFile})");
        return new StagePlan(_options.Tasks, await _input.TotalRowsAsync().ConfigureAwait(false), "rows");
    }

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var (slice, firstDoc) = await _input.ForTaskAsync(ctx.TaskIndex, ctx.TaskCount).ConfigureAwait(false);
        foreach (var u in slice.Units.Select(u => u.File).Distinct()) ctx.AddInput(u);
        long endDoc = firstDoc + slice.Rows;
        var mine = new Dictionary<long, ClusterAssignment>();
        foreach (var a in ClusterStage.ReadAssignments(_clustersDir))
            if (a.Doc >= firstDoc && a.Doc < endDoc) mine[a.Doc] = a;
        var summary = DatasetFolder.ReadJson<ClusterSummary>(Path.Combine(_clustersDir, ClusterStage.SummaryFile))
            ?? throw new DataPipeException($"{_clustersDir}: {ClusterStage.SummaryFile} is missing");
        var exampleDocs = summary.Largest.SelectMany(c => c.Examples).Where(d => d >= firstDoc && d < endDoc).ToHashSet();
        var exampleUrls = new SortedDictionary<long, string>();

        await using var kept = await ctx.CreateDocumentWriterAsync(ct: ct).ConfigureAwait(false);
        DocumentWriter? exactOut = null, nearOut = null;
        try
        {
            long doc = firstDoc;
            await foreach (var d in DocumentReader.ReadAsync(slice, ct).ConfigureAwait(false))
            {
                ctx.AddRowsIn();
                if (exampleDocs.Contains(doc)) exampleUrls[doc] = d.Url;
                if (!mine.TryGetValue(doc, out var a))
                {
                    d.DupCluster = doc;
                    await kept.WriteAsync(d, ct).ConfigureAwait(false);
                    ctx.AddRowsOut();
                    ctx.Counters.Increment("kept.unique");
                }
                else
                {
                    d.DupCluster = a.Cluster;
                    switch (a.Flag)
                    {
                        case ClusterFlag.Kept:
                            await kept.WriteAsync(d, ct).ConfigureAwait(false);
                            ctx.AddRowsOut();
                            ctx.Counters.Increment("kept.cluster_representative");
                            break;
                        case ClusterFlag.ExactDuplicate:
                            ctx.Counters.Increment("dropped.exact_duplicate");
                            if (_options.KeepRejected)
                            {
                                exactOut ??= await ctx.CreateDocumentWriterAsync($"rejected/exact/{ctx.PartFileName}", ct: ct).ConfigureAwait(false);
                                await exactOut.WriteAsync(d, ct).ConfigureAwait(false);
                            }
                            break;
                        default:
                            ctx.Counters.Increment("dropped.near_duplicate");
                            if (_options.KeepRejected)
                            {
                                nearOut ??= await ctx.CreateDocumentWriterAsync($"rejected/near/{ctx.PartFileName}", ct: ct).ConfigureAwait(false);
                                await nearOut.WriteAsync(d, ct).ConfigureAwait(false);
                            }
                            break;
                    }
                }
                ctx.Progress.Advance(1);
                doc++;
            }
        }
        finally
        {
            if (exactOut is not null) await exactOut.DisposeAsync().ConfigureAwait(false);
            if (nearOut is not null) await nearOut.DisposeAsync().ConfigureAwait(false);
        }
        if (exampleUrls.Count > 0)
            DatasetFolder.WriteJsonAtomic(ctx.CreateOutput($"{ExamplesDir}/t{ctx.TaskIndex:D5}.json"), exampleUrls);
    }

    /// <summary>The example URLs every task found, by global row index.</summary>
    public static SortedDictionary<long, string> ReadExampleUrls(string documentsDir)
    {
        var all = new SortedDictionary<long, string>();
        string dir = Path.Combine(documentsDir, ExamplesDir);
        if (!Directory.Exists(dir)) return all;
        foreach (var f in Directory.EnumerateFiles(dir, "t*.json").Order(StringComparer.Ordinal))
            foreach (var (k, v) in DatasetFolder.ReadJson<SortedDictionary<long, string>>(f) ?? [])
                all[k] = v;
        return all;
    }
}
