using DataPipe.Dedup.MinHash;

namespace DataPipe.Dedup;

/// <summary>How candidate pairs from LSH are confirmed before they join a cluster.</summary>
public enum DedupVerification
{
    /// <summary>Every candidate pair is a duplicate (LSH alone).</summary>
    None,

    /// <summary>The share of agreeing MinHash positions must reach the threshold.</summary>
    Signature,

    /// <summary>The exact Jaccard similarity of the shingle sets must reach the threshold (what Spark's approxSimilarityJoin does).</summary>
    Shingles,
}

/// <summary>
/// The options of the dedup stages, as plain data (their JSON is part of every dedup stage's config hash).
/// Defaults follow GPT-3's use of Spark MinHashLSH: 5-word shingles, 14 bands × 8 rows, Jaccard 0.8.
/// </summary>
public sealed record DedupOptions
{
    /// <summary>Words per shingle.</summary>
    public int ShingleSize { get; init; } = 5;

    /// <summary>LSH bands; with <see cref="Rows"/> null, both are chosen from <see cref="Threshold"/> (<see cref="LshBanding.ForThreshold"/>).</summary>
    public int? Bands { get; init; }

    public int? Rows { get; init; }

    /// <summary>Permutation budget when bands and rows are chosen from the threshold.</summary>
    public int Permutations { get; init; } = 112;

    /// <summary>Jaccard similarity at or above which two documents are near-duplicates.</summary>
    public double Threshold { get; init; } = 0.8;

    public DedupVerification Verify { get; init; } = DedupVerification.Shingles;

    /// <summary>Also drop documents whose URL repeats (besides repeated <c>content_hash</c>).</summary>
    public bool ExactByUrl { get; init; } = true;

    /// <summary>Tasks of the per-input stages (signatures, write); the input is sliced by row groups.</summary>
    public int Tasks { get; init; } = 1;

    /// <summary>Bucket partitions: the tasks of the pairs stage (0: max(tasks, 8)).</summary>
    public int Partitions { get; init; }

    /// <summary>Buckets with at most this many members have every pair verified; larger ones are grouped by leaders.</summary>
    public int PairwiseBucketLimit { get; init; } = 64;

    /// <summary>In a bucket above <see cref="PairwiseBucketLimit"/>: leaders a member is compared with before it is left out (bounds work).</summary>
    public int MaxLeadersPerBucket { get; init; } = 16;

    /// <summary>Write dropped documents to <c>documents/rejected/{exact,near}/</c>.</summary>
    public bool KeepRejected { get; init; }

    public ulong Seed { get; init; } = 0x5EED_D1D0_DA7A_0001UL;

    public LshBanding Banding => Bands is int b && Rows is int r ? new LshBanding(b, r) : LshBanding.ForThreshold(Threshold, Permutations);

    public int ResolvedPartitions => Partitions > 0 ? Partitions : Math.Max(Tasks, 8);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (ShingleSize < 1) throw new ArgumentException($"shingle size must be >= 1 (got {ShingleSize})");
        if (Bands is null != Rows is null) throw new ArgumentException("bands and rows must be given together");
        if (Bands is < 1 || Rows is < 1) throw new ArgumentException($"bands and rows must be >= 1 (got {Bands} x {Rows})");
        if (Bands is int b && b > 250) throw new ArgumentException($"at most 250 bands (got {b})");
        if (Threshold is <= 0 or > 1) throw new ArgumentException($"threshold must be in (0, 1] (got {Threshold})");
        if (Tasks < 1) throw new ArgumentException($"tasks must be >= 1 (got {Tasks})");
        if (Partitions < 0) throw new ArgumentException($"partitions must be >= 0 (got {Partitions})");
        if (PairwiseBucketLimit < 2) throw new ArgumentException($"pairwise bucket limit must be >= 2 (got {PairwiseBucketLimit})");
        if (MaxLeadersPerBucket < 1) throw new ArgumentException($"max leaders per bucket must be >= 1 (got {MaxLeadersPerBucket})");
    }
}
