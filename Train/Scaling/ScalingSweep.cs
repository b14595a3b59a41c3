using System.Diagnostics;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Model;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using TorchSharp;

namespace DataPipe.Train.Scaling;

/// <summary>A model shape of the sweep: transformer blocks × width.</summary>
public sealed record ModelSize(int Layers, int Width)
{
    /// <summary>Parses "LxW" (e.g. "2x64").</summary>
    public static ModelSize Parse(string text)
    {
        var parts = text.Trim().Split('x', 'X');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int l) || !int.TryParse(parts[1], out int w) || l < 1 || w < 4)
            throw new DataPipeException($"scaling: size '{text}' is not LAYERSxWIDTH (e.g. 2x64)");
        return new ModelSize(l, w);
    }

    /// <summary>
    /// Heads for a width: 8-wide heads where the width allows, else 4-wide, else one head. One head width for the
    /// sweep keeps it one recipe: a point differs from the next in width and depth, not in how its attention is cut up.
    /// </summary>
    public int Heads => Width % HeadWidth == 0 ? Width / HeadWidth : Width % (HeadWidth / 2) == 0 ? Width / (HeadWidth / 2) : 1;

    /// <summary>Width of one attention head in the sweep's shapes.</summary>
    public const int HeadWidth = 8;

    public override string ToString() => $"{Layers}x{Width}";
}

/// <summary>What the sweep trains: the target model (<see cref="Target"/>, its steps or compute) and the small ones.</summary>
public sealed record ScalingOptions
{
    public string Data { get; init; } = "";
    public string Out { get; init; } = "";

    /// <summary>The target model and its training recipe; every sweep point uses the same recipe with its own shape and steps.</summary>
    public TrainConfig Target { get; init; } = new();

    /// <summary>Target compute in FLOPs (6·params·tokens); when set it decides the target's steps, else <see cref="TrainConfig.Steps"/> does.</summary>
    public double? TargetFlops { get; init; }

    /// <summary>Shapes of the sweep points, smallest compute first (at least 5).</summary>
    public IReadOnlyList<ModelSize> Sizes { get; init; } =
        [new(1, 32), new(1, 48), new(2, 48), new(2, 64), new(2, 96)];

    /// <summary>Compute of the largest sweep point as a fraction of the target's (GPT-4 used 1/1,000 to 1/10,000).</summary>
    public double LargestFraction { get; init; } = 1.0 / 30;

    /// <summary>Ratio of the largest to the smallest sweep compute.</summary>
    public double Span { get; init; } = 30;

    /// <summary>Fewest optimizer steps a sweep point runs (a point below it gets more compute than planned, and the report says so).</summary>
    public int MinSteps { get; init; } = 8;

    /// <summary>Train the target to compare its loss with the prediction (off: predict only).</summary>
    public bool TrainTarget { get; init; } = true;

    /// <summary>
    /// One recipe that scales: when set, every model (sweep points and target) trains on this many tokens per
    /// parameter (Hoffmann et al. 2022 found about 20 compute-optimal), its own cosine schedule over its own steps with
    /// a tenth of them as warmup, and inside the first epoch of the data; the sweep's compute then follows from the
    /// sizes (C = 6·N·R·N) instead of <see cref="LargestFraction"/> and <see cref="Span"/>.
    /// </summary>
    public double? TokensPerParameter { get; init; }
}

/// <summary>
/// The measured recipe for byte tokens on a shared CPU (<c>datapipe scaling --preset bytes-cpu</c>): five 2-layer points
/// 2x16 … 2x48 and a 4x88 target (32x the largest point's compute), every model trained on 10 tokens per parameter
/// (embeddings counted) in steps of 16 sequences × 64 bytes, AdamW at peak 0.01 with a tenth of its own steps as linear
/// warmup then cosine decay to 1e-4, 8-wide heads, no dropout, inside the first epoch. Peak 0.01 was the best of 0.005,
/// 0.01 and 0.02 on the largest point. On 12.85 M real-web bytes it predicted the target 8.8% high (8.2% with
/// <c>--eval-batches 250</c>): the best sweep measured, short of a 5% forecast (docs/scaling.md says why).
/// </summary>
public static class ScalingPresets
{
    public const string BytesCpu = "bytes-cpu";

    public static IReadOnlyList<ModelSize> BytesCpuSizes { get; } = [new(2, 16), new(2, 24), new(2, 32), new(2, 40), new(2, 48)];

    public const double BytesCpuTokensPerParameter = 10;

    public static TrainConfig BytesCpuTarget(TrainConfig c) => c with
    {
        Layers = 4, Width = 88, Heads = 11, Context = 64, Batch = 16, Lr = 0.01, MinLr = 1e-4, Dropout = 0, WeightDecay = 0.1,
    };
}

/// <summary>One trained model of the sweep (or the target).</summary>
public sealed record ScalingPoint
{
    public string Name { get; init; } = "";
    public int Layers { get; init; }
    public int Width { get; init; }
    public int Heads { get; init; }
    public int Steps { get; init; }
    public long Parameters { get; init; }
    public long Tokens { get; init; }
    /// <summary>6 · parameters · tokens.</summary>
    public double Flops { get; init; }
    public double PlannedFlops { get; init; }
    public double ValLoss { get; init; }
    public double Seconds { get; init; }
}

/// <summary>The report of <c>datapipe scaling</c> (scaling.json).</summary>
public sealed record ScalingReport
{
    public IReadOnlyList<ScalingPoint> Points { get; init; } = [];
    public double FitA { get; init; }
    public double FitB { get; init; }
    public double FitC { get; init; }
    public double FitAStandardError { get; init; }
    public double FitBStandardError { get; init; }
    public double FitCStandardError { get; init; }
    /// <summary>Compute the fit normalises by: L = a·(C/scale)^b + c.</summary>
    public double FitScale { get; init; }
    public double FitResidualRms { get; init; }
    public double TargetFlops { get; init; }
    public double PredictedLoss { get; init; }
    public double PredictedLossStandardError { get; init; }
    /// <summary>Residual bootstrap of the prediction (<see cref="PowerLawFit.Bootstrap"/>): its spread and 90% interval.</summary>
    public PredictionBootstrap? PredictedLossBootstrap { get; init; }
    public ScalingPoint? Target { get; init; }
    public double? ActualLoss { get; init; }
    /// <summary>(predicted − actual) / actual.</summary>
    public double? RelativeError { get; init; }
    /// <summary>Largest sweep point's compute over the target's.</summary>
    public double LargestSweepFraction { get; init; }
    /// <summary>All sweep points' compute together over the target's.</summary>
    public double TotalSweepFraction { get; init; }
    /// <summary>Largest over smallest sweep compute.</summary>
    public double SweepSpan { get; init; }
    public string Plot { get; init; } = "";
}

/// <summary>
/// Predictable scaling (GPT-4 technical report, OpenAI 2023, section 3): trains a sweep of small GPTs at compute budgets
/// spaced geometrically from <c>target/(fraction⁻¹·span)</c> to <c>target·fraction</c>, counting compute as
/// 6·parameters·tokens (Kaplan et al. 2020), fits L(C) = a·C^b + c to their final validation losses
/// (<see cref="PowerLawFit"/>), predicts the target's loss with its standard error, then trains the target and reports
/// predicted against actual. Every model uses the target's recipe (context, batch, learning rate schedule, seed) and
/// is evaluated on the same validation batches; only the shape and the step count change.
/// </summary>
public static class ScalingSweep
{
    public const string ReportFile = "scaling.json";
    public const string PlotFile = "scaling.png";

    /// <summary>Parameters of a model of this shape (built on the CPU and counted; tied embeddings count once).</summary>
    public static long CountParameters(TrainConfig config, int vocab)
    {
        using var model = new Gpt(GptShape.From(config, vocab), config.Seed);
        return model.ParameterCount;
    }

    public static async Task<ScalingReport> RunAsync(ScalingOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        if (options.Sizes.Count < 5) throw new DataPipeException($"scaling: needs at least 5 sweep sizes (got {options.Sizes.Count})");
        if (!(options.LargestFraction is > 0 and < 1)) throw new DataPipeException($"scaling: the largest sweep fraction must be in (0, 1) (got {options.LargestFraction})");
        if (!(options.Span >= 1)) throw new DataPipeException($"scaling: span must be >= 1 (got {options.Span})");
        string data = Path.GetFullPath(options.Data);
        string outDir = Path.GetFullPath(options.Out);
        var manifest = TokenManifest.Load(data);
        if (!manifest.ShardsOf("validation").Any())
            throw new DataPipeException($"{Path.Combine(data, TokenManifest.FileName)}: the scaling fit compares validation losses, and these shards have no validation split");
        var target = options.Target.Validate();
        int vocab = target.Vocab > 0 ? target.Vocab : manifest.Tokenizer.VocabSize;

        long targetParams = CountParameters(target, vocab);
        var plan = options.TokensPerParameter is { } ratio
            ? PlanRecipe(options, target, vocab, targetParams, ratio, data, manifest, log)
            : PlanCompute(options, target, vocab, targetParams, log);

        Directory.CreateDirectory(outDir);
        var points = new List<ScalingPoint>();
        for (int i = 0; i < plan.Points.Count; i++)
        {
            var (config, planned) = plan.Points[i];
            points.Add(await TrainPointAsync($"point-{i}-{options.Sizes[i]}", config, data, outDir, planned, log, ct).ConfigureAwait(false));
        }
        double largest = points.Max(p => p.Flops);
        if (plan.TargetFlops < 30 * largest)
            log?.Invoke($"note: the target's compute is only {plan.TargetFlops / largest:F1}x the largest point's (aim for at least 30x)");

        var compute = points.Select(p => p.Flops).ToList();
        var losses = points.Select(p => p.ValLoss).ToList();
        var fit = PowerLawFit.Fit(compute, losses);
        double predicted = fit.Predict(plan.TargetFlops);
        double predictedSe = fit.PredictionStandardError(plan.TargetFlops);
        var bootstrap = PowerLawFit.Bootstrap(compute, losses, plan.TargetFlops);
        log?.Invoke($"fit L(C) = {fit.UnscaledA:G4}·C^{fit.B:F4} + {fit.C:F4}; predicted target loss {predicted:F4} ± {predictedSe:F4} (bootstrap sd {bootstrap.StandardDeviation:F4}, 90% in [{bootstrap.Low:F4}, {bootstrap.High:F4}])");

        ScalingPoint? targetPoint = options.TrainTarget
            ? await TrainPointAsync($"target-{target.Layers}x{target.Width}", plan.Target, data, outDir, plan.TargetFlops, log, ct, reuseFinished: true).ConfigureAwait(false)
            : null;

        var report = new ScalingReport
        {
            Points = points,
            FitA = fit.UnscaledA,
            FitB = fit.B,
            FitC = fit.C,
            FitAStandardError = fit.StandardErrorA * Math.Pow(fit.Scale, -fit.B),
            FitBStandardError = fit.StandardErrorB,
            FitCStandardError = fit.StandardErrorC,
            FitScale = fit.Scale,
            FitResidualRms = fit.ResidualRms,
            TargetFlops = plan.TargetFlops,
            PredictedLoss = predicted,
            PredictedLossStandardError = predictedSe,
            PredictedLossBootstrap = bootstrap,
            Target = targetPoint,
            ActualLoss = targetPoint?.ValLoss,
            RelativeError = targetPoint is null ? null : (predicted - targetPoint.ValLoss) / targetPoint.ValLoss,
            LargestSweepFraction = largest / plan.TargetFlops,
            TotalSweepFraction = points.Sum(p => p.Flops) / plan.TargetFlops,
            SweepSpan = largest / points.Min(p => p.Flops),
            Plot = Path.Combine(outDir, PlotFile),
        };
        ScalingPlot.Save(report, fit, report.Plot);
        AtomicFile.WriteAllText(Path.Combine(outDir, ReportFile), System.Text.Json.JsonSerializer.Serialize(report, DataPipeJson.Options));
        return report;
    }

    /// <summary>What a sweep trains: each point's recipe and planned compute (in <see cref="ScalingOptions.Sizes"/> order), and the target's.</summary>
    private sealed record SweepPlan(IReadOnlyList<(TrainConfig Config, double PlannedFlops)> Points, TrainConfig Target, double TargetFlops);

    /// <summary>
    /// Compute spaced geometrically from the target's: point i of k gets <c>target·fraction / span^((k−1−i)/(k−1))</c>
    /// FLOPs as steps of the target's recipe (at least <see cref="ScalingOptions.MinSteps"/>); the target trains for its
    /// own steps, or for <see cref="ScalingOptions.TargetFlops"/>.
    /// </summary>
    private static SweepPlan PlanCompute(ScalingOptions options, TrainConfig target, int vocab, long targetParams, Action<string>? log)
    {
        long tokensPerStep = target.TokensPerStep;
        int targetSteps = options.TargetFlops is { } flops
            ? (int)Math.Max(1, Math.Round(flops / (6.0 * targetParams * tokensPerStep)))
            : target.Steps;
        target = target with { Steps = targetSteps, EvalEvery = 0, CheckpointEvery = 0 };
        double targetFlops = 6.0 * targetParams * targetSteps * tokensPerStep;
        log?.Invoke($"target {target.Layers}x{target.Width}: {targetParams:N0} parameters, {targetSteps} steps, {targetFlops:E2} FLOPs");
        var points = new List<(TrainConfig, double)>();
        int k = options.Sizes.Count;
        for (int i = 0; i < k; i++)
        {
            var size = options.Sizes[i];
            double planned = targetFlops * options.LargestFraction / Math.Pow(options.Span, (double)(k - 1 - i) / (k - 1));
            var config = target with { Layers = size.Layers, Width = size.Width, Heads = size.Heads };
            long parameters = CountParameters(config, vocab);
            int steps = (int)Math.Max(options.MinSteps, Math.Round(planned / (6.0 * parameters * tokensPerStep)));
            points.Add((config with { Steps = steps, WarmupSteps = Math.Min(target.WarmupSteps, steps / 10) }, planned));
        }
        var targetConfig = target with { WarmupSteps = Math.Min(target.WarmupSteps, Math.Max(0, targetSteps / 10)) };
        return new SweepPlan(points, targetConfig, targetFlops);
    }

    /// <summary>
    /// Under <see cref="ScalingOptions.TokensPerParameter"/>: every model's tokens tied to its size, its own cosine
    /// schedule with a tenth of its steps as warmup, inside the first epoch (a model that would leave it is refused
    /// before anything trains).
    /// </summary>
    private static SweepPlan PlanRecipe(ScalingOptions options, TrainConfig target, int vocab, long targetParams, double ratio,
        string data, TokenManifest manifest, Action<string>? log)
    {
        long tokensPerStep = target.TokensPerStep;
        long available = manifest.Train.Tokens;
        // One recipe for every model: the target's attention is cut into the same head width as the points'.
        target = target with { Heads = new ModelSize(target.Layers, target.Width).Heads, Dropout = 0 };
        targetParams = CountParameters(target, vocab);
        TrainConfig Recipe(TrainConfig c, long parameters)
        {
            int steps = (int)Math.Max(options.MinSteps, Math.Round(ratio * parameters / tokensPerStep));
            if ((long)steps * tokensPerStep > available)
                throw new DataPipeException($"scaling: {c.Layers}x{c.Width} ({parameters:N0} parameters) needs {(long)steps * tokensPerStep:N0} tokens at {ratio} per parameter, more than the {available:N0} training tokens of {data}: it would leave the first epoch (fewer tokens per parameter, or smaller models)");
            return c with { Steps = steps, WarmupSteps = Math.Max(1, steps / 10), EvalEvery = 0, CheckpointEvery = 0 };
        }
        var targetConfig = Recipe(target, targetParams);
        double targetFlops = 6.0 * targetParams * targetConfig.Steps * tokensPerStep;
        log?.Invoke($"recipe: {ratio} tokens per parameter, cosine schedule per model, first epoch of {available:N0} tokens; target {target.Layers}x{target.Width}: {targetParams:N0} parameters, {targetConfig.Steps} steps, {targetFlops:E2} FLOPs");
        var points = new List<(TrainConfig, double)>();
        foreach (var size in options.Sizes)
        {
            var config = target with { Layers = size.Layers, Width = size.Width, Heads = size.Heads };
            long parameters = CountParameters(config, vocab);
            config = Recipe(config, parameters);
            points.Add((config, 6.0 * parameters * config.Steps * tokensPerStep));
        }
        return new SweepPlan(points, targetConfig, targetFlops);
    }

    /// <summary>The summary of a run in <paramref name="runDir"/> that finished <paramref name="config"/>'s steps on <paramref name="data"/>, else null.</summary>
    /// <remarks>
    /// Only the number of evaluation batches may differ, since it does not change training: the run's final checkpoint
    /// is then evaluated again on <paramref name="config"/>'s batches, and that loss is the one reported.
    /// </remarks>
    private static TrainResult? FinishedRun(string runDir, TrainConfig config, string data, CancellationToken ct)
    {
        string summary = Path.Combine(runDir, GptTrainer.SummaryFile);
        if (!File.Exists(summary) || Checkpoint.Latest(runDir) is not { } checkpoint) return null;
        var header = Checkpoint.ReadHeader(checkpoint);
        if (header.Step != config.Steps || header.Config with { EvalBatches = config.EvalBatches } != config || header.Data != data) return null;
        var result = System.Text.Json.JsonSerializer.Deserialize<TrainResult>(File.ReadAllText(summary), DataPipeJson.Options);
        if (result is not { FinalValLoss: not null } || result.Steps != config.Steps) return null;
        if (header.Config.EvalBatches == config.EvalBatches) return result;
        var manifest = TokenManifest.Load(data);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        using var model = new Gpt(GptShape.From(header.Config, header.Vocab), header.Config.Seed);
        Checkpoint.Load(checkpoint, model, null);
        var eval = GptTrainer.Evaluate(model, data, manifest, TokenizerCatalog.ForShards(data, manifest), config, header.Vocab, torch.CPU, header.Step, ct);
        return result with { FinalValLoss = eval.ValLoss };
    }

    private static async Task<ScalingPoint> TrainPointAsync(string name, TrainConfig config, string data, string outDir, double planned, Action<string>? log, CancellationToken ct, bool reuseFinished = false)
    {
        string runDir = Path.Combine(outDir, "runs", name);
        var watch = Stopwatch.StartNew();
        TrainResult result;
        bool reused = false;
        if (reuseFinished && FinishedRun(runDir, config, data, ct) is { } finished)
        {
            reused = true;
            // The target is most of a sweep's compute: a finished run of the identical recipe on the same data is the
            // same model (seeded), so a new sweep against it reads it instead of training it again.
            result = finished;
            log?.Invoke($"{name}: reusing the finished run in {runDir} (same training config and data; evaluated on {config.EvalBatches} batches)");
        }
        else
        {
            // A sweep point is cheap next to the target: a rerun trains it afresh rather than trusting a half-finished folder.
            if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
            result = await GptTrainer.RunAsync(new TrainRequest(data, runDir, config), ct).ConfigureAwait(false);
        }
        double loss = result.FinalValLoss ?? throw new DataPipeException($"{runDir}: the run ended without a validation loss");
        var point = new ScalingPoint
        {
            Name = name,
            Layers = config.Layers,
            Width = config.Width,
            Heads = config.Heads,
            Steps = result.Steps,
            Parameters = result.Parameters,
            Tokens = result.Tokens,
            Flops = 6.0 * result.Parameters * result.Tokens,
            PlannedFlops = planned,
            ValLoss = loss,
            // A reused run reports the seconds it trained for, not the moment it took to read it.
            Seconds = reused ? result.Seconds : watch.Elapsed.TotalSeconds,
        };
        log?.Invoke($"{name}: {point.Parameters:N0} params × {point.Tokens:N0} tokens = {point.Flops:E2} FLOPs, val loss {loss:F4} ({point.Seconds:F1} s)");
        return point;
    }
}
