using System.Diagnostics;
using System.Globalization;
using DataPipe.Core.Execution;
using DataPipe.Dedup;
using DataPipe.Dedup.Evaluation;

namespace DataPipe.Bench.Dedup;

/// <summary>
/// <c>dedup-scale --docs 100000[,1000000] [--tasks N] [--workers W] [--verify shingles|signature|none]</c>: generates
/// N documents of about 3 KB from real sentences (12% duplicates), runs the whole dedup and prints wall time per stage,
/// documents per second and the process's peak working set during dedup (sampled every 50 ms, and the OS peak), then
/// how time grew from the smallest to the largest size (target: 1,000,000 documents under 4 GB).
/// </summary>
public static class DedupScaleBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        long[] sizes = [.. (DedupQualityBench.Arg(args, "--docs") ?? "100000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture))];
        int workers = DedupQualityBench.IntArg(args, "--workers", Environment.ProcessorCount);
        int tasks = DedupQualityBench.IntArg(args, "--tasks", Math.Max(2, workers));
        var verify = Enum.Parse<DedupVerification>(DedupQualityBench.Arg(args, "--verify") ?? "shingles", ignoreCase: true);
        var g = DedupBenchData.Generator();
        var rows = new List<(long Docs, double Seconds)>();
        foreach (long n in sizes)
        {
            string root = Path.Combine(Path.GetTempPath(), $"datapipe-dedup-scale-{Guid.NewGuid():N}");
            try
            {
                var sw = Stopwatch.StartNew();
                await InputDataset.WriteAsync(Path.Combine(root, "in"), DedupBenchData.ScaleCorpus(g, n, 11), n, tasks, $"dedup-scale-{n}", 5000).ConfigureAwait(false);
                long inputBytes = Directory.EnumerateFiles(Path.Combine(root, "in"), "*.parquet").Sum(f => new FileInfo(f).Length);
                Console.WriteLine($"input: {n:N0} documents, {inputBytes / 1e6:F0} MB Parquet (zstd), generated in {sw.Elapsed.TotalSeconds:F1} s");

                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                long peak = 0;
                using var stop = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    using var self = Process.GetCurrentProcess();
                    while (!stop.IsCancellationRequested)
                    {
                        self.Refresh();
                        peak = Math.Max(peak, self.WorkingSet64);
                        try { await Task.Delay(50, stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
                    }
                });
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                sw.Restart();
                var options = new DedupOptions { Tasks = tasks, Verify = verify };
                var stats = await new DedupPipeline(options, Path.Combine(root, "in"), Path.Combine(root, "out"))
                    .RunAsync(new StageRunOptions { Workers = workers }).ConfigureAwait(false);
                double secs = sw.Elapsed.TotalSeconds;
                double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                await stop.CancelAsync().ConfigureAwait(false);
                await sampler.ConfigureAwait(false);
                rows.Add((n, secs));
                Console.WriteLine($"dedup {n:N0} docs: {secs:F1} s wall, {cpu:F1} CPU-s, {n / secs:N0} docs/s, {n / cpu:N0} docs/CPU-s, peak working set {peak / 1e9:F2} GB (sampled), OS peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1e9:F2} GB; {tasks} tasks on {workers} workers, verify {verify.ToString().ToLowerInvariant()}");
                Console.WriteLine($"  out {stats.DocumentsOut:N0} (exact {stats.ExactDuplicates:N0}, near {stats.NearDuplicates:N0}, clusters {stats.Clusters:N0}, candidates checked {stats.CandidatePairsChecked:N0})");
                Console.WriteLine($"  stage wall seconds: {string.Join(", ", stats.StageWallSeconds.Select(kv => $"{kv.Key} {kv.Value:F1}"))}");
                double gb = Math.Max(peak, Process.GetCurrentProcess().PeakWorkingSet64) / 1e9;
                Harness.ReportRow.Add(new Harness.ReportRow($"Dedup at scale: {n:N0} generated 3 KB documents, whole pipeline, peak working set",
                    $"{gb:F2} GB; {n / secs:N0} docs/s wall, {n / cpu:N0} docs/CPU-s", "—", "—", "< 4 GB at 1,000,000 documents",
                    n >= 1_000_000 ? Harness.ReportRow.JudgeAtMost(gb, 4.0) : $"not judged at {n:N0} documents (run --docs 1000000)",
                    $"{tasks} tasks on {workers} workers; OS peak includes the generator's input in this process"));
            }
            finally
            {
                if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            }
        }
        if (rows.Count > 1)
        {
            var (d0, s0) = rows[0];
            var (d1, s1) = rows[^1];
            Console.WriteLine($"growth {d0:N0} -> {d1:N0} documents ({(double)d1 / d0:F1}x): time {s1 / s0:F2}x (linear would be {(double)d1 / d0:F1}x)");
        }
        return 0;
    }
}
