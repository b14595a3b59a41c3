using System.CommandLine;
using System.Globalization;
using DataPipe.Train;
using DataPipe.Core.Errors;
using DataPipe.Train.Scaling;
using DataPipe.Jobs.Cli;

using DataPipe.Jobs.Pipeline.Kinds;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe scaling --data SHARDS --out DIR [--sizes 1x32,...] [--target-flops C] [--config train.yaml]</c>:
/// trains a sweep of small GPTs, fits L(C) = a·C^b + c, predicts the target model's loss and trains the target to
/// compare (<see cref="ScalingSweep"/>). Writes scaling.json, scaling.png and one run folder per model.
/// </summary>
public static class ScalingCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Token shard folder (with a validation split)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Report folder: scaling.json, scaling.png, runs/", Required = true };
        var configFile = new Option<string?>("--config") { Description = "Train config YAML of the target model and the recipe every point shares" };
        var sizes = new Option<string?>("--sizes") { Description = "Sweep shapes LAYERSxWIDTH, comma-separated, smallest compute first (default 1x32,1x48,2x48,2x64,2x96)" };
        var targetFlops = new Option<double?>("--target-flops") { Description = "Target compute in FLOPs (6·params·tokens); default: the config's steps" };
        var steps = new Option<int?>("--steps") { Description = "Target's optimizer steps (when --target-flops is not given)" };
        var layers = new Option<int?>("--layers") { Description = "Target's transformer blocks" };
        var width = new Option<int?>("--width") { Description = "Target's width" };
        var heads = new Option<int?>("--heads") { Description = "Target's attention heads" };
        var context = new Option<int?>("--context") { Description = "Context length (all models)" };
        var batch = new Option<int?>("--batch") { Description = "Sequences per step (all models)" };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (all models)" };
        var fraction = new Option<double>("--largest-fraction") { Description = "Largest sweep compute over the target's", DefaultValueFactory = _ => 1.0 / 30 };
        var span = new Option<double>("--span") { Description = "Largest over smallest sweep compute", DefaultValueFactory = _ => 30 };
        var noTarget = new Option<bool>("--predict-only") { Description = "Fit and predict without training the target" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var tokensPerParam = new Option<double?>("--tokens-per-param") { Description = "One recipe that scales: every model (points and target) trains on this many tokens per parameter, with its own warmup (a tenth of its steps) and cosine decay, 8-wide heads, no dropout, inside the first epoch; the sizes set the sweep's compute" };
        var evalBatches = new Option<int?>("--eval-batches") { Description = "Validation batches each model's final loss is averaged over (all models; the same batches)" };
        var preset = new Option<string?>("--preset") { Description = "bytes-cpu: the measured recipe for byte tokens on a CPU: points 2x16,2x24,2x32,2x40,2x48, target 4x88 (32x the largest point's compute), 10 tokens per parameter, batch 16 x context 64, lr 0.01 (flags override it)" };

        var command = new Command("scaling", "Fit L(C) = a·C^b + c on a sweep of small GPTs and predict (then check) a larger one's loss")
        {
            data, output, configFile, sizes, targetFlops, steps, layers, width, heads, context, batch, lr, fraction, span, noTarget, threads, tokensPerParam, preset, evalBatches,
        };
        command.SetAction(async (parse, ct) =>
        {
            var c = parse.GetValue(configFile) is { } file ? TrainKind.Schema.ReadFile(file, new TrainConfig()).Validate() : new TrainConfig { Steps = 400, WarmupSteps = 40 };
            string? presetName = parse.GetValue(preset);
            if (presetName is not null && presetName != ScalingPresets.BytesCpu)
                throw new DataPipeException($"scaling: unknown --preset '{presetName}' (known: {ScalingPresets.BytesCpu})");
            if (presetName is not null) c = ScalingPresets.BytesCpuTarget(c);
            c = c with
            {
                Steps = parse.GetValue(steps) ?? c.Steps,
                Layers = parse.GetValue(layers) ?? c.Layers,
                Width = parse.GetValue(width) ?? c.Width,
                Heads = parse.GetValue(heads) ?? c.Heads,
                Context = parse.GetValue(context) ?? c.Context,
                Batch = parse.GetValue(batch) ?? c.Batch,
                Lr = parse.GetValue(lr) ?? c.Lr,
                Threads = parse.GetValue(threads) ?? c.Threads,
                EvalBatches = parse.GetValue(evalBatches) ?? c.EvalBatches,
            };
            var options = new ScalingOptions
            {
                Data = parse.GetValue(data)!,
                Out = parse.GetValue(output)!,
                Target = c.Validate(),
                TargetFlops = parse.GetValue(targetFlops),
                LargestFraction = parse.GetValue(fraction),
                Span = parse.GetValue(span),
                TrainTarget = !parse.GetValue(noTarget),
                TokensPerParameter = parse.GetValue(tokensPerParam) ?? (presetName is null ? null : ScalingPresets.BytesCpuTokensPerParameter),
            };
            if (presetName is not null) options = options with { Sizes = ScalingPresets.BytesCpuSizes };
            if (parse.GetValue(sizes) is { Length: > 0 } s)
                options = options with { Sizes = s.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ModelSize.Parse).ToList() };

            var report = await ScalingSweep.RunAsync(options, line => TextWrap.Print($"[scaling] {line}"), ct).ConfigureAwait(false);
            foreach (var line in ScalingText.Lines(report)) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

}
