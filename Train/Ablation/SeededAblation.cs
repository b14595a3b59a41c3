using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Model;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using TorchSharp;

namespace DataPipe.Train.Ablation;

/// <summary>A held-out evaluation set: plain-text files whose blank-line-separated blocks are its documents.</summary>
public sealed record EvalSet(string Name, IReadOnlyList<string> Files);

/// <summary>What <see cref="SeededAblation"/> compares: arms, seeds, evaluation sets, one model recipe and token budget.</summary>
public sealed record SeededAblationOptions
{
    public required IReadOnlyList<AblationArm> Arms { get; init; }
    public required string Tokenizer { get; init; }
    public required IReadOnlyList<EvalSet> EvalSets { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }
    public required TrainConfig Config { get; init; }
    public required long Tokens { get; init; }
    public required string Out { get; init; }
}

/// <summary>One (arm, seed, evaluation set) measurement.</summary>
public sealed record SeededAblationCell(string Arm, long Seed, string EvalSet, double Loss, double BitsPerByte, long Tokens);

/// <summary>Mean and spread over seeds of one (arm, evaluation set).</summary>
public sealed record SeededAblationSummary(string Arm, string EvalSet, int Seeds, double MeanLoss, double StdLoss, double MinLoss, double MaxLoss, double MeanBitsPerByte, double StdBitsPerByte);

/// <summary>Per arm: its data and how many epochs the token budget made over it.</summary>
public sealed record SeededAblationArmInfo(string Arm, string Documents, long DocumentsUsed, long TrainTokens, double Epochs);

/// <summary>The report of a seeded ablation (<c>ablation.json</c>).</summary>
public sealed record SeededAblationReport
{
    public string Tokenizer { get; init; } = "";
    public int Steps { get; init; }
    public long TokensPerArm { get; init; }
    public IReadOnlyList<SeededAblationArmInfo> Arms { get; init; } = [];
    public IReadOnlyList<EvalSetInfo> EvalSets { get; init; } = [];
    public IReadOnlyList<SeededAblationCell> Cells { get; init; } = [];
    public IReadOnlyList<SeededAblationSummary> Summary { get; init; } = [];
    public string Plot { get; init; } = "";
}

public sealed record EvalSetInfo(string Name, IReadOnlyList<string> Files, long Tokens, long TokensScored);

/// <summary>
/// The data ablation with its noise measured: every arm (a documents dataset) trains the same GPT for the same number of
/// tokens once per seed, and every trained model is scored on every held-out evaluation set (the same fixed batches for
/// all). The seed spread says how large a difference between arms has to be before it means anything (FineWeb and DCLM
/// report their ablations the same way). The trainer's own validation split is the first evaluation set; the others
/// are scored after training from the final checkpoint.
/// </summary>
public static class SeededAblation
{
    public static async Task<SeededAblationReport> RunAsync(SeededAblationOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        if (options.Arms.Count < 2) throw new DataPipeException($"ablate: needs at least two datasets to compare (got {options.Arms.Count})");
        if (options.Seeds.Count < 1) throw new DataPipeException("ablate: needs at least one seed");
        if (options.EvalSets.Count == 0) throw new DataPipeException("ablate: needs at least one evaluation set");
        foreach (var set in options.EvalSets)
            foreach (var file in set.Files)
                if (!File.Exists(file)) throw new DataPipeException($"{file}: evaluation text file of '{set.Name}' not found");
        var tokenizer = TokenizerCatalog.Create(options.Tokenizer);
        var config = options.Config.Validate();
        int steps = (int)Math.Max(1, (options.Tokens + config.TokensPerStep - 1) / config.TokensPerStep);
        config = config with { Steps = steps, EvalEvery = 0, CheckpointEvery = 0, WarmupSteps = Math.Min(config.WarmupSteps, steps / 10), SamplePrompt = "" };
        string outDir = Path.GetFullPath(options.Out);
        Directory.CreateDirectory(outDir);

        // One shard folder per evaluation set (validation split only), shared by every arm: the same batches for all.
        var evalDirs = new List<(EvalSet Set, string Dir, TokenManifest Manifest)>();
        foreach (var set in options.EvalSets)
        {
            string dir = Path.Combine(outDir, "eval", set.Name);
            var (manifest, _) = await DataAblation.WriteShardsAsync(new AblationArm(set.Name, set.Files[0]), set.Files, tokenizer, options.Tokenizer, dir, ct, trainFromHeldOut: true).ConfigureAwait(false);
            evalDirs.Add((set, dir, manifest));
            log?.Invoke($"eval set {set.Name}: {manifest.Validation.Tokens:N0} tokens");
        }

        var cells = new List<SeededAblationCell>();
        var arms = new List<SeededAblationArmInfo>();
        foreach (var arm in options.Arms)
        {
            string shardDir = Path.Combine(outDir, arm.Name, "shards");
            var (manifest, docs) = await DataAblation.WriteShardsAsync(arm, options.EvalSets[0].Files, tokenizer, options.Tokenizer, shardDir, ct).ConfigureAwait(false);
            double epochs = (double)steps * config.TokensPerStep / Math.Max(1, manifest.Train.Tokens);
            arms.Add(new SeededAblationArmInfo(arm.Name, Path.GetFullPath(arm.Documents), docs, manifest.Train.Tokens, Math.Round(epochs, 3)));
            log?.Invoke($"{arm.Name}: {docs:N0} documents, {manifest.Train.Tokens:N0} train tokens ({epochs:F2} epochs at {(long)steps * config.TokensPerStep:N0} tokens)");
            foreach (long seed in options.Seeds)
            {
                string runDir = Path.Combine(outDir, arm.Name, $"seed-{seed}");
                if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
                var seeded = config with { Seed = seed };
                var result = await GptTrainer.RunAsync(new TrainRequest(shardDir, runDir, seeded), ct).ConfigureAwait(false);
                var scores = Score(result.Checkpoint, evalDirs, tokenizer, seeded, ct);
                foreach (var (set, loss, bpb) in scores)
                {
                    cells.Add(new SeededAblationCell(arm.Name, seed, set, Math.Round(loss, 5), Math.Round(bpb, 5), result.Tokens));
                }
                log?.Invoke($"{arm.Name} seed {seed}: {string.Join(", ", scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Set} {s.Loss:F4} nats/token {s.Bpb:F4} bits/byte")))} ({result.Seconds:F0} s)");
            }
        }

        var summary = cells.GroupBy(c => (c.Arm, c.EvalSet)).Select(g =>
        {
            var l = g.Select(c => c.Loss).ToArray();
            var b = g.Select(c => c.BitsPerByte).ToArray();
            return new SeededAblationSummary(g.Key.Arm, g.Key.EvalSet, l.Length, Math.Round(l.Average(), 5), Math.Round(Std(l), 5), l.Min(), l.Max(),
                Math.Round(b.Average(), 5), Math.Round(Std(b), 5));
        }).ToList();
        var report = new SeededAblationReport
        {
            Tokenizer = options.Tokenizer,
            Steps = steps,
            TokensPerArm = (long)steps * config.TokensPerStep,
            Arms = arms,
            EvalSets = [.. evalDirs.Select(e => new EvalSetInfo(e.Set.Name, [.. e.Set.Files.Select(Path.GetFullPath)], e.Manifest.Validation.Tokens,
                Math.Min(e.Manifest.Validation.Tokens, (long)config.EvalBatches * config.Batch * config.Context)))],
            Cells = cells,
            Summary = summary,
            Plot = Path.Combine(outDir, DataAblation.PlotFile),
        };
        SavePlot(report);
        AtomicFile.WriteAllText(Path.Combine(outDir, DataAblation.ReportFile), System.Text.Json.JsonSerializer.Serialize(report, DataPipeJson.Options));
        return report;
    }

    /// <summary>Sample standard deviation (n − 1); 0 for one value.</summary>
    public static double Std(IReadOnlyList<double> v)
    {
        if (v.Count < 2) return 0;
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
    }

    private static List<(string Set, double Loss, double Bpb)> Score(string checkpoint, List<(EvalSet Set, string Dir, TokenManifest Manifest)> evalDirs,
        ITextTokenizer tokenizer, TrainConfig config, CancellationToken ct)
    {
        var header = Checkpoint.ReadHeader(checkpoint);
        using var model = new Gpt(GptShape.From(header.Config, header.Vocab), header.Config.Seed);
        Checkpoint.Load(checkpoint, model, null);
        var device = ComputeDevice.UseCuda(config.Device, torch.cuda.is_available) ? torch.CUDA : torch.CPU;
        model.to(device);
        var result = new List<(string, double, double)>();
        foreach (var (set, dir, manifest) in evalDirs)
        {
            var eval = GptTrainer.Evaluate(model, dir, manifest, tokenizer, config, header.Vocab, device, header.Step, ct);
            result.Add((set.Name, eval.ValLoss, eval.BitsPerByte));
        }
        return result;
    }

    private static void SavePlot(SeededAblationReport report)
    {
        var plot = new ScottPlot.Plot();
        var sets = report.EvalSets.Select(e => e.Name).ToList();
        var arms = report.Arms.Select(a => a.Arm).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / Math.Max(1, arms.Count);
        for (int a = 0; a < arms.Count; a++)
        {
            var bars = new List<ScottPlot.Bar>();
            for (int s = 0; s < sets.Count; s++)
            {
                var cell = report.Summary.FirstOrDefault(x => x.Arm == arms[a] && x.EvalSet == sets[s]);
                if (cell is null) continue;
                bars.Add(new ScottPlot.Bar
                {
                    Position = s + (a - (arms.Count - 1) / 2.0) * width,
                    Value = cell.MeanBitsPerByte,
                    Error = cell.StdBitsPerByte,
                    Size = width * 0.9,
                    FillColor = palette.GetColor(a),
                });
            }
            plot.Add.Bars(bars.ToArray());
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = arms[a], FillColor = palette.GetColor(a) });
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, sets.Count).Select(i => (double)i)], [.. sets]);
        double min = report.Summary.Count == 0 ? 0 : report.Summary.Min(x => x.MeanBitsPerByte - x.StdBitsPerByte);
        double max = report.Summary.Count == 0 ? 1 : report.Summary.Max(x => x.MeanBitsPerByte + x.StdBitsPerByte);
        plot.Axes.SetLimitsY(Math.Max(0, min - (max - min) * 0.5), max + (max - min) * 0.3);
        plot.Title($"Data ablation: held-out bits/byte, mean ± std over seeds ({report.TokensPerArm:N0} tokens per run)");
        plot.YLabel("bits per byte (lower is better)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        string temp = report.Plot + ".tmp.png";
        plot.SavePng(temp, 1000, 600);
        File.Move(temp, report.Plot, overwrite: true);
    }
}
