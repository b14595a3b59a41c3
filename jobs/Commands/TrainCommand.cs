using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Train;
using DataPipe.Train.Metrics;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe train --data SHARDS --out DIR [--config train.yaml] [--resume] [--steps N] ...</c>: pretrains a GPT on
/// token shards (<see cref="GptTrainer"/>). Every option is <see cref="TrainKind.Schema"/>'s: the same names, defaults and
/// ranges as a pipeline's train stage, from the <c>--config</c> file and overridden by a flag.
/// Runs the pipeline's <see cref="TrainStage"/> on the local executor; prints a progress line per step batch,
/// evaluations, and a summary table; writes <c>metrics.jsonl</c>, <c>loss.png</c>, <c>checkpoints/</c>,
/// <c>train.json</c> and <c>_SUCCESS.json</c> in the run folder.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Token shard folder (with manifest.json)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Run folder: checkpoints, metrics.jsonl, train.json", Required = true };
        var configFile = new Option<string?>("--config") { Description = "Train config YAML: the options of a pipeline's train stage (layers: 6, ...); flags override it" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest checkpoint in --out" };
        var flags = TrainKind.Schema.CreateFlags(new TrainConfig());

        var command = new Command("train", "Pretrain a GPT on token shards (TorchSharp; CUDA when available, else CPU)") { data, output, configFile, resume };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            var c = parse.GetValue(configFile) is { } file ? TrainKind.Schema.ReadFile(file, new TrainConfig()) : new TrainConfig();
            c = TrainKind.Schema.ReadFlags(parse, flags, c);
            TrainConfig valid;
            try
            {
                valid = c.Validate();
            }
            catch (DataPipeException e)
            {
                throw new DataPipeException($"train: {e.Message}", e);
            }
            return await RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, valid, parse.GetValue(resume), ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// Trains through the same <see cref="TrainStage"/> a pipeline's train stage runs, on the local executor: the run
    /// folder gets the stage's <c>_SUCCESS.json</c> (config hash of the options and the shards' manifest), a folder
    /// already complete for these options is reused, and one trained with other options is cleared first.
    /// </summary>
    public static async Task<int> RunAsync(string data, string runDir, TrainConfig config, bool resume, CancellationToken ct)
    {
        int every = Math.Max(1, config.Steps / 50);
        var stage = new TrainStage(data, config, resume)
        {
            OnStep = row =>
            {
                if (row.Step % every == 0 || row.Step == config.Steps || row.Step == 1)
                    foreach (var line in TrainSummaryText.StepLines(row, config.Steps)) Console.WriteLine(line);
            },
            OnEval = row =>
            {
                foreach (var line in TrainSummaryText.EvalLines(row)) Console.WriteLine(line);
            },
        };
        // One attempt: a retry would resume from a checkpoint the failed attempt may have left half-consistent with its metrics.
        var done = await StageConsole.RunAsync(stage, runDir, new ExecutorOptions { Workers = 1, MaxAttempts = 1 }, ct).ConfigureAwait(false);
        var result = stage.Result ?? DatasetFolder.ReadJson<TrainResult>(Path.Combine(done.OutputDir, GptTrainer.SummaryFile))
            ?? throw new DataPipeException($"{done.OutputDir}: complete but {GptTrainer.SummaryFile} is missing");

        foreach (var line in TrainSummaryText.Lines(result, runDir, File.Exists(Path.Combine(done.OutputDir, LossPlot.FileName)))) Console.WriteLine(line);
        return 0;
    }
}
