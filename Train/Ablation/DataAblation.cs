using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Train.Data;
using DataPipe.Train.Metrics;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Train.Ablation;

/// <summary>One side of an ablation: a documents dataset (a folder of part files) under a short name.</summary>
public sealed record AblationArm(string Name, string Documents);

/// <summary>What <see cref="DataAblation"/> compares, with what model, for how many tokens, judged on which text.</summary>
public sealed record AblationOptions
{
    public required IReadOnlyList<AblationArm> Arms { get; init; }
    /// <summary>Tokenizer spec (<see cref="TokenizerCatalog.SpecHelp"/>) used for every arm and for the held-out text.</summary>
    public required string Tokenizer { get; init; }
    /// <summary>Held-out curated text files (blank-line-separated documents), e.g. WikiText-2 validation.</summary>
    public required IReadOnlyList<string> HeldOut { get; init; }
    public required TrainConfig Config { get; init; }
    /// <summary>Training tokens per arm (rounded up to whole steps).</summary>
    public required long Tokens { get; init; }
    public required string Out { get; init; }
    /// <summary>Evaluations along the run (for the curves).</summary>
    public int Evaluations { get; init; } = 10;
}

/// <summary>One arm's outcome.</summary>
public sealed record AblationArmResult
{
    public string Name { get; init; } = "";
    public string Documents { get; init; } = "";
    public long DocumentsUsed { get; init; }
    public long TrainTokensAvailable { get; init; }
    public long TokensTrained { get; init; }
    /// <summary>Passes over the arm's data the run made (the last step's epoch + 1).</summary>
    public int Epochs { get; init; }
    public double FinalValLoss { get; init; }
    public double FinalBitsPerByte { get; init; }
    public IReadOnlyList<EvalMetric> Curve { get; init; } = [];
}

/// <summary>The report of <c>datapipe ablate</c> (ablation.json).</summary>
public sealed record AblationReport
{
    public string Tokenizer { get; init; } = "";
    public IReadOnlyList<string> HeldOut { get; init; } = [];
    public long HeldOutTokens { get; init; }
    public int Steps { get; init; }
    public IReadOnlyList<AblationArmResult> Arms { get; init; } = [];
    public string Plot { get; init; } = "";
}

/// <summary>
/// The data ablation that curation teams use to prove a filter (e.g. the FineWeb and DCLM reports): the same GPT, the
/// same recipe, seed and number of tokens, trained once per documents dataset (here: ingested documents before
/// filtering and dedup, and the pipeline's final documents), every dataset tokenized alike, and every model evaluated on
/// the same held-out curated text (WikiText-2 validation by default). A lower held-out loss for the curated arm is the
/// evidence that the curation helped. Each arm's shards hold its documents as the train split and the held-out text as
/// the validation split, so the trainer's own evaluation measures exactly the comparison.
/// </summary>
public static class DataAblation
{
    public const string ReportFile = "ablation.json";
    public const string PlotFile = "ablation.png";

    public static async Task<AblationReport> RunAsync(AblationOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        if (options.Arms.Count < 2) throw new DataPipeException($"ablate: needs at least two datasets to compare (got {options.Arms.Count})");
        if (options.Tokens <= 0) throw new DataPipeException($"ablate: --tokens must be positive (got {options.Tokens})");
        if (options.HeldOut.Count == 0) throw new DataPipeException("ablate: needs held-out text to evaluate on");
        foreach (string file in options.HeldOut)
            if (!File.Exists(file)) throw new DataPipeException($"{file}: held-out text file not found");
        var tokenizer = TokenizerCatalog.Create(options.Tokenizer);
        var config = options.Config.Validate();
        int steps = (int)Math.Max(1, (options.Tokens + config.TokensPerStep - 1) / config.TokensPerStep);
        config = config with
        {
            Steps = steps,
            EvalEvery = Math.Max(1, steps / Math.Max(1, options.Evaluations)),
            CheckpointEvery = 0,
            WarmupSteps = Math.Min(config.WarmupSteps, steps / 10),
        };
        string outDir = Path.GetFullPath(options.Out);
        Directory.CreateDirectory(outDir);

        var results = new List<AblationArmResult>();
        long heldOutTokens = 0;
        foreach (var arm in options.Arms)
        {
            string shardDir = Path.Combine(outDir, arm.Name, "shards");
            var (manifest, docs) = await WriteShardsAsync(arm, options.HeldOut, tokenizer, options.Tokenizer, shardDir, ct).ConfigureAwait(false);
            heldOutTokens = manifest.Validation.Tokens;
            log?.Invoke($"{arm.Name}: {docs:N0} documents, {manifest.Train.Tokens:N0} train tokens; held-out {manifest.Validation.Tokens:N0} tokens");
            string runDir = Path.Combine(outDir, arm.Name, "run");
            if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
            var result = await GptTrainer.RunAsync(new TrainRequest(shardDir, runDir, config), ct).ConfigureAwait(false);
            var last = result.EvalMetrics[^1];
            log?.Invoke($"{arm.Name}: held-out loss {last.ValLoss:F4} nats/token, {last.BitsPerByte:F4} bits/byte after {result.Tokens:N0} tokens");
            results.Add(new AblationArmResult
            {
                Name = arm.Name,
                Documents = Path.GetFullPath(arm.Documents),
                DocumentsUsed = docs,
                TrainTokensAvailable = manifest.Train.Tokens,
                TokensTrained = result.Tokens,
                Epochs = result.StepMetrics.Count == 0 ? 0 : result.StepMetrics[^1].Epoch + 1,
                FinalValLoss = last.ValLoss,
                FinalBitsPerByte = last.BitsPerByte,
                Curve = result.EvalMetrics.Select(e => e with { Sample = null }).ToList(),
            });
        }

        var report = new AblationReport
        {
            Tokenizer = options.Tokenizer,
            HeldOut = options.HeldOut.Select(Path.GetFullPath).ToList(),
            HeldOutTokens = heldOutTokens,
            Steps = steps,
            Arms = results,
            Plot = Path.Combine(outDir, PlotFile),
        };
        SavePlot(report, config.TokensPerStep);
        AtomicFile.WriteAllText(Path.Combine(outDir, ReportFile), System.Text.Json.JsonSerializer.Serialize(report, DataPipeJson.Options));
        return report;
    }

    /// <summary>Train split: every document of the arm, encoded and ended with end-of-text; validation split: the held-out text.</summary>
    /// <remarks><paramref name="evalOnly"/>: no documents, an empty train split (a folder that only evaluates).</remarks>
    internal static async Task<(TokenManifest Manifest, long Documents)> WriteShardsAsync(AblationArm arm, IReadOnlyList<string> heldOut,
        ITextTokenizer tokenizer, string spec, string shardDir, CancellationToken ct, bool trainFromHeldOut = false)
    {
        bool evalOnly = trainFromHeldOut;
        var parts = evalOnly ? [] : DatasetFolder.RequireCompleteParts(arm.Documents);
        if (Directory.Exists(shardDir)) Directory.Delete(shardDir, recursive: true);
        Directory.CreateDirectory(shardDir);
        if (spec.Trim().StartsWith("bpe:", StringComparison.Ordinal))
            CopyFolder(spec.Trim()[4..], Path.Combine(shardDir, TokenizerCatalog.ShardTokenizerDir));

        const string trainFile = "train-00000.parquet", valFile = "validation-00000.parquet";
        long docs = 0;
        ShardEntry train, validation;
        await using (var writer = await TokenShardWriter.CreateAsync(Path.Combine(shardDir, trainFile), ct).ConfigureAwait(false))
        {
            foreach (string part in parts)
                await foreach (var doc in DocumentReader.ReadAsync(part, ct).ConfigureAwait(false))
                {
                    if (doc.Text.Length == 0) continue;
                    await writer.WriteAsync(doc.Id, tokenizer.EncodeDocument(doc.Text), ct).ConfigureAwait(false);
                    docs++;
                }
            await writer.DisposeAsync().ConfigureAwait(false);
            train = new ShardEntry { File = trainFile, Split = "train", Rows = writer.Rows, Tokens = writer.TokenCount, Sha256 = writer.Sha256 };
        }
        if (docs == 0 && !evalOnly) throw new DataPipeException($"{arm.Documents}: the '{arm.Name}' dataset holds no documents with text");
        await using (var writer = await TokenShardWriter.CreateAsync(Path.Combine(shardDir, valFile), ct).ConfigureAwait(false))
        {
            int n = 0;
            foreach (string file in heldOut)
                foreach (string text in PlainTextShards.Documents(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false)))
                    await writer.WriteAsync($"{Path.GetFileName(file)}#{n++}", tokenizer.EncodeDocument(text), ct).ConfigureAwait(false);
            await writer.DisposeAsync().ConfigureAwait(false);
            validation = new ShardEntry { File = valFile, Split = "validation", Rows = writer.Rows, Tokens = writer.TokenCount, Sha256 = writer.Sha256 };
        }
        var manifest = new TokenManifest
        {
            Tokenizer = tokenizer.Identity,
            Seed = 0,
            ValFraction = 0,
            Shards = [train, validation],
            Train = new SplitTotals { Rows = train.Rows, Tokens = train.Tokens },
            Validation = new SplitTotals { Rows = validation.Rows, Tokens = validation.Tokens },
            SourceDataset = Path.GetFullPath(arm.Documents) + " + held-out " + string.Join(",", heldOut.Select(Path.GetFileName)),
        };
        manifest.Save(shardDir);
        return (manifest, docs);
    }

    private static void CopyFolder(string from, string to)
    {
        if (!Directory.Exists(from)) throw new DataPipeException($"{from}: tokenizer folder not found");
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }

    private static void SavePlot(AblationReport report, int tokensPerStep)
    {
        var plot = new ScottPlot.Plot();
        foreach (var arm in report.Arms)
        {
            var line = plot.Add.Scatter(arm.Curve.Select(e => (double)e.Step * tokensPerStep).ToArray(), arm.Curve.Select(e => e.ValLoss).ToArray());
            line.LegendText = $"{arm.Name}: {arm.FinalValLoss:F3} nats/token";
        }
        plot.Title("Data ablation: held-out loss on curated text");
        plot.XLabel("training tokens");
        plot.YLabel("held-out loss (nats/token)");
        plot.ShowLegend();
        string temp = report.Plot + ".tmp.png";
        plot.SavePng(temp, 900, 600);
        File.Move(temp, report.Plot, overwrite: true);
    }
}
