using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Train;
using DataPipe.Train.Metrics;
using Spectre.Console;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe train --data SHARDS --out DIR [--config train.yaml] [--resume] [--steps N] ...</c>: pretrains a GPT on
/// token shards (<see cref="GptTrainer"/>). Every option is <see cref="TrainKind.Schema"/>'s: the same names, defaults and
/// ranges as a pipeline's train stage, from the <c>--config</c> file (the stage's <c>config</c> key) and overridden by a
/// flag. Runs as a one-stage pipeline of <see cref="TrainKind"/>; prints a progress line per step batch,
/// evaluations, and a summary table; writes <c>metrics.jsonl</c>, <c>loss.png</c>, <c>checkpoints/</c>,
/// <c>train.json</c> and <c>_SUCCESS.json</c> in the run folder.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Token shard folder (with manifest.json)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Run folder: checkpoints, metrics.jsonl, train.json", Required = true };
        var flags = TrainKind.Schema.CreateFlags(new TrainConfig());

        var command = new Command("train", "Pretrain a GPT on token shards (TorchSharp; CUDA when available, else CPU)") { data, output };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            // The options a pipeline's train stage holds (--config among them); resume is false unless --resume says
            // so, where a pipeline always resumes.
            var options = TrainKind.Schema.FlagsToMapping(parse, flags);
            if (!options.Children.ContainsKey(new YamlScalarNode("resume"))) options.Add("resume", "false");
            return await RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, options, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// Trains as a one-stage pipeline of <see cref="TrainKind"/> (<see cref="OneStagePipeline"/>), the same
    /// <see cref="TrainStage"/> a pipeline's train stage runs, on the local executor: the run folder gets the stage's
    /// <c>_SUCCESS.json</c> (config hash of the options and the shards' manifest), a folder already complete for these
    /// options is reused, and one trained with other options is cleared first.
    /// </summary>
    public static async Task<int> RunAsync(string data, string runDir, YamlMappingNode options, CancellationToken ct)
    {
        TrainStage? stage = null;
        var choice = new OneStageChoice
        {
            Built = built =>
            {
                stage = (TrainStage)built;
                int steps = stage.Config.Steps;
                int every = Math.Max(1, steps / 50);
                stage.OnStep = row =>
                {
                    if (row.Step % every == 0 || row.Step == steps || row.Step == 1)
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"[train] step {row.Step}/{steps} loss {row.Loss:F4} lr {row.Lr:E2} grad_norm {row.GradNorm:F3} {row.TokensPerSecond:N0} tok/s{(row.Mfu is double m ? $" mfu {m:P1}" : "")}"));
                };
                stage.OnEval = row =>
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[eval] step {row.Step} val_loss {row.ValLoss:F4} perplexity {row.Perplexity:F2} bits/byte {row.BitsPerByte:F4}"));
                    if (row.Sample is { Length: > 0 } s) Console.WriteLine($"[sample] {s.ReplaceLineEndings(" ")}");
                };
            },
        };
        // One attempt: a retry would resume from a checkpoint the failed attempt may have left half-consistent with its metrics.
        var results = await OneStagePipeline.RunAsync(new TrainKind(), [data], options, runDir, 0, new ExecutorOptions { Workers = 1, MaxAttempts = 1 }, ct, choice).ConfigureAwait(false);
        var done = results[0];
        var result = stage?.Result ?? DatasetFolder.ReadJson<TrainResult>(Path.Combine(done.OutputDir, GptTrainer.SummaryFile))
            ?? throw new DataPipeException($"{done.OutputDir}: complete but {GptTrainer.SummaryFile} is missing");

        var table = new Table().Title("[bold]train[/]").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        table.AddRow("device", Markup.Escape(result.Device));
        table.AddRow("parameters", result.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("steps", result.ResumedFrom > 0 ? $"{result.Steps} (resumed at {result.ResumedFrom})" : result.Steps.ToString(CultureInfo.InvariantCulture));
        table.AddRow("tokens", result.Tokens.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("final train loss", F(result.FinalLoss, "F4"));
        if (result.FinalValLoss is double v) table.AddRow("final val loss", F(v, "F4"));
        if (result.FinalBitsPerByte is double bpb) table.AddRow("val bits per byte", F(bpb, "F4"));
        if (result.UnigramBaselineLoss is double u) table.AddRow("unigram baseline loss", F(u, "F4"));
        table.AddRow("tokens / s", F(result.TokensPerSecond, "N0"));
        table.AddRow("seconds", F(result.Seconds, "F1"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"checkpoint: [blue]{Markup.Escape(result.Checkpoint)}[/]");
        AnsiConsole.MarkupLine($"metrics: [blue]{Markup.Escape(Path.Combine(runDir, MetricsLog.FileName))}[/]");
        return 0;
    }
}
