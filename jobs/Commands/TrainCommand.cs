using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Cli;
using DataPipe.Train;
using DataPipe.Train.Metrics;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe train --data SHARDS --out DIR [--config train.yaml] [--resume] [--steps N] ...</c>: pretrains a GPT on
/// token shards (<see cref="GptTrainer"/>). Every config value can come from the YAML file and be overridden by a flag.
/// Prints a progress line per step batch, evaluations, and a summary table; writes <c>metrics.jsonl</c>,
/// <c>checkpoints/</c>, <c>train.json</c> and <c>_SUCCESS.json</c> in the run folder.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Token shard folder (with manifest.json)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Run folder: checkpoints, metrics.jsonl, train.json", Required = true };
        var configFile = new Option<string?>("--config") { Description = "Train config YAML (snake_case keys, e.g. layers: 6)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --out" };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps" };
        var layers = new Option<int?>("--layers") { Description = "Transformer blocks" };
        var heads = new Option<int?>("--heads") { Description = "Attention heads" };
        var width = new Option<int?>("--width") { Description = "Model width (embedding size)" };
        var context = new Option<int?>("--context") { Description = "Context length in tokens" };
        var batch = new Option<int?>("--batch") { Description = "Sequences per micro-batch" };
        var batchTokens = new Option<int?>("--batch-tokens") { Description = "Tokens per optimizer step (gradient accumulation)" };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate" };
        var minLr = new Option<double?>("--min-lr") { Description = "Learning rate at the end of the cosine decay" };
        var warmup = new Option<int?>("--warmup-steps") { Description = "Linear warmup steps" };
        var evalEvery = new Option<int?>("--eval-every") { Description = "Evaluate on the validation split every N steps" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Checkpoint every N steps" };
        var device = new Option<string?>("--device") { Description = "auto, cpu or cuda" };
        var seed = new Option<long?>("--seed") { Description = "Random seed (initialisation and data order)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt to sample a continuation from at every evaluation" };

        var command = new Command("train", "Pretrain a GPT on token shards (TorchSharp; CUDA when available, else CPU)")
        {
            data, output, configFile, resume, steps, layers, heads, width, context, batch, batchTokens, lr, minLr, warmup,
            evalEvery, checkpointEvery, device, seed, threads, prompt,
        };
        command.SetAction(async (parse, ct) =>
        {
            var c = parse.GetValue(configFile) is { } file ? TrainConfigFile.Load(file) : new TrainConfig();
            c = c with
            {
                Steps = parse.GetValue(steps) ?? c.Steps,
                Layers = parse.GetValue(layers) ?? c.Layers,
                Heads = parse.GetValue(heads) ?? c.Heads,
                Width = parse.GetValue(width) ?? c.Width,
                Context = parse.GetValue(context) ?? c.Context,
                Batch = parse.GetValue(batch) ?? c.Batch,
                BatchTokens = parse.GetValue(batchTokens) ?? c.BatchTokens,
                Lr = parse.GetValue(lr) ?? c.Lr,
                MinLr = parse.GetValue(minLr) ?? c.MinLr,
                WarmupSteps = parse.GetValue(warmup) ?? c.WarmupSteps,
                EvalEvery = parse.GetValue(evalEvery) ?? c.EvalEvery,
                CheckpointEvery = parse.GetValue(checkpointEvery) ?? c.CheckpointEvery,
                Device = parse.GetValue(device) ?? c.Device,
                Seed = parse.GetValue(seed) ?? c.Seed,
                Threads = parse.GetValue(threads) ?? c.Threads,
                SamplePrompt = parse.GetValue(prompt) ?? c.SamplePrompt,
            };
            return await RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, c.Validate(), parse.GetValue(resume), ct).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(string data, string runDir, TrainConfig config, bool resume, CancellationToken ct)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        int every = Math.Max(1, config.Steps / 50);
        var request = new TrainRequest(data, runDir, config)
        {
            Resume = resume,
            OnStep = row =>
            {
                if (row.Step % every == 0 || row.Step == config.Steps || row.Step == 1)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[train] step {row.Step}/{config.Steps} loss {row.Loss:F4} lr {row.Lr:E2} grad_norm {row.GradNorm:F3} {row.TokensPerSecond:N0} tok/s{(row.Mfu is double m ? $" mfu {m:P1}" : "")}"));
            },
            OnEval = row =>
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[eval] step {row.Step} val_loss {row.ValLoss:F4} perplexity {row.Perplexity:F2} bits/byte {row.BitsPerByte:F4}"));
                if (row.Sample is { Length: > 0 } s) Console.WriteLine($"[sample] {s.ReplaceLineEndings(" ")}");
            },
        };
        var result = await GptTrainer.RunAsync(request, ct).ConfigureAwait(false);

        var success = new SuccessRecord
        {
            Stage = "train",
            ConfigHash = Core.Config.ConfigHash.Of(config),
            TaskCount = 1,
            RowsIn = result.Tokens,
            RowsOut = result.Steps,
            Counters = new SortedDictionary<string, long>(StringComparer.Ordinal)
            {
                ["train.steps"] = result.Steps,
                ["train.tokens"] = result.Tokens,
                ["train.parameters"] = result.Parameters,
                ["train.resumed_from_step"] = result.ResumedFrom,
            },
            TaskSeconds = result.Seconds,
            WallSeconds = wall.Elapsed.TotalSeconds,
            FinishedAt = DateTime.UtcNow,
        };
        DatasetFolder.WriteJsonAtomic(Path.Combine(runDir, DatasetFolder.SuccessFile), success);

        var table = new Table().Title("[bold]train[/]").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        table.AddRow("device", Markup.Escape(result.Device));
        table.AddRow("parameters", result.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("steps", result.ResumedFrom > 0 ? $"{result.Steps} (resumed at {result.ResumedFrom})" : result.Steps.ToString(CultureInfo.InvariantCulture));
        table.AddRow("tokens", result.Tokens.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("final train loss", F(result.FinalLoss, "F4"));
        if (result.FinalValLoss is double v) table.AddRow("final val loss", F(v, "F4"));
        if (result.FinalBitsPerByte is double bpb) table.AddRow("val bits per byte", F(bpb, "F4"));
        table.AddRow("tokens / s", F(result.TokensPerSecond, "N0"));
        table.AddRow("seconds", F(result.Seconds, "F1"));
        table.AddRow("checkpoint", Markup.Escape(result.Checkpoint));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"metrics: [blue]{Markup.Escape(Path.Combine(runDir, MetricsLog.FileName))}[/]");
        return 0;
    }
}
