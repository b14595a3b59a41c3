using System.Runtime.InteropServices;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Dedup.MinHash;
using DataPipe.Dedup.Shuffle;

namespace DataPipe.Dedup.Stages;

/// <summary>
/// Dedup reduce step 2 of 4, one task per bucket partition: reads that partition's bucket file from every signature
/// task, sorts the entries so each bucket's members come together, and turns buckets into duplicate pairs. Exact keys
/// (<c>content_hash</c>, URL) pair every member with the bucket's first document. LSH buckets are candidates
/// (Leskovec et al., Mining of Massive Datasets ch. 3.4): in a bucket of up to <see cref="DedupOptions.PairwiseBucketLimit"/>
/// members every pair is verified; in a larger one (shared boilerplate) each member, in input order, is verified against
/// the group leaders so far (at most <see cref="DedupOptions.MaxLeadersPerBucket"/>) and leads a group of its own when it
/// matches none, which bounds the work; with verification off every member is paired with the bucket's first document. Similarity is the exact Jaccard of the shingle sets (as Spark's approxSimilarityJoin
/// computes it) or the MinHash estimate from the signatures. Each checked pair's outcome is cached, so a pair that
/// shares several bands is verified once. Writes <c>part-PPPPP.bin</c>: sorted, distinct pairs.
/// </summary>
public sealed class PairsStage : IStage
{
    public const string StageName = "dedup-pairs";
    internal static readonly ulong PairMagic = RecordFile.Magic("DPPAIRS1");

    private readonly DedupOptions _options;
    private readonly string _signaturesDir;
    private readonly int _bands;

    public PairsStage(DedupOptions options, string signaturesDir, string signaturesHash)
    {
        _options = options;
        _signaturesDir = Path.GetFullPath(signaturesDir);
        _bands = options.Banding.Bands;
        ConfigHash = Core.Config.ConfigHash.Combine(StageName, Core.Config.ConfigHash.Of(options), signaturesHash);
    }

    public string Name => StageName;

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => null;

    public static string PairFileName(int partition) => $"part-{partition:D5}.bin";

    public Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        if (DatasetFolder.ReadSuccess(_signaturesDir) is null)
            throw new DataPipeException($"{_signaturesDir}: signatures are not complete (no {DatasetFolder.SuccessFile})");
        return Task.FromResult(new StagePlan(_options.ResolvedPartitions, _options.ResolvedPartitions, "partitions"));
    }

    public Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var entries = new List<BucketEntry>();
        string bucketsDir = Path.Combine(_signaturesDir, "buckets");
        foreach (var file in Directory.EnumerateFiles(bucketsDir, SignatureStage.BucketPattern(ctx.TaskIndex)).Order(StringComparer.Ordinal))
        {
            ctx.AddInput(file);
            RecordFile.ReadInto(file, SignatureStage.BucketMagic, entries);
        }
        ctx.AddRowsIn(entries.Count);
        var span = CollectionsMarshal.AsSpan(entries);
        span.Sort();

        using var store = _options.Verify == DedupVerification.None ? null
            : new DocRecordStore(Directory.EnumerateFiles(Path.Combine(_signaturesDir, "verify"), "part-*.bin"));
        var checkedPairs = new Dictionary<(long, long), bool>();
        var cache = new Dictionary<long, uint[]>();
        var pairs = new List<DupPair>();
        var leaders = new List<long>();
        for (int start = 0; start < span.Length;)
        {
            ct.ThrowIfCancellationRequested();
            int end = start + 1;
            while (end < span.Length && span[end].Key == span[start].Key && span[end].Band == span[start].Band) end++;
            if (end - start > 1)
            {
                var bucket = span[start..end];
                int band = bucket[0].Band;
                ctx.Counters.Increment(band >= _bands ? "pairs.exact_buckets" : "pairs.lsh_buckets");
                if (band >= _bands || store is null)
                {
                    var kind = band >= _bands ? PairKind.Exact : PairKind.Near;
                    for (int i = 1; i < bucket.Length; i++)
                        if (bucket[i].Doc != bucket[0].Doc) pairs.Add(new DupPair(bucket[0].Doc, bucket[i].Doc, kind));
                }
                else
                {
                    Group(bucket, store, leaders, checkedPairs, cache, pairs, ctx.Counters);
                }
            }
            start = end;
            if (cache.Count > 50_000) cache.Clear();
        }

        var all = CollectionsMarshal.AsSpan(pairs);
        all.Sort();
        using var writer = new RecordWriter<DupPair>(ctx.CreateOutput(PairFileName(ctx.TaskIndex)), PairMagic);
        for (int i = 0; i < all.Length; i++)
        {
            if (i > 0 && all[i] == all[i - 1]) continue;
            writer.Add(all[i]);
            ctx.Counters.Increment(all[i].Kind == PairKind.Exact ? "pairs.exact" : "pairs.near");
        }
        ctx.AddRowsOut(writer.Written);
        ctx.Progress.Advance(1);
        return Task.CompletedTask;
    }

    private void Group(Span<BucketEntry> bucket, DocRecordStore store, List<long> leaders, Dictionary<(long, long), bool> checkedPairs,
        Dictionary<long, uint[]> cache, List<DupPair> pairs, Counters counters)
    {
        if (bucket.Length <= _options.PairwiseBucketLimit)
        {
            // Every pair of the bucket, as Spark's approxSimilarityJoin does: exact recall for what LSH proposed.
            for (int i = 0; i < bucket.Length; i++)
                for (int k = i + 1; k < bucket.Length; k++)
                    if (Similar(bucket[i].Doc, bucket[k].Doc)) pairs.Add(new DupPair(bucket[i].Doc, bucket[k].Doc, PairKind.Near));
            return;
        }
        // A huge bucket (boilerplate pages): each member against the group leaders so far, a leader itself when it joins none.
        counters.Increment("pairs.large_buckets");
        leaders.Clear();
        foreach (var e in bucket)
        {
            bool joined = false;
            foreach (long leader in leaders)
            {
                if (Similar(leader, e.Doc))
                {
                    pairs.Add(new DupPair(leader, e.Doc, PairKind.Near));
                    joined = true;
                }
            }
            if (!joined && leaders.Count < _options.MaxLeadersPerBucket) leaders.Add(e.Doc);
            else if (!joined) counters.Increment("pairs.bucket_leader_limit");
        }

        bool Similar(long a, long b)
        {
            if (a == b) return true;
            if (!checkedPairs.TryGetValue((a, b), out bool similar))
            {
                similar = Similarity(Load(a), Load(b)) >= _options.Threshold;
                checkedPairs[(a, b)] = similar;
                counters.Increment("pairs.candidates_checked");
                if (!similar) counters.Increment("pairs.rejected_by_verification");
            }
            return similar;
        }

        uint[] Load(long doc)
        {
            if (!cache.TryGetValue(doc, out var v)) cache[doc] = v = store.Read(doc);
            return v;
        }
    }

    private double Similarity(uint[] a, uint[] b) => _options.Verify == DedupVerification.Signature
        ? MinHasher.EstimateJaccard(a, b)
        : SetJaccard(a, b);

    /// <summary>|A ∩ B| / |A ∪ B| of two sorted, distinct sets.</summary>
    public static double SetJaccard(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        if (a.Length == 0 && b.Length == 0) return 1;
        int i = 0, j = 0, both = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j]) { both++; i++; j++; }
            else if (a[i] < b[j]) i++;
            else j++;
        }
        return (double)both / (a.Length + b.Length - both);
    }
}

public enum PairKind
{
    Near = 0,
    Exact = 1,
}

/// <summary>Two documents (global row indices, <see cref="A"/> &lt; <see cref="B"/> in input order) found to be duplicates.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct DupPair(long A, long B, PairKind Kind) : IComparable<DupPair>
{
    public static bool operator <(DupPair left, DupPair right) => left.CompareTo(right) < 0;

    public static bool operator <=(DupPair left, DupPair right) => left.CompareTo(right) <= 0;

    public static bool operator >(DupPair left, DupPair right) => left.CompareTo(right) > 0;

    public static bool operator >=(DupPair left, DupPair right) => left.CompareTo(right) >= 0;

    public int CompareTo(DupPair other)
    {
        int c = A.CompareTo(other.A);
        if (c != 0) return c;
        c = B.CompareTo(other.B);
        return c != 0 ? c : Kind.CompareTo(other.Kind);
    }
}
