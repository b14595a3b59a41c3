using DataPipe.Dedup.MinHash;
using DataPipe.Dedup.Shuffle;
using DataPipe.Dedup.Stages;

namespace DataPipe.Dedup.Evaluation;

/// <summary>
/// Scores a dedup run against a <see cref="GroundTruthCorpus"/>: per band of true Jaccard similarity, the share of
/// ground-truth pairs that ended in one cluster, beside the LSH S-curve's prediction P = 1 − (1 − s^r)^b;
/// recall of pairs at or above 0.85 and at or above the threshold; and precision, the share of the near pairs the run
/// emitted whose true similarity (exact Jaccard of their 64-bit shingle sets) reaches the threshold.
/// </summary>
public static class DedupQuality
{
    public static readonly double[] BinEdges = [0, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0];

    public sealed record Bin(double From, double To, int Pairs, int Found, double Rate, double LshPrediction);

    public sealed record Report(
        IReadOnlyList<Bin> Bins,
        double RecallAtLeast085,
        double RecallAtThreshold,
        double FalseMergeRateBelowThreshold,
        long EmittedNearPairs,
        double Precision,
        double PrecisionAt90PercentOfThreshold);

    public static Report Evaluate(GroundTruthCorpus corpus, DedupPipeline pipeline, DedupOptions options, NearDuplicateGenerator generator)
    {
        var cluster = ClusterStage.ReadAssignments(pipeline.ClustersDir).ToDictionary(a => a.Doc, a => a.Cluster);
        bool Together(long a, long b) => cluster.TryGetValue(a, out var ca) && cluster.TryGetValue(b, out var cb) && ca == cb;
        var banding = options.Banding;
        var bins = new List<Bin>();
        for (int k = 0; k < BinEdges.Length; k++)
        {
            double from = BinEdges[k], to = k + 1 < BinEdges.Length ? BinEdges[k + 1] : 1.0;
            bool last = k + 1 == BinEdges.Length;
            var inBin = corpus.Pairs.Where(p => last ? p.Jaccard >= 1.0 : p.Jaccard >= from && p.Jaccard < to).ToList();
            if (inBin.Count == 0) continue;
            int found = inBin.Count(p => Together(p.A, p.B));
            bins.Add(new Bin(from, last ? 1.0 : to, inBin.Count, found, (double)found / inBin.Count, inBin.Average(p => banding.CandidateProbability(p.Jaccard))));
        }
        double Recall(Func<GroundTruthPair, bool> which)
        {
            var ps = corpus.Pairs.Where(which).ToList();
            return ps.Count == 0 ? double.NaN : (double)ps.Count(p => Together(p.A, p.B)) / ps.Count;
        }
        var below = corpus.Pairs.Where(p => p.Jaccard < options.Threshold).ToList();
        double falseMerge = below.Count == 0 ? 0 : (double)below.Count(p => Together(p.A, p.B)) / below.Count;

        // Precision over the pairs the run itself emitted from LSH buckets.
        var emitted = new List<DupPair>();
        foreach (var f in Directory.EnumerateFiles(pipeline.PairsDir, "part-*.bin"))
            RecordFile.ReadInto(f, PairsStage.PairMagic, emitted);
        var near = emitted.Where(p => p.Kind == PairKind.Near).ToList();
        var sets = new Dictionary<long, HashSet<ulong>>();
        HashSet<ulong> Set(long d) => sets.TryGetValue(d, out var s) ? s : sets[d] = generator.ShingleSet(corpus.Documents[(int)d].Text);
        var trueJ = near.Select(p => NearDuplicateGenerator.Jaccard(Set(p.A), Set(p.B))).ToList();
        double precision = near.Count == 0 ? 1 : (double)trueJ.Count(j => j >= options.Threshold - 1e-9) / near.Count;
        double precisionLoose = near.Count == 0 ? 1 : (double)trueJ.Count(j => j >= 0.9 * options.Threshold) / near.Count;
        return new Report(bins, Recall(p => p.Jaccard >= 0.85), Recall(p => p.Jaccard >= options.Threshold), falseMerge, near.Count, precision, precisionLoose);
    }
}
