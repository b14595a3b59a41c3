using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataPipe.Bench.Harness;
using DataPipe.Train;
using DataPipe.Train.Data;
using DataPipe.Train.Model;
using static TorchSharp.torch;

namespace DataPipe.Bench.Train;

/// <summary>
/// <c>train-vs-pytorch [key=value ...]</c>: the same GPT trained by <see cref="GptTrainer"/> and by a PyTorch reference
/// (bench/Train/gpt_reference.py on Debian's python3-torch, CPU) from the same initial weights on the same batches with
/// the same learning rates, alternated (ours, PyTorch, ours, PyTorch; <c>runs=2</c>). PyTorch runs as its users run
/// it on Debian: with OpenBLAS (libopenblas0-pthread, installed here when missing; the bench refuses to report
/// against the reference BLAS) and its build configuration printed. Prints the largest relative difference of the
/// first 50 losses (target 1e-3), tokens/s and tokens per CPU-second of both and their ratios (target ≥ 2x), the
/// measured 2048² matmul peak and the CPU MFU it gives (target ≥ 60%), and peak memory of both processes.
/// </summary>
internal static class TrainVsPyTorchBench
{
    public static readonly TrainConfig Default = new()
    {
        Layers = 6, Heads = 6, Width = 384, Context = 256, Batch = 8, Steps = 50, Lr = 1e-3, MinLr = 1e-4, WarmupSteps = 10,
        EvalEvery = 0, CheckpointEvery = 0, Device = "cpu", Threads = Environment.ProcessorCount, Seed = 1337,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var (config, rest) = BenchShards.Parse(args, Default);
        if (!config.Bias) throw new ArgumentException("the PyTorch reference needs bias=true (PyTorch 1.13's LayerNorm always has a bias)");
        string python = rest.GetValueOrDefault("python", "/usr/bin/python3");
        EnsureTorch(python);
        EnsureOpenBlas();
        string root = Path.Combine(Path.GetTempPath(), $"datapipe-bench-vs-pytorch-{Guid.NewGuid():N}");
        var ci = CultureInfo.InvariantCulture;
        try
        {
            string shards = Path.Combine(root, "shards");
            var manifest = await BenchShards.ShakespeareAsync(shards, long.MaxValue);
            int vocab = manifest.Tokenizer.VocabSize;
            string export = Path.Combine(root, "export");
            Directory.CreateDirectory(export);

            // 1. The initial weights the trainer will start from (same seed, same construction order).
            manual_seed(config.Seed);
            using (var model = new Gpt(GptShape.From(config, vocab), config.Seed))
            {
                var named = model.named_parameters().ToList();
                await using (var w = File.Create(Path.Combine(export, "weights.bin")))
                    foreach (var (_, p) in named)
                    {
                        var data = p.detach().cpu().contiguous().data<float>().ToArray();
                        var bytes = new byte[data.Length * 4];
                        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
                        await w.WriteAsync(bytes);
                    }
                var spec = new Dictionary<string, object>
                {
                    ["shape"] = new { vocab, context = config.Context, layers = config.Layers, heads = config.Heads, width = config.Width, bias = config.Bias },
                    ["names"] = named.Select(n => n.name).ToArray(),
                    ["shapes"] = named.Select(n => n.parameter.shape).ToArray(),
                    ["rows"] = config.Batch,
                    ["accumulation"] = config.AccumulationSteps,
                    ["lrs"] = Enumerable.Range(0, config.Steps).Select(s => LearningRateSchedule.At(s, config)).ToArray(),
                    ["weight_decay"] = config.WeightDecay,
                    ["beta1"] = config.Beta1,
                    ["beta2"] = config.Beta2,
                    ["grad_clip"] = config.GradClip,
                    ["threads"] = config.Threads > 0 ? config.Threads : Environment.ProcessorCount,
                };
                await File.WriteAllTextAsync(Path.Combine(export, "export.json"), JsonSerializer.Serialize(spec));
            }

            // 2. The batches the trainer's loader will give it.
            await using (var loader = await BatchLoader.OpenAsync(shards, manifest, new BatchLoaderOptions("train", config.Batch, config.Context, vocab, config.Seed)))
            await using (var w = File.Create(Path.Combine(export, "batches.bin")))
            {
                for (int i = 0; i < config.Steps * config.AccumulationSteps; i++)
                {
                    var b = (await loader.NextAsync())!;
                    foreach (var part in new[] { b.Inputs, b.Targets })
                    {
                        var bytes = new byte[part.Length * 8];
                        Buffer.BlockCopy(part, 0, bytes, 0, bytes.Length);
                        await w.WriteAsync(bytes);
                    }
                }
            }

            // 3. The measured matmul peak of our TorchSharp at the bench's thread count: the physical limit for MFU.
            int threads = config.Threads > 0 ? config.Threads : Environment.ProcessorCount;
            var (oursPeak, oursPeakCpu) = MatmulPeakGflops(threads);
            Console.WriteLine(string.Create(ci, $"matmul peak (TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, 2048x2048 float32, {threads} threads, best of 3x8): {oursPeak:F1} GFLOP/s wall, {oursPeakCpu:F1} GFLOP per CPU-second"));

            // 4. Ours and PyTorch alternated (ours, PyTorch, ours, PyTorch, ...), so a change of load on the shared
            //    machine falls on both; each side's best run is reported, with CPU seconds beside wall seconds.
            int runs = int.Parse(rest.GetValueOrDefault("runs", "2"), ci);
            string script = Path.Combine(BenchShards.RepoRoot(), "bench", "Train", "gpt_reference.py");
            var pyEnv = new Dictionary<string, string>
            {
                // OpenBLAS's own thread pool would otherwise start one thread per core whatever torch.set_num_threads says.
                ["OPENBLAS_NUM_THREADS"] = threads.ToString(ci),
                ["OMP_NUM_THREADS"] = threads.ToString(ci),
            };
            string loadBefore = SideBySide.PrintLoad("before the alternated runs");
            TrainResult? ours = null;
            JsonElement py = default;
            var oursRuns = new List<(double Tps, double TokPerCpu)>();
            var pyRuns = new List<(double Tps, double TokPerCpu, double ChildCpu)>();
            for (int r = 0; r < runs; r++)
            {
                // Process CPU time at the end of each step (OnStep runs on the training loop after the update).
                var cpuAtStep = new List<double>();
                Dictionary<int, (string Name, double Seconds)>? threadsAtStep1 = null, threadsAtEnd = null;
                int stepsSeen = 0;
                var (result, t) = SideBySide.Measure(() => GptTrainer.RunAsync(new TrainRequest(shards, Path.Combine(root, $"run{r}"), config)
                {
                    OnStep = _ =>
                    {
                        cpuAtStep.Add(SideBySide.ProcessCpuSeconds());
                        if (++stepsSeen == 1) threadsAtStep1 = SideBySide.ThreadCpuByThread();
                        else if (stepsSeen == config.Steps) threadsAtEnd = SideBySide.ThreadCpuByThread();
                    },
                }).GetAwaiter().GetResult());
                if (threadsAtStep1 is not null && threadsAtEnd is not null) PrintThreadShares(threadsAtStep1, threadsAtEnd, cpuAtStep[^1] - cpuAtStep[0]);
                ours = result;
                double tps = result.StepMetrics.Skip(1).Sum(s => s.BatchTokens) / result.StepMetrics.Skip(1).Sum(s => s.Seconds);
                oursRuns.Add((tps, result.StepMetrics.Skip(1).Sum(s => s.BatchTokens) / (cpuAtStep[^1] - cpuAtStep[0])));
                Console.WriteLine(string.Create(ci, $"  run {r + 1} ours:    {tps,8:N0} tok/s (wall, steps 2..), {oursRuns[^1].TokPerCpu,8:N0} tok per CPU-second (steps 2..); whole run {t.WallSeconds:F1} s wall, {t.CpuSeconds:F1} CPU-s; load {SideBySide.LoadAverage()}"));

                var child = SideBySide.Run(python, [script, export], environment: pyEnv);
                py = child.LastJson();
                if (r == 0) Console.WriteLine("torch.__config__.show():\n" + string.Join('\n', child.Stdout.TrimEnd().Split('\n')[..^1].Select(l => "    " + l)));
                RequireOpenBlas(py);
                var secs = py.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                double runTps = (double)config.TokensPerStep * (secs.Length - 1) / secs.Skip(1).Sum();
                double pyCpu = py.GetProperty("cpu_seconds_per_step").EnumerateArray().Skip(1).Sum(e => e.GetDouble());
                pyRuns.Add((runTps, (double)config.TokensPerStep * (secs.Length - 1) / pyCpu, child.CpuSeconds));
                Console.WriteLine(string.Create(ci, $"  run {r + 1} PyTorch: {runTps,8:N0} tok/s (wall, steps 2..), {pyRuns[^1].TokPerCpu,8:N0} tok per CPU-second (steps 2..); whole process {child.WallSeconds:F1} s wall, {child.CpuSeconds:F1} CPU-s (whole process, rusage); load {SideBySide.LoadAverage()}"));
            }
            string loadAfter = SideBySide.PrintLoad("after");

            var pyLosses = py.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double pyPeak = py.GetProperty("peak_mib").GetDouble();
            double pyMatmul = py.GetProperty("matmul_gflops").GetDouble();
            double pyMatmulCpu = py.GetProperty("matmul_gflops_per_cpu_second").GetDouble();
            int n = Math.Min(50, Math.Min(pyLosses.Length, ours!.StepMetrics.Count));
            double maxRel = 0;
            int worst = 0;
            for (int i = 0; i < n; i++)
            {
                double rel = Math.Abs(ours.StepMetrics[i].Loss - pyLosses[i]) / Math.Abs(pyLosses[i]);
                if (rel > maxRel) (maxRel, worst) = (rel, i + 1);
            }
            double oursTps = oursRuns.Max(x => x.Tps), pyTps = pyRuns.Max(x => x.Tps);
            double oursPerCpu = oursRuns.Max(x => x.TokPerCpu), pyPerCpu = pyRuns.Max(x => x.TokPerCpu);
            // Model FLOPs per token (PaLM appendix B, as nanoGPT counts them): 6 per non-embedding parameter (forward and
            // backward matmuls) plus 12·layers·width·context for attention's scores and weighted sum.
            double flopsPerToken = 6.0 * ours.NonEmbeddingParameters + 12.0 * config.Layers * config.Width * config.Context;
            // MFU on wall clock (tok/s against the matmul's GFLOP/s) and on CPU time (tokens per CPU-second against the
            // matmul's GFLOP per CPU-second): on a loaded machine the peak and the run see different shares of the
            // cores, and the CPU-time form, which divides that share out of both, is the steadier of the two.
            double mfu = flopsPerToken * oursTps / (oursPeak * 1e9);
            double pyMfu = flopsPerToken * pyTps / (pyMatmul * 1e9);
            double mfuCpu = flopsPerToken * oursPerCpu / (oursPeakCpu * 1e9);
            double pyMfuCpu = flopsPerToken * pyPerCpu / (pyMatmulCpu * 1e9);

            Console.WriteLine(string.Create(ci, $"config: layers {config.Layers}, heads {config.Heads}, width {config.Width}, context {config.Context}, batch {config.Batch}×{config.AccumulationSteps}, {config.Steps} steps, {threads} threads, {ours.Parameters:N0} parameters ({ours.NonEmbeddingParameters:N0} without the position embedding)"));
            Console.WriteLine(string.Create(ci, $"PyTorch {py.GetProperty("torch").GetString()} via {python}, {py.GetProperty("threads").GetInt32()} threads, BLAS {string.Join(", ", py.GetProperty("blas").EnumerateArray().Select(e => e.GetString()))}"));
            Console.WriteLine(" step   ours        pytorch     rel.diff");
            foreach (int i in new[] { 0, 1, 2, 9, 19, 29, 39, n - 1 }.Where(i => i >= 0 && i < n).Distinct())
                Console.WriteLine(string.Create(ci, $" {i + 1,4}   {ours.StepMetrics[i].Loss,-10:F6}  {pyLosses[i],-10:F6}  {Math.Abs(ours.StepMetrics[i].Loss - pyLosses[i]) / pyLosses[i]:E2}"));
            Console.WriteLine(string.Create(ci, $"max relative loss difference over {n} steps: {maxRel:E2} (step {worst}); target 1e-3: {(maxRel <= 1e-3 ? "met" : "NOT met")}"));
            Console.WriteLine(string.Create(ci, $"tokens/s (best of {runs} alternated runs, wall): ours {oursTps:N0}, PyTorch {pyTps:N0}, ratio {oursTps / pyTps:F2} (target >= 2.0)"));
            Console.WriteLine(string.Create(ci, $"tokens per CPU-second (best run): ours {oursPerCpu:N0}, PyTorch {pyPerCpu:N0}, ratio {oursPerCpu / pyPerCpu:F2}"));
            Console.WriteLine(string.Create(ci, $"model FLOPs per token {flopsPerToken / 1e6:F1} M: ours {flopsPerToken * oursTps / 1e9:F1} GFLOP/s = {100 * mfu:F0}% of our measured matmul peak {oursPeak:F1} GFLOP/s (target >= 60%); PyTorch {flopsPerToken * pyTps / 1e9:F1} GFLOP/s = {100 * pyMfu:F0}% of its own (OpenBLAS) peak {pyMatmul:F1} GFLOP/s"));
            Console.WriteLine(string.Create(ci, $"the same on CPU time: ours {flopsPerToken * oursPerCpu / 1e9:F1} GFLOP per CPU-s = {100 * mfuCpu:F0}% of the matmul's {oursPeakCpu:F1} GFLOP per CPU-s; PyTorch {100 * pyMfuCpu:F0}% of its {pyMatmulCpu:F1}"));
            Console.WriteLine(string.Create(ci, $"peak memory: ours {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MiB (whole bench process), PyTorch {pyPeak:N0} MiB"));

            string machineLoad = $"load {loadBefore} → {loadAfter}";
            ReportRow.Add(new ReportRow("Train: GPT 6x384, T=256, tokens/s (wall, best of alternated runs)",
                string.Create(ci, $"{oursTps:N0} tok/s ({oursPerCpu:N0}/CPU-s)"), string.Create(ci, $"PyTorch 1.13 + OpenBLAS {pyTps:N0} tok/s ({pyPerCpu:N0}/CPU-s)"),
                string.Create(ci, $"{oursTps / pyTps:F2}x wall, {oursPerCpu / pyPerCpu:F2}x CPU"), "≥ 2x", ReportRow.Judge(oursTps / pyTps, 2.0),
                string.Create(ci, $"matmul peak {oursPeak:F0} GFLOP/s ({threads} threads); losses: max relative difference {maxRel:E1} over all {n} steps; {machineLoad}")));
            ReportRow.Add(new ReportRow("Train: CPU MFU (6N + 12·L·d·T FLOPs per token × rate ÷ measured matmul peak), wall and CPU-time forms",
                string.Create(ci, $"{100 * mfu:F0}% wall ({flopsPerToken * oursTps / 1e9:F1} of {oursPeak:F1} GFLOP/s); {100 * mfuCpu:F0}% CPU-time"),
                string.Create(ci, $"PyTorch {100 * pyMfu:F0}% wall of its {pyMatmul:F1} GFLOP/s; {100 * pyMfuCpu:F0}% CPU-time"),
                "—", "≥ 60%", $"{ReportRow.Judge(mfu, 0.6)} (wall), {ReportRow.Judge(mfuCpu, 0.6)} (CPU)", string.Create(ci, $"TorchSharp 2048² matmul {oursPeak:F1} GFLOP/s wall, {oursPeakCpu:F1} per CPU-s, {threads} threads; {machineLoad}")));
            return maxRel <= 1e-3 ? 0 : 1;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Where the CPU time of steps 2.. went, by thread: with T intra-op threads busy all the time, the training thread
    /// and T-1 pool threads would each show about 1/T of it; a pool thread far below that means serial parts of the step.
    /// </summary>
    private static void PrintThreadShares(Dictionary<int, (string Name, double Seconds)> before, Dictionary<int, (string Name, double Seconds)> after, double processCpu)
    {
        var used = after.Select(kv => (kv.Key, kv.Value.Name, Seconds: kv.Value.Seconds - (before.TryGetValue(kv.Key, out var b) ? b.Seconds : 0)))
            .Where(x => x.Seconds > 0.005).OrderByDescending(x => x.Seconds).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    CPU by thread over steps 2.. ({processCpu:F2} CPU-s in the process): {string.Join(", ", used.Take(6).Select(x => $"{x.Name}#{x.Key} {x.Seconds:F2} s"))}{(used.Count > 6 ? $", {used.Count - 6} more {used.Skip(6).Sum(x => x.Seconds):F2} s" : "")}"));
    }

    /// <summary>Best rates of a float32 2048×2048 matmul through TorchSharp at <paramref name="threads"/> threads (2n³ FLOPs each): GFLOP per wall second and per CPU second.</summary>
    internal static (double Wall, double Cpu) MatmulPeakGflops(int threads, int n = 2048, int reps = 8, int rounds = 3)
    {
        set_num_threads(threads);
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        mm(a, b).Dispose();
        double bestWall = 0, bestCpu = 0;
        for (int r = 0; r < rounds; r++)
        {
            var (_, t) = SideBySide.Measure(() =>
            {
                for (int i = 0; i < reps; i++) mm(a, b).Dispose();
                return 0;
            });
            double gflop = 2.0 * n * n * n * reps / 1e9;
            bestWall = Math.Max(bestWall, gflop / t.WallSeconds);
            bestCpu = Math.Max(bestCpu, gflop / t.CpuSeconds);
        }
        return (bestWall, bestCpu);
    }

    /// <summary>
    /// Refuses a PyTorch that ran on the reference BLAS: Debian's torch calls whichever libblas.so.3 the alternatives
    /// system selects, and the reference implementation is tens of times slower than what PyTorch's users run.
    /// </summary>
    private static void RequireOpenBlas(JsonElement py)
    {
        var blas = py.GetProperty("blas").EnumerateArray().Select(e => e.GetString() ?? "").ToList();
        if (!blas.Any(b => b.Contains("openblas", StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"refusing to report: PyTorch ran on {string.Join(", ", blas.DefaultIfEmpty("no BLAS found"))}, not OpenBLAS. " +
                "Install it (apt-get install libopenblas0-pthread) and select it (update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3)");
    }

    /// <summary>Installs Debian's libopenblas0-pthread (the BLAS PyTorch's users run) when missing, as root; else says how.</summary>
    private static void EnsureOpenBlas()
    {
        if (File.Exists(OpenBlasLibrary)) return;
        Console.WriteLine("libopenblas0-pthread is not installed; installing it (apt-get install libopenblas0-pthread)");
        if (Run("apt-get", "install", "-y", "-qq", "libopenblas0-pthread") != 0 || !File.Exists(OpenBlasLibrary))
            throw new InvalidOperationException("refusing to run PyTorch on the reference BLAS: run apt-get install libopenblas0-pthread (as root) first");
    }

    private const string OpenBlasLibrary = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3";

    /// <summary>Installs Debian's python3-torch when <paramref name="python"/> cannot import torch (needs root and apt).</summary>
    private static void EnsureTorch(string python)
    {
        if (Run(python, "-c", "import torch") == 0) return;
        Console.WriteLine($"{python} has no torch; installing Debian's python3-torch");
        if (Run("apt-get", "install", "-y", "-qq", "python3-torch") != 0 && (Run("apt-get", "update", "-qq") != 0 || Run("apt-get", "install", "-y", "-qq", "python3-torch") != 0))
            throw new InvalidOperationException("could not install python3-torch (run: apt-get install python3-torch)");
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
