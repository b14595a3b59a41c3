using DataPipe.Core.Documents;
using DataPipe.Core.Stages;
using DataPipe.Tokenize.Shards;
using DataPipe.Train.Metrics;

namespace DataPipe.Train;

/// <summary>
/// Training as a pipeline stage: one task that runs <see cref="GptTrainer"/> on a token shard folder, writing
/// checkpoints and metrics into the stage folder. Its configuration hash covers the train config and the shards'
/// manifest, so a rerun of the same pipeline resumes from the newest checkpoint (the executor keeps the folder) and a
/// changed configuration trains from scratch. Work is counted in tokens. Ends by drawing <c>loss.png</c>
/// (<see cref="LossPlot"/>) beside <c>metrics.jsonl</c>.
/// </summary>
/// <param name="resume">Continue from the newest checkpoint in the folder (always, in a pipeline); when false, a folder
/// that already holds checkpoints is an error rather than a silent continuation (<c>datapipe train</c> without <c>--resume</c>).</param>
public sealed class TrainStage(string data, TrainConfig config, bool resume = true) : IStage
{
    public string Name => "train";

    public string ConfigHash { get; } = Core.Config.ConfigHash.Combine(
        Core.Config.ConfigHash.Of(config),
        Core.Config.ConfigHash.OfFile(Path.Combine(Path.GetFullPath(data), TokenManifest.FileName)));

    public IReadOnlyList<ColumnDescription>? OutputSchema => null;

    /// <summary>The options this stage trains with.</summary>
    public TrainConfig Config => config;

    /// <summary>The result of the last <see cref="RunTaskAsync"/> in this process.</summary>
    public TrainResult? Result { get; private set; }

    /// <summary>Told of every optimizer step (the CLI prints a line every few steps).</summary>
    public Action<StepMetric>? OnStep { get; set; }

    /// <summary>Told of every evaluation on the validation split.</summary>
    public Action<EvalMetric>? OnEval { get; set; }

    public Task<StagePlan> PlanAsync(CancellationToken ct) =>
        Task.FromResult(new StagePlan(1, (long)config.Steps * config.TokensPerStep, "tokens"));

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        ctx.AddInput(Path.GetFullPath(data));
        var request = new TrainRequest(data, ctx.OutputDir, config)
        {
            Resume = resume,
            OnStep = row =>
            {
                ctx.Progress.Advance(row.BatchTokens);
                OnStep?.Invoke(row);
            },
            OnEval = row =>
            {
                ctx.Log($"step {row.Step}: val_loss {row.ValLoss:F4}, perplexity {row.Perplexity:F2}, bits/byte {row.BitsPerByte:F4}");
                OnEval?.Invoke(row);
            },
        };
        var result = await GptTrainer.RunAsync(request, ct).ConfigureAwait(false);
        Result = result;
        if (LossPlot.Save(ctx.OutputDir, result.UnigramBaselineLoss) is { } plot) ctx.Log($"loss plot: {plot}");
        ctx.AddRowsIn(result.Tokens);
        ctx.Counters.Increment("train.steps", result.Steps);
        ctx.Counters.Increment("train.tokens", result.Tokens);
        ctx.Counters.Increment("train.parameters", result.Parameters);
        ctx.Log($"trained {result.Steps} steps ({result.Tokens} tokens) on {result.Device}; final loss {result.FinalLoss:F4}, val loss {result.FinalValLoss:F4}; checkpoint {result.Checkpoint}");
    }
}
