using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Dedup.Clustering;
using DataPipe.Dedup.Shuffle;

namespace DataPipe.Dedup.Stages;

/// <summary>
/// Dedup step 3 of 4, a single task: union-find over every pair from every partition (memory proportional to the
/// documents that have a duplicate, not to the corpus). Each cluster keeps one document: the highest
/// <c>quality_score</c>, then the earliest <c>fetch_time</c>, then the first in input order. A cluster's id
/// is its smallest global row index, so ids do not depend on task counts or on the order pairs arrive in.
/// A dropped document is an exact duplicate when another member of its exact group (same text or URL, joined by
/// exact pairs alone) ranks above it, else a near duplicate. Writes <c>clusters.bin</c> (one assignment per clustered
/// document, sorted) and <c>clusters.json</c> (totals and the largest clusters).
/// </summary>
public sealed class ClusterStage : IStage
{
    public const string StageName = "dedup-clusters";
    public const string AssignmentsFile = "clusters.bin";
    public const string SummaryFile = "clusters.json";
    internal static readonly ulong AssignmentMagic = RecordFile.Magic("DPCLUST1");
    private const int LargestClusters = 10;
    private const int ExamplesPerCluster = 3;

    private readonly string _signaturesDir;
    private readonly string _pairsDir;

    public ClusterStage(DedupOptions options, string signaturesDir, string pairsDir, string pairsHash)
    {
        _signaturesDir = Path.GetFullPath(signaturesDir);
        _pairsDir = Path.GetFullPath(pairsDir);
        ConfigHash = Core.Config.ConfigHash.Combine(StageName, Core.Config.ConfigHash.Of(options), pairsHash);
    }

    public string Name => StageName;

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => null;

    public Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        if (DatasetFolder.ReadSuccess(_pairsDir) is null)
            throw new DataPipeException($"{_pairsDir}: pairs are not complete (no {DatasetFolder.SuccessFile})");
        return Task.FromResult(new StagePlan(1, 1, "tasks"));
    }

    public Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var pairs = new List<DupPair>();
        foreach (var file in Directory.EnumerateFiles(_pairsDir, "part-*.bin").Order(StringComparer.Ordinal))
        {
            ctx.AddInput(file);
            RecordFile.ReadInto(file, PairsStage.PairMagic, pairs);
        }
        ctx.AddRowsIn(pairs.Count);
        var exact = new UnionFind();
        var all = new UnionFind();
        foreach (var p in pairs)
        {
            if (p.Kind == PairKind.Exact) exact.Union(p.A, p.B);
            all.Union(p.A, p.B);
        }
        pairs.Clear();
        pairs.TrimExcess();

        using var meta = new DocRecordStore(Directory.EnumerateFiles(Path.Combine(_signaturesDir, "meta"), "part-*.bin"));
        var assignments = new List<ClusterAssignment>();
        var largest = new List<ClusterSummaryEntry>();
        long exactDups = 0, nearDups = 0;
        var sets = all.Sets();
        foreach (var members in sets)
        {
            ct.ThrowIfCancellationRequested();
            var ranked = members.Select(d => (Doc: d, Meta: DocMeta.Read(meta.Read(d)))).ToArray();
            Array.Sort(ranked, (x, y) => Rank(x.Doc, x.Meta, y.Doc, y.Meta));
            long keeper = ranked[0].Doc;
            long cluster = members[0];
            // The best-ranked member of each exact group represents it; the others are exact duplicates.
            var exactGroupsSeen = new HashSet<int>();
            foreach (var (doc, _) in ranked)
            {
                int group = exact.SetOf(doc);
                bool exactOfBetter = group >= 0 && !exactGroupsSeen.Add(group);
                var flag = doc == keeper ? ClusterFlag.Kept : exactOfBetter ? ClusterFlag.ExactDuplicate : ClusterFlag.NearDuplicate;
                if (flag == ClusterFlag.ExactDuplicate) exactDups++;
                else if (flag == ClusterFlag.NearDuplicate) nearDups++;
                assignments.Add(new ClusterAssignment(doc, cluster, flag));
            }
            largest.Add(new ClusterSummaryEntry
            {
                Cluster = cluster,
                Size = members.Length,
                Kept = keeper,
                Examples = [.. ranked.Take(ExamplesPerCluster).Select(r => r.Doc)],
            });
            if (largest.Count > 4 * LargestClusters) Trim(largest);
        }
        Trim(largest);
        assignments.Sort((x, y) => x.Doc.CompareTo(y.Doc));
        RecordFile.Write(ctx.CreateOutput(AssignmentsFile), AssignmentMagic, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(assignments));
        var summary = new ClusterSummary
        {
            Clusters = sets.Count,
            DocumentsInClusters = assignments.Count,
            ExactDuplicates = exactDups,
            NearDuplicates = nearDups,
            Largest = largest,
        };
        DatasetFolder.WriteJsonAtomic(ctx.CreateOutput(SummaryFile), summary);
        ctx.Counters.Increment("clusters", sets.Count);
        ctx.Counters.Increment("clusters.documents", assignments.Count);
        ctx.Counters.Increment("duplicates.exact", exactDups);
        ctx.Counters.Increment("duplicates.near", nearDups);
        ctx.AddRowsOut(assignments.Count);
        ctx.Progress.Advance(1);
        return Task.CompletedTask;

        static void Trim(List<ClusterSummaryEntry> l)
        {
            l.Sort((x, y) => x.Size != y.Size ? y.Size.CompareTo(x.Size) : x.Cluster.CompareTo(y.Cluster));
            if (l.Count > LargestClusters) l.RemoveRange(LargestClusters, l.Count - LargestClusters);
        }
    }

    /// <summary>Survivor order: higher quality first (missing scores last), then earlier fetch, then input order.</summary>
    internal static int Rank(long docX, DocMeta x, long docY, DocMeta y)
    {
        float qx = x.Quality ?? float.NegativeInfinity, qy = y.Quality ?? float.NegativeInfinity;
        int c = qy.CompareTo(qx);
        if (c != 0) return c;
        c = x.FetchTicks.CompareTo(y.FetchTicks);
        return c != 0 ? c : docX.CompareTo(docY);
    }

    /// <summary>The assignments of <c>clusters.bin</c>, sorted by document.</summary>
    public static List<ClusterAssignment> ReadAssignments(string clustersDir) =>
        RecordFile.Read<ClusterAssignment>(Path.Combine(clustersDir, AssignmentsFile), AssignmentMagic);
}

public enum ClusterFlag
{
    Kept = 0,
    ExactDuplicate = 1,
    NearDuplicate = 2,
}

/// <summary>A clustered document: its cluster (the cluster's smallest global row index) and whether it survives.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
public readonly record struct ClusterAssignment(long Doc, long Cluster, ClusterFlag Flag);

/// <summary><c>clusters.json</c>.</summary>
public sealed record ClusterSummary
{
    public long Clusters { get; init; }
    public long DocumentsInClusters { get; init; }
    public long ExactDuplicates { get; init; }
    public long NearDuplicates { get; init; }
    public IReadOnlyList<ClusterSummaryEntry> Largest { get; init; } = [];
}

public sealed record ClusterSummaryEntry
{
    public long Cluster { get; init; }
    public int Size { get; init; }
    public long Kept { get; init; }
    public IReadOnlyList<long> Examples { get; init; } = [];
}
