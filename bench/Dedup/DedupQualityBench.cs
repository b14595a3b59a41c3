using System.Diagnostics;
using System.Globalization;
using DataPipe.Core.Execution;
using DataPipe.Dedup;
using DataPipe.Dedup.Evaluation;

namespace DataPipe.Bench.Dedup;

/// <summary>
/// <c>dedup-quality [--bases N] [--threshold T] [--tasks N]</c>: generates originals from real text and copies of a
/// share of them at Jaccard levels from 0.3 to 0.98 plus exact copies, runs dedup with each verification mode, and prints
/// per similarity bin the share of pairs merged next to the LSH S-curve P = 1 − (1 − s^r)^b, recall at J ≥ 0.85 and at
/// the threshold, and precision of the emitted pairs (targets: recall ≥ 0.95 at J ≥ 0.85, precision ≥ 0.99
/// with verification).
/// </summary>
public static class DedupQualityBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int bases = IntArg(args, "--bases", 3000);
        int tasks = IntArg(args, "--tasks", 4);
        double threshold = double.Parse(Arg(args, "--threshold") ?? "0.8", CultureInfo.InvariantCulture);
        double[] levels = [0.3, 0.5, 0.6, 0.7, 0.75, 0.78, 0.8, 0.82, 0.85, 0.88, 0.9, 0.95, 0.98, 1.0];
        var sw = Stopwatch.StartNew();
        var g = DedupBenchData.Generator();
        var corpus = g.Generate(bases, 0.3, levels, seed: 2024);
        Console.WriteLine($"corpus: {corpus.Documents.Count:N0} documents ({bases:N0} originals, {corpus.Pairs.Count:N0} ground-truth pairs), generated in {sw.Elapsed.TotalSeconds:F1} s");
        string root = Path.Combine(Path.GetTempPath(), $"datapipe-dedup-quality-{Guid.NewGuid():N}");
        try
        {
            await InputDataset.WriteAsync(Path.Combine(root, "in"), corpus.Documents, corpus.Documents.Count, tasks, "dedup-quality", 2000).ConfigureAwait(false);
            foreach (var verify in new[] { DedupVerification.Shingles, DedupVerification.Signature, DedupVerification.None })
            {
                var options = new DedupOptions { Tasks = tasks, Threshold = threshold, Verify = verify };
                var pipeline = new DedupPipeline(options, Path.Combine(root, "in"), Path.Combine(root, verify.ToString()));
                sw.Restart();
                var stats = await pipeline.RunAsync(new StageRunOptions { Workers = Environment.ProcessorCount }).ConfigureAwait(false);
                double secs = sw.Elapsed.TotalSeconds;
                var report = DedupQuality.Evaluate(corpus, pipeline, options, g);
                var b = options.Banding;
                Console.WriteLine();
                Console.WriteLine($"== verify {verify.ToString().ToLowerInvariant()}: {b.Bands} bands x {b.Rows} rows, threshold {threshold}, {secs:F1} s, {stats.DocumentsIn:N0} in -> {stats.DocumentsOut:N0} out (exact {stats.ExactDuplicates:N0}, near {stats.NearDuplicates:N0})");
                Console.WriteLine($"{"true Jaccard",-14} {"pairs",7} {"merged",7} {"rate",7} {"S-curve",8}");
                foreach (var bin in report.Bins)
                {
                    string label = bin.From >= 1 ? "1.0 (exact)" : $"[{bin.From:F2},{bin.To:F2})";
                    Console.WriteLine($"{label,-14} {bin.Pairs,7} {bin.Found,7} {bin.Rate,7:F3} {bin.LshPrediction,8:F3}");
                }
                Console.WriteLine($"recall J>=0.85: {report.RecallAtLeast085:F3}   recall J>={threshold}: {report.RecallAtThreshold:F3}   pairs below threshold merged: {report.FalseMergeRateBelowThreshold:F3}");
                Console.WriteLine($"precision of emitted near pairs (true J >= {threshold}): {report.Precision:F4} of {report.EmittedNearPairs:N0}   (true J >= {0.9 * threshold:F2}: {report.PrecisionAt90PercentOfThreshold:F4})");
                Console.WriteLine($"candidates checked {stats.CandidatePairsChecked:N0}, rejected by verification {stats.PairsRejectedByVerification:N0}");
            }
        }
        finally
        {
            if (!args.Contains("--keep")) Directory.Delete(root, recursive: true);
            else Console.WriteLine($"kept: {root}");
        }
        return 0;
    }

    internal static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal static int IntArg(string[] args, string name, int fallback) =>
        Arg(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
