using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Core.Faults;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Data;
using DataPipe.Train.Metrics;
using DataPipe.Train.Model;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DataPipe.Train;

/// <summary>What to train: the token shard folder, the run folder (checkpoints, metrics) and the configuration.</summary>
public sealed record TrainRequest(string Data, string Out, TrainConfig Config)
{
    /// <summary>Continue from the newest checkpoint in <see cref="Out"/> when there is one.</summary>
    public bool Resume { get; init; }

    /// <summary>Called after every optimizer step (console progress, sweeps).</summary>
    public Action<StepMetric>? OnStep { get; init; }

    /// <summary>Called after every evaluation.</summary>
    public Action<EvalMetric>? OnEval { get; init; }

    /// <summary>Stop after this many steps of this process (the run's step count is unchanged); for tests and sweeps.</summary>
    public int? StopAfter { get; init; }
}

/// <summary>What a run produced. The per-step and per-eval rows are also in <c>metrics.jsonl</c>.</summary>
public sealed record TrainResult
{
    public int Steps { get; init; }
    public int ResumedFrom { get; init; }
    public long Tokens { get; init; }
    public long Parameters { get; init; }
    public long NonEmbeddingParameters { get; init; }
    public string Device { get; init; } = "";
    public double Seconds { get; init; }
    public double TokensPerSecond { get; init; }
    public double FinalLoss { get; init; }
    public double? FinalValLoss { get; init; }
    public double? FinalBitsPerByte { get; init; }

    /// <summary>Validation loss (nats/token) of the unigram model fitted to the training tokens: the loss of a model that ignores context.</summary>
    public double? UnigramBaselineLoss { get; init; }
    public string Checkpoint { get; init; } = "";
    public IReadOnlyList<StepMetric> StepMetrics { get; init; } = [];
    public IReadOnlyList<EvalMetric> EvalMetrics { get; init; } = [];
}

/// <summary>
/// The pretraining loop, nanoGPT-style (GPT-2/GPT-3 recipe): AdamW with weight decay on matrices only, linear warmup
/// then cosine decay, gradient clipping, gradient accumulation to a token batch size, evaluation on the validation
/// split, atomic checkpoints that a resumed run continues from step for step, one JSON line of metrics per step.
/// The device is chosen once (CUDA when TorchSharp reports it, else CPU) and every step runs the same code on it;
/// on CUDA matmuls use TF32 (TorchSharp 0.107 exposes no autocast, so activations stay fp32).
/// Callable as a library: <c>await GptTrainer.RunAsync(new TrainRequest(shards, runDir, config))</c>.
/// </summary>
public static class GptTrainer
{
    public const string SummaryFile = "train.json";
    public const string ConfigFile = "train.yaml";

    /// <summary>
    /// Trains on a dedicated thread. TorchSharp's CPU thread count (OpenMP) is a per-thread setting, so the whole loop
    /// runs on one thread that sets it once: every step then computes with the same threads, which keeps a resumed
    /// run bit-identical to an uninterrupted one.
    /// </summary>
    public static Task<TrainResult> RunAsync(TrainRequest request, CancellationToken ct = default) =>
        Task.Factory.StartNew(() => Run(request, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static TrainResult Run(TrainRequest request, CancellationToken ct)
    {
        var config = request.Config.Validate();
        string data = Path.GetFullPath(request.Data);
        string runDir = Path.GetFullPath(request.Out);
        var manifest = TokenManifest.Load(data);
        var tokenizer = TokenizerCatalog.ForShards(data, manifest);
        int vocab = config.Vocab > 0 ? config.Vocab : manifest.Tokenizer.VocabSize;
        if (vocab < manifest.Tokenizer.VocabSize)
            throw new DataPipeException($"train config: vocab {vocab} is smaller than the tokenizer's {manifest.Tokenizer.VocabSize} ({Path.Combine(data, TokenManifest.FileName)})");

        Directory.CreateDirectory(runDir);
        string? resumeFrom = Checkpoint.Latest(runDir);
        if (resumeFrom is not null && !request.Resume)
            throw new DataPipeException($"{runDir}: holds a run already ({Path.GetFileName(resumeFrom)}); pass --resume to continue it or choose another --out");
        CheckpointHeader? resumeHeader = resumeFrom is null ? null : Checkpoint.ReadHeader(resumeFrom);
        if (resumeHeader is not null) CheckCompatible(resumeFrom!, resumeHeader, config, vocab, manifest);

        var device = ComputeDevice.UseCuda(config.Device, torch.cuda.is_available) ? CUDA : CPU;
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        if (device.type == DeviceType.CUDA) torch.backends.cuda.matmul.allow_tf32 = true;

        torch.manual_seed(config.Seed);
        using var model = new Gpt(GptShape.From(config, vocab), config.Seed);
        model.to(device);
        using var optimizer = CreateOptimizer(model, config);

        int startStep = 0;
        long tokens = 0;
        var loaderState = LoaderState.Start;
        if (resumeHeader is not null)
        {
            Checkpoint.Load(resumeFrom!, model, optimizer);
            startStep = resumeHeader.Step;
            tokens = resumeHeader.Tokens;
            loaderState = resumeHeader.Loader;
            MetricsLog.TruncateAfter(runDir, startStep);
        }
        else
        {
            // A fresh run starts a fresh log.
            File.Delete(Path.Combine(runDir, MetricsLog.FileName));
        }
        AtomicFile.WriteAllText(Path.Combine(runDir, ConfigFile), TrainConfigFile.ToYaml(config));

        var (stepRows, evalRows) = MetricsLog.Read(runDir);
        using var log = new MetricsLog(runDir);
        bool hasValidation = manifest.ShardsOf("validation").Any();
        double flopsPerToken = 6.0 * model.NonEmbeddingParameterCount + 12.0 * config.Layers * config.Context * config.Width;
        double? peak = device.type == DeviceType.CUDA && config.PeakFlops > 0 ? config.PeakFlops : null;

        var loaderOptions = new BatchLoaderOptions("train", config.Batch, config.Context, vocab, config.Seed);
        using var loader = BatchLoader.OpenAsync(data, manifest, loaderOptions, loaderState, ct).GetAwaiter().GetResult();
        var parameters = model.parameters().ToList();
        string lastCheckpoint = resumeFrom ?? "";
        var total = Stopwatch.StartNew();
        long tokensThisProcess = 0;
        int endStep = request.StopAfter is int stop ? Math.Min(config.Steps, startStep + stop) : config.Steps;
        model.train();

        for (int step = startStep; step < endStep; step++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            double lr = LearningRateSchedule.At(step, config);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            optimizer.zero_grad();

            double lossSum = 0;
            long stepTokens = 0;
            int epoch = 0;
            for (int micro = 0; micro < config.AccumulationSteps; micro++)
            {
                var batch = loader.Next(ct)
                    ?? throw new DataPipeException($"{data}: the training split ended unexpectedly");
                using var scope = NewDisposeScope();
                var x = tensor(batch.Inputs, [batch.Rows, batch.Context]).to(device);
                var y = tensor(batch.Targets, [batch.Rows, batch.Context]).to(device);
                var loss = RunOnDevice(() => model.Loss(x, y), config, device);
                HeldScalar.Divide(loss, config.AccumulationSteps).backward();
                lossSum += loss.item<float>() * batch.Tokens;
                stepTokens += batch.Tokens;
                epoch = batch.Epoch;
                loaderState = batch.After;
            }
            double stepLoss = lossSum / stepTokens;
            if (!double.IsFinite(stepLoss))
                throw new DataPipeException($"loss is {stepLoss} at step {step + 1}; the last good checkpoint is {(lastCheckpoint.Length > 0 ? lastCheckpoint : "none (no checkpoint was written yet)")}; lower --lr or resume from it");

            double gradNorm = nn.utils.clip_grad_norm_(parameters, config.GradClip > 0 ? config.GradClip : double.PositiveInfinity);
            optimizer.step();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            double seconds = clock.Elapsed.TotalSeconds;
            tokens += stepTokens;
            tokensThisProcess += stepTokens;
            var row = new StepMetric
            {
                Step = step + 1,
                Loss = stepLoss,
                LossBeforeUpdate = stepLoss,
                BatchTokens = stepTokens,
                Tokens = tokens,
                Epoch = epoch,
                Lr = lr,
                GradNorm = gradNorm,
                Seconds = seconds,
                TokensPerSecond = stepTokens / seconds,
                Mfu = peak is double p ? flopsPerToken * stepTokens / seconds / p : null,
            };
            log.Write(row);
            stepRows.Add(row);
            request.OnStep?.Invoke(row);

            int done = step + 1;
            bool last = done == config.Steps;
            if (hasValidation && ((config.EvalEvery > 0 && done % config.EvalEvery == 0) || last))
            {
                var eval = Evaluate(model, data, manifest, tokenizer, config, vocab, device, done, ct);
                log.Write(eval);
                evalRows.Add(eval);
                request.OnEval?.Invoke(eval);
            }
            if ((config.CheckpointEvery > 0 && done % config.CheckpointEvery == 0) || last || done == endStep)
            {
                var header = new CheckpointHeader
                {
                    Step = done,
                    Tokens = tokens,
                    Config = config,
                    Vocab = vocab,
                    Tokenizer = manifest.Tokenizer,
                    Data = data,
                    Loader = loaderState,
                    CreatedAt = DateTime.UtcNow,
                };
                lastCheckpoint = Checkpoint.Save(runDir, header, model, optimizer, config.KeepCheckpoints);
            }
            FaultPoint.Counted("train", "step", done - 1, done);
        }

        double totalSeconds = total.Elapsed.TotalSeconds;
        var lastEval = evalRows.LastOrDefault();
        var result = new TrainResult
        {
            Steps = Math.Max(startStep, endStep),
            ResumedFrom = startStep,
            Tokens = tokens,
            Parameters = model.ParameterCount,
            NonEmbeddingParameters = model.NonEmbeddingParameterCount,
            Device = device.ToString(),
            Seconds = totalSeconds,
            TokensPerSecond = tokensThisProcess / Math.Max(1e-9, totalSeconds),
            FinalLoss = stepRows.LastOrDefault()?.Loss ?? double.NaN,
            FinalValLoss = lastEval?.ValLoss,
            FinalBitsPerByte = lastEval?.BitsPerByte,
            UnigramBaselineLoss = hasValidation ? UnigramEntropy.CrossEntropyAsync(data, manifest, ct: ct).GetAwaiter().GetResult() : null,
            Checkpoint = lastCheckpoint,
            StepMetrics = stepRows,
            EvalMetrics = evalRows,
        };
        DatasetFolder.WriteJsonAtomic(Path.Combine(runDir, SummaryFile), result with { StepMetrics = [], EvalMetrics = [] });
        return result;
    }

    /// <summary>AdamW (Loshchilov &amp; Hutter 2019) with weight decay on matrices (dim ≥ 2) only, not on biases and LayerNorm gains.</summary>
    public static optim.Optimizer CreateOptimizer(Gpt model, TrainConfig c)
    {
        var decay = model.parameters().Where(p => p.dim() >= 2).ToList();
        var noDecay = model.parameters().Where(p => p.dim() < 2).ToList();
        var groups = new List<AdamW.ParamGroup>
        {
            new(decay, new AdamW.Options { weight_decay = c.WeightDecay }),
            new(noDecay, new AdamW.Options { weight_decay = 0.0 }),
        };
        return optim.AdamW(groups, c.Lr, c.Beta1, c.Beta2, 1e-8, 0.0);
    }

    /// <summary>Mean validation loss over the first <see cref="TrainConfig.EvalBatches"/> batches of the validation split (always the same ones), perplexity and bits per byte.</summary>
    public static EvalMetric Evaluate(Gpt model, string data, TokenManifest manifest, ITextTokenizer tokenizer, TrainConfig config, int vocab, Device device, int step, CancellationToken ct)
    {
        model.eval();
        try
        {
            double nats = 0;
            long count = 0, bytes = 0;
            var options = new BatchLoaderOptions("validation", config.Batch, config.Context, vocab, config.Seed, Shuffle: false, Repeat: false);
            using (var loader = BatchLoader.OpenAsync(data, manifest, options, null, ct).GetAwaiter().GetResult())
            {
                for (int i = 0; i < config.EvalBatches; i++)
                {
                    var batch = loader.Next(ct);
                    if (batch is null) break;
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    var x = tensor(batch.Inputs, [batch.Rows, batch.Context]).to(device);
                    var y = tensor(batch.Targets, [batch.Rows, batch.Context]).to(device);
                    nats += model.Loss(x, y).item<float>() * (double)batch.Tokens;
                    count += batch.Tokens;
                    bytes += TextBytes(tokenizer, batch.Targets);
                }
            }
            if (count == 0) throw new DataPipeException($"{data}: the validation split has fewer than context+1 = {config.Context + 1} tokens");
            double loss = nats / count;
            string? sample = config.SamplePrompt.Length > 0 && config.SampleTokens > 0
                ? Sample(model, tokenizer, config.SamplePrompt, config.SampleTokens, config.Temperature, config.TopK, config.Seed + step, device)
                : null;
            return new EvalMetric
            {
                Step = step,
                ValLoss = loss,
                Perplexity = Math.Exp(loss),
                BitsPerByte = bytes > 0 ? nats / Math.Log(2) / bytes : double.NaN,
                ValTokens = count,
                ValBytes = bytes,
                Sample = sample,
            };
        }
        finally
        {
            model.train();
        }
    }

    /// <summary>UTF-8 bytes of the text a row-major run of targets decodes to (end-of-text decodes to nothing).</summary>
    public static long TextBytes(ITextTokenizer tokenizer, long[] tokens)
    {
        var ids = new int[tokens.Length];
        for (int i = 0; i < ids.Length; i++) ids[i] = (int)tokens[i];
        return Encoding.UTF8.GetByteCount(tokenizer.Decode(ids));
    }

    /// <summary>A continuation of <paramref name="prompt"/>, sampled with a generator of its own (the training RNG is untouched).</summary>
    public static string Sample(Gpt model, ITextTokenizer tokenizer, string prompt, int tokens, double temperature, int topK, long seed, Device device)
    {
        var ids = tokenizer.Encode(prompt);
        if (ids.Length == 0) ids = [tokenizer.EotId];
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed, device);
        var idx = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]).to(device);
        var output = model.Generate(idx, tokens, temperature, topK, generator, stopAt: tokenizer.EotId);
        var all = output[0].cpu().data<long>().ToArray();
        var generated = all.Skip(ids.Length).Select(t => (int)t).Where(t => t != tokenizer.EotId).ToArray();
        return tokenizer.Decode(generated);
    }

    private static void CheckCompatible(string path, CheckpointHeader h, TrainConfig c, int vocab, TokenManifest manifest)
    {
        if (h.Tokenizer.VocabHash != manifest.Tokenizer.VocabHash)
            throw new DataPipeException($"{path}: trained with tokenizer '{h.Tokenizer.Name}' (vocabulary hash {h.Tokenizer.VocabHash}), but the shards use '{manifest.Tokenizer.Name}' ({manifest.Tokenizer.VocabHash})");
        if (c.Context > h.Config.Context)
            throw new DataPipeException($"{path}: context {c.Context} is longer than the checkpoint model's context {h.Config.Context}");
        var was = GptShape.From(h.Config, h.Vocab);
        var now = GptShape.From(c, vocab);
        if (was != now)
            throw new DataPipeException($"{path}: the checkpoint's model ({Describe(was)}) differs from the configured one ({Describe(now)})");
    }

    private static string Describe(GptShape s) => $"layers {s.Layers}, heads {s.Heads}, width {s.Width}, context {s.Context}, vocab {s.Vocab}";

    /// <summary>Runs a forward pass, turning the device's out-of-memory error into one that says what to lower.</summary>
    private static Tensor RunOnDevice(Func<Tensor> forward, TrainConfig c, Device device)
    {
        try
        {
            return forward();
        }
        catch (Exception e) when ((e is ExternalException || e is OutOfMemoryException) && e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new DataPipeException($"{device}: out of memory at batch {c.Batch} × context {c.Context}; lower --batch (e.g. --batch {Math.Max(1, c.Batch / 2)}) and keep the step size with batch_tokens", e);
        }
    }
}
