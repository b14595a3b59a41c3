using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Execution;
using DataPipe.Train;
using DataPipe.Train.Metrics;
using DataPipe.Train.Sampling;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: train</c>: a GPT trained on a token shard folder (<see cref="TrainStage"/>, one task; resumes from its newest
/// checkpoint). Its options are <see cref="Schema"/>'s, the fields of <see cref="TrainConfig"/> in snake_case, over
/// <c>config</c> (a YAML file of the same keys, resolved against the pipeline file) when given; and <c>resume</c>
/// (default true: continue from the newest checkpoint in the stage folder).
/// </summary>
public sealed class TrainKind : IStageKind
{
    /// <summary>
    /// Every training option, once: the pipeline's <c>options:</c>, <c>datapipe train</c>'s flags and its
    /// <c>--config</c> file (and the scaling and ablation commands' <c>--config</c>) are all read through it.
    /// Defaults are <see cref="TrainConfig"/>'s; <see cref="TrainConfig.Validate"/> checks the relations between options.
    /// </summary>
    public static readonly OptionSchema<TrainConfig> Schema = new OptionSchema<TrainConfig>("train config")
        .Path("config", "A YAML file of these options (layers: 6, ...), read first; the stage's own keys (a command's flags) override it")
        .KindRead("resume", "Continue from the newest checkpoint in the stage folder; false: a folder holding checkpoints of an unfinished run is an error",
            shown: "true in a pipeline, false for datapipe train", isBool: true)
        .Int("layers", "Transformer blocks", c => c.Layers, (c, v) => c with { Layers = v }, min: 1, max: 128)
        .Int("heads", "Attention heads", c => c.Heads, (c, v) => c with { Heads = v }, min: 1, max: 128)
        .Int("width", "Model width (embedding size), a multiple of heads", c => c.Width, (c, v) => c with { Width = v }, min: 8, max: 16384)
        .Int("context", "Context length in tokens", c => c.Context, (c, v) => c with { Context = v }, min: 2, max: 65536)
        .Double("dropout", "Dropout probability", c => c.Dropout, (c, v) => c with { Dropout = v }, min: 0, max: 0.9)
        .Bool("bias", "Biases in linear layers and LayerNorms", c => c.Bias, (c, v) => c with { Bias = v })
        .Int("vocab", "Vocabulary size (0: the shards' tokenizer's)", c => c.Vocab, (c, v) => c with { Vocab = v }, min: 0)
        .Int("batch", "Sequences per micro-batch", c => c.Batch, (c, v) => c with { Batch = v }, min: 1, max: 65536)
        .Int("batch_tokens", "Tokens per optimizer step, a multiple of batch x context (0: one micro-batch)", c => c.BatchTokens, (c, v) => c with { BatchTokens = v }, min: 0)
        .Int("steps", "Optimizer steps", c => c.Steps, (c, v) => c with { Steps = v }, min: 1)
        .Double("lr", "Peak learning rate", c => c.Lr, (c, v) => c with { Lr = v }, min: 0, max: 10)
        .Double("min_lr", "Learning rate at the end of the cosine decay", c => c.MinLr, (c, v) => c with { MinLr = v }, min: 0, max: 10)
        .Int("warmup_steps", "Linear warmup steps", c => c.WarmupSteps, (c, v) => c with { WarmupSteps = v }, min: 0)
        .Double("weight_decay", "AdamW weight decay on matrices", c => c.WeightDecay, (c, v) => c with { WeightDecay = v }, min: 0, max: 10)
        .Double("beta1", "AdamW beta1", c => c.Beta1, (c, v) => c with { Beta1 = v }, min: 0, max: 0.9999)
        .Double("beta2", "AdamW beta2", c => c.Beta2, (c, v) => c with { Beta2 = v }, min: 0, max: 0.9999)
        .Double("grad_clip", "Gradient norm clip (0: none)", c => c.GradClip, (c, v) => c with { GradClip = v }, min: 0)
        .Int("eval_every", "Evaluate on the validation split every N steps (0: only at the end)", c => c.EvalEvery, (c, v) => c with { EvalEvery = v }, min: 0)
        .Int("eval_batches", "Validation batches per evaluation", c => c.EvalBatches, (c, v) => c with { EvalBatches = v }, min: 1)
        .Int("checkpoint_every", "Checkpoint every N steps (0: only at the end)", c => c.CheckpointEvery, (c, v) => c with { CheckpointEvery = v }, min: 0)
        .Int("keep_checkpoints", "Newest checkpoints kept", c => c.KeepCheckpoints, (c, v) => c with { KeepCheckpoints = v }, min: 1)
        .String("sample_prompt", "Prompt sampled from at every evaluation (empty: no sample)", c => c.SamplePrompt, (c, v) => c with { SamplePrompt = v }, alias: "--prompt")
        .Int("sample_tokens", "Tokens sampled at every evaluation", c => c.SampleTokens, (c, v) => c with { SampleTokens = v }, min: 0)
        .Double("temperature", "Sampling temperature", c => c.Temperature, (c, v) => c with { Temperature = v }, min: 1e-6, max: 100)
        .Int("top_k", "Sample among the K most likely tokens (0: all)", c => c.TopK, (c, v) => c with { TopK = v }, min: 0)
        .Long("seed", "Seed of the initialisation and the data order", c => c.Seed, (c, v) => c with { Seed = v })
        .String("device", "Device", c => c.Device, (c, v) => c with { Device = v }, choices: ["auto", "cpu", "cuda"])
        .Int("threads", "CPU threads for TorchSharp (0: its default)", c => c.Threads, (c, v) => c with { Threads = v }, min: 0, max: 1024)
        .Double("peak_flops", "Peak FLOP/s of the accelerator, for MFU (0: from the device name, else none)", c => c.PeakFlops, (c, v) => c with { PeakFlops = v }, min: 0);

    public string Kind => "train";

    public IOptionSchema? Options => Schema.WithDefaults(new TrainConfig());


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a train stage reads exactly one token shard folder (a tokenize stage)");
        if (spec.Tasks is > 1) throw spec.Section.Error("tasks", "training runs as one task");
        string data = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var o = spec.Options;
        // config: a YAML file of these same options, read first; the stage's own keys override it.
        var start = new TrainConfig();
        if (o.OptionalString("config") is { } file)
        {
            string path = context.ResolveInputPath(file);
            if (!File.Exists(path)) throw o.Error("config", $"{path}: train config file not found");
            start = Schema.ReadFile(path, start);
        }
        var config = Schema.Read(o, start);
        // A pipeline rerun continues from the newest checkpoint; resume: false makes a folder that holds checkpoints
        // from an unfinished run an error instead (datapipe train without --resume).
        bool resume = o.Bool("resume", true);
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
                Build = _ => Task.FromResult<IStage>(new TrainStage(data, config, resume)),
                Report = Report,
            },
        ];
    }

    /// <summary>Prompt and length of the sample generated from the final checkpoint when the run's evaluations wrote none.</summary>
    private const string FallbackPrompt = "The ";
    private const int FallbackTokens = 60;

    /// <summary>
    /// The GPT's final numbers from <c>train.json</c> and <c>metrics.jsonl</c>: tokens, losses beside the unigram
    /// baseline, the loss plot, and the last sample its evaluations wrote (or one sampled now from the final checkpoint).
    /// </summary>
    private static StepReport Report(PipelineStep step, SuccessRecord success)
    {
        long tokens = success.Counters.GetValueOrDefault("train.tokens");
        if (DatasetFolder.ReadJson<TrainResult>(Path.Combine(step.OutputDir, GptTrainer.SummaryFile)) is not { } result)
            return new StepReport { Tokens = tokens };
        var (_, evals) = MetricsLog.Read(step.OutputDir);
        string? sample = evals.LastOrDefault(e => e.Sample is not null)?.Sample;
        string? prompt = null;
        if (sample is not null)
        {
            string configFile = Path.Combine(step.OutputDir, GptTrainer.ConfigFile);
            prompt = File.Exists(configFile) ? Schema.ReadFile(configFile, new TrainConfig()).SamplePrompt : null;
        }
        else if (result.Checkpoint.Length > 0 && File.Exists(result.Checkpoint))
        {
            prompt = FallbackPrompt;
            sample = CheckpointSampler.Continue(result.Checkpoint, FallbackPrompt, FallbackTokens, 0.8, 40, 1, "cpu");
        }
        var training = new TrainingSummary
        {
            Step = step.Name,
            Steps = result.Steps,
            Tokens = result.Tokens,
            Parameters = result.Parameters,
            FinalLoss = result.FinalLoss,
            FinalValLoss = result.FinalValLoss,
            FinalBitsPerByte = result.FinalBitsPerByte,
            UnigramBaselineLoss = result.UnigramBaselineLoss,
            Checkpoint = result.Checkpoint,
            Sample = sample,
            SamplePrompt = prompt,
        };
        static string F(double? v) => v is double d ? d.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"GPT ({step.Name}): {result.Parameters:N0} parameters, {result.Steps:N0} steps, {result.Tokens:N0} tokens; final train loss {result.FinalLoss:F4}, validation loss {F(result.FinalValLoss)} nats/token, {F(result.FinalBitsPerByte)} bits/byte"),
        };
        if (result.UnigramBaselineLoss is double u)
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"GPT ({step.Name}): a unigram model of the training tokens scores {u:F4} nats/token on the same validation tokens"));
        string plot = Path.Combine(step.OutputDir, LossPlot.FileName);
        if (File.Exists(plot)) lines.Add($"GPT ({step.Name}): loss against tokens, with the unigram baseline: {plot}");
        if (sample is not null) lines.Add($"generated sample: {(prompt + sample).ReplaceLineEndings(" ")}");
        return new StepReport { Tokens = tokens, Training = training, Lines = lines };
    }
}
