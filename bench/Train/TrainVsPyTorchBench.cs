using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataPipe.Train;
using DataPipe.Train.Data;
using DataPipe.Train.Model;
using static TorchSharp.torch;

namespace DataPipe.Bench.Train;

/// <summary>
/// <c>train-vs-pytorch [key=value ...]</c>: the same GPT trained by <see cref="GptTrainer"/> and by a PyTorch reference
/// (bench/Train/gpt_reference.py on Debian's python3-torch, CPU) from the same initial weights on the same batches with
/// the same learning rates. Prints the largest relative difference of the first 50 losses (target: 1e-3),
/// tokens/s of both and their ratio (target ≥ 1.0), and peak memory of both processes.
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

            // 3. Ours: the real trainer.
            var ours = await GptTrainer.RunAsync(new TrainRequest(shards, Path.Combine(root, "run"), config));
            long oursPeak = Process.GetCurrentProcess().PeakWorkingSet64;

            // 4. PyTorch, in its own process.
            string script = Path.Combine(BenchShards.RepoRoot(), "bench", "Train", "gpt_reference.py");
            var psi = new ProcessStartInfo(python, [script, export]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var py = Process.Start(psi)!;
            var stdout = py.StandardOutput.ReadToEndAsync();
            var stderr = py.StandardError.ReadToEndAsync();
            await py.WaitForExitAsync();
            if (py.ExitCode != 0) throw new InvalidOperationException($"{python} {script} failed ({py.ExitCode}): {await stderr}");
            using var doc = JsonDocument.Parse((await stdout).Trim().Split('\n')[^1]);
            var pyLosses = doc.RootElement.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var pySeconds = doc.RootElement.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double pyPeak = doc.RootElement.GetProperty("peak_mib").GetDouble();

            int n = Math.Min(50, Math.Min(pyLosses.Length, ours.StepMetrics.Count));
            double maxRel = 0;
            int worst = 0;
            for (int i = 0; i < n; i++)
            {
                double rel = Math.Abs(ours.StepMetrics[i].Loss - pyLosses[i]) / Math.Abs(pyLosses[i]);
                if (rel > maxRel) (maxRel, worst) = (rel, i + 1);
            }
            // Tokens/s from the step times alone (both sides), skipping the first step (allocator warm-up).
            double oursTps = ours.StepMetrics.Skip(1).Sum(s => s.BatchTokens) / ours.StepMetrics.Skip(1).Sum(s => s.Seconds);
            double pyTps = (double)config.TokensPerStep * (pySeconds.Length - 1) / pySeconds.Skip(1).Sum();

            Console.WriteLine(string.Create(ci, $"config: layers {config.Layers}, heads {config.Heads}, width {config.Width}, context {config.Context}, batch {config.Batch}×{config.AccumulationSteps}, {config.Steps} steps, {config.Threads} threads, {ours.Parameters:N0} parameters"));
            Console.WriteLine(string.Create(ci, $"PyTorch {doc.RootElement.GetProperty("torch").GetString()} via {python}"));
            Console.WriteLine(" step   ours        pytorch     rel.diff");
            foreach (int i in new[] { 0, 1, 2, 9, 19, 29, 39, n - 1 }.Where(i => i < n).Distinct())
                Console.WriteLine(string.Create(ci, $" {i + 1,4}   {ours.StepMetrics[i].Loss,-10:F6}  {pyLosses[i],-10:F6}  {Math.Abs(ours.StepMetrics[i].Loss - pyLosses[i]) / pyLosses[i]:E2}"));
            Console.WriteLine(string.Create(ci, $"max relative loss difference over {n} steps: {maxRel:E2} (step {worst}); target 1e-3: {(maxRel <= 1e-3 ? "met" : "NOT met")}"));
            Console.WriteLine(string.Create(ci, $"tokens/s: ours {oursTps:N0}, PyTorch {pyTps:N0}, ratio {oursTps / pyTps:F2} (target >= 1.0)"));
            Console.WriteLine(string.Create(ci, $"peak memory: ours {oursPeak / (1024.0 * 1024):N0} MiB (whole bench process), PyTorch {pyPeak:N0} MiB"));
            return maxRel <= 1e-3 ? 0 : 1;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

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
