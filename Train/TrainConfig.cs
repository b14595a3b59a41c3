using DataPipe.Core.Errors;
using System.Text.Json.Serialization;
using YamlDotNet.Serialization;

namespace DataPipe.Train;

/// <summary>
/// Everything that defines a training run, as plain data (YAML file, flags, or code). Defaults are a small GPT-2-style
/// model that trains on a CPU in minutes. Names follow nanoGPT (Karpathy) and the GPT-2/GPT-3 papers:
/// pre-LayerNorm blocks, GELU, tied embeddings, AdamW with betas (0.9, 0.95), weight decay 0.1 on matrices only,
/// linear warmup then cosine decay to a tenth of the peak rate, gradient clipping at 1.0 (GPT-3 paper, appendix B).
/// </summary>
public sealed record TrainConfig
{
    // model
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int Width { get; init; } = 128;
    public int Context { get; init; } = 128;
    public double Dropout { get; init; }
    public bool Bias { get; init; } = true;

    /// <summary>Vocabulary size; 0 takes the shard manifest's.</summary>
    public int Vocab { get; init; }

    // batches
    /// <summary>Sequences per micro-batch (one forward/backward).</summary>
    public int Batch { get; init; } = 16;

    /// <summary>Tokens per optimizer step; a multiple of batch·context. 0 means one micro-batch per step.</summary>
    public int BatchTokens { get; init; }

    // optimisation
    public int Steps { get; init; } = 1000;
    public double Lr { get; init; } = 1e-3;
    public double MinLr { get; init; } = 1e-4;
    public int WarmupSteps { get; init; } = 100;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double GradClip { get; init; } = 1.0;

    // evaluation, checkpoints, logging
    /// <summary>Evaluate on the validation split every N steps (and at the end); 0 only at the end.</summary>
    public int EvalEvery { get; init; } = 100;
    public int EvalBatches { get; init; } = 20;
    /// <summary>Write a checkpoint every N steps (and at the end); 0 only at the end.</summary>
    public int CheckpointEvery { get; init; } = 200;
    /// <summary>Checkpoints kept (newest first); older ones are deleted.</summary>
    public int KeepCheckpoints { get; init; } = 2;
    public string SamplePrompt { get; init; } = "";
    public int SampleTokens { get; init; } = 120;
    public double Temperature { get; init; } = 0.8;
    public int TopK { get; init; } = 40;

    // machine
    public long Seed { get; init; } = 1337;
    /// <summary>"auto" (CUDA when TorchSharp reports it, else CPU), "cpu" or "cuda".</summary>
    public string Device { get; init; } = "auto";
    /// <summary>CPU threads for TorchSharp; 0 leaves its default.</summary>
    public int Threads { get; init; }
    /// <summary>Peak FLOP/s of the accelerator, for MFU; 0: the H100/A100 bf16 table by device name, else none.</summary>
    public double PeakFlops { get; init; }

    /// <summary>Micro-batches per optimizer step.</summary>
    [YamlIgnore, JsonIgnore]
    public int AccumulationSteps => BatchTokens <= 0 ? 1 : BatchTokens / (Batch * Context);

    [YamlIgnore, JsonIgnore]
    public int TokensPerStep => AccumulationSteps * Batch * Context;

    /// <summary>Checks ranges and relations; the error names the key at fault.</summary>
    public TrainConfig Validate()
    {
        static void Need(bool ok, string message)
        {
            if (!ok) throw new DataPipeException($"train config: {message}");
        }
        Need(Layers >= 1, $"layers must be >= 1 (got {Layers})");
        Need(Heads >= 1, $"heads must be >= 1 (got {Heads})");
        Need(Width >= 1 && Width % Heads == 0, $"width ({Width}) must be a positive multiple of heads ({Heads})");
        Need(Context >= 2, $"context must be >= 2 (got {Context})");
        Need(Dropout is >= 0 and < 1, $"dropout must be in [0, 1) (got {Dropout})");
        Need(Vocab >= 0, $"vocab must be >= 0 (got {Vocab})");
        Need(Batch >= 1, $"batch must be >= 1 (got {Batch})");
        Need(BatchTokens >= 0 && BatchTokens % (Batch * Context) == 0, $"batch_tokens ({BatchTokens}) must be a multiple of batch·context ({Batch * Context})");
        Need(Steps >= 1, $"steps must be >= 1 (got {Steps})");
        Need(Lr > 0 && MinLr >= 0 && MinLr <= Lr, $"lr ({Lr}) must be > 0 and min_lr ({MinLr}) in [0, lr]");
        Need(WarmupSteps >= 0, $"warmup_steps must be >= 0 (got {WarmupSteps})");
        Need(WeightDecay >= 0, $"weight_decay must be >= 0 (got {WeightDecay})");
        Need(Beta1 is >= 0 and < 1 && Beta2 is >= 0 and < 1, $"beta1 ({Beta1}) and beta2 ({Beta2}) must be in [0, 1)");
        Need(GradClip >= 0, $"grad_clip must be >= 0 (got {GradClip})");
        Need(EvalEvery >= 0 && EvalBatches >= 1, $"eval_every ({EvalEvery}) must be >= 0 and eval_batches ({EvalBatches}) >= 1");
        Need(CheckpointEvery >= 0 && KeepCheckpoints >= 1, $"checkpoint_every ({CheckpointEvery}) must be >= 0 and keep_checkpoints ({KeepCheckpoints}) >= 1");
        Need(SampleTokens >= 0 && Temperature > 0 && TopK >= 0, $"sample_tokens ({SampleTokens}) >= 0, temperature ({Temperature}) > 0, top_k ({TopK}) >= 0");
        Need(Device is "auto" or "cpu" or "cuda", $"device must be auto, cpu or cuda (got '{Device}')");
        Need(Threads >= 0, $"threads must be >= 0 (got {Threads})");
        return this;
    }
}
