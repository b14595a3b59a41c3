using DataPipe.Core.Stages;
using DataPipe.Train;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: train</c>: a GPT trained on a token shard folder (<see cref="TrainStage"/>, one task; resumes from its newest
/// checkpoint). Options mirror <see cref="TrainConfig"/>: <c>layers</c>, <c>heads</c>, <c>width</c>, <c>context</c>,
/// <c>dropout</c>, <c>batch</c>, <c>batch_tokens</c>, <c>steps</c>, <c>lr</c>, <c>min_lr</c>, <c>warmup_steps</c>,
/// <c>weight_decay</c>, <c>eval_every</c>, <c>eval_batches</c>, <c>checkpoint_every</c>, <c>sample_prompt</c>,
/// <c>sample_tokens</c>, <c>seed</c>, <c>device</c>, <c>threads</c>.
/// </summary>
public sealed class TrainKind : IStageKind
{
    public string Kind => "train";

    public string Description => "GPT pretraining on token shards (TorchSharp): checkpoints, metrics, validation loss and bits per byte";

    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a train stage reads exactly one token shard folder (a tokenize stage)");
        if (spec.Tasks is > 1) throw spec.Section.Error("tasks", "training runs as one task");
        string data = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var d = new TrainConfig();
        var o = spec.Options;
        var config = new TrainConfig
        {
            Layers = o.Int("layers", d.Layers, min: 1, max: 128),
            Heads = o.Int("heads", d.Heads, min: 1, max: 128),
            Width = o.Int("width", d.Width, min: 8, max: 16384),
            Context = o.Int("context", d.Context, min: 2, max: 65536),
            Dropout = o.Double("dropout", d.Dropout, min: 0, max: 0.9),
            Batch = o.Int("batch", d.Batch, min: 1, max: 65536),
            BatchTokens = o.Int("batch_tokens", d.BatchTokens, min: 0),
            Steps = o.Int("steps", d.Steps, min: 1),
            Lr = o.Double("lr", d.Lr, min: 0, max: 10),
            MinLr = o.Double("min_lr", d.MinLr, min: 0, max: 10),
            WarmupSteps = o.Int("warmup_steps", d.WarmupSteps, min: 0),
            WeightDecay = o.Double("weight_decay", d.WeightDecay, min: 0, max: 10),
            EvalEvery = o.Int("eval_every", d.EvalEvery, min: 1),
            EvalBatches = o.Int("eval_batches", d.EvalBatches, min: 1),
            CheckpointEvery = o.Int("checkpoint_every", d.CheckpointEvery, min: 1),
            SamplePrompt = o.String("sample_prompt", d.SamplePrompt),
            SampleTokens = o.Int("sample_tokens", d.SampleTokens, min: 0),
            Seed = o.Long("seed", d.Seed),
            Device = o.String("device", d.Device),
            Threads = o.Int("threads", d.Threads, min: 0, max: 1024),
        };
        try
        {
            config.Validate();
        }
        catch (Exception e) when (e is ArgumentException or Core.Errors.DataPipeException)
        {
            throw spec.Section.Error("options", e.Message);
        }
        return
        [
            new PipelineStep
            {
                StageName = spec.Name,
                Name = spec.Name,
                Kind = Kind,
                OutputDir = spec.OutputDir,
                Tasks = 1,
                Resources = spec.Resources,
                Build = _ => Task.FromResult<IStage>(new TrainStage(data, config)),
            },
        ];
    }
}
