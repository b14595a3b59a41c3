using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Errors;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using DataPipe.Train;
using DataPipe.Train.Ablation;
using DataPipe.Jobs.Cli;

using DataPipe.Jobs.Pipeline.Kinds;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe ablate PIPELINE.yaml --tokens N</c>: trains the same GPT for the same tokens on the pipeline's ingested
/// documents (before filtering and dedup) and on its final documents, tokenized alike, and compares their losses on
/// held-out curated text (<see cref="DataAblation"/>). The pipeline must have run through its last documents stage.
/// With <c>--arm NAME=STEP</c> (repeated), <c>--seeds 1,2,3</c> and <c>--eval NAME=FILE[,FILE]</c> (repeated) it runs
/// every arm once per seed and scores each model on every evaluation set (<see cref="SeededAblation"/>).
/// </summary>
public static class AblateCommand
{
    public const string DefaultHeldOut = "../shared/data/text/wikitext-2/valid.txt";

    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline YAML file (already run)" };
        var tokens = new Option<long>("--tokens") { Description = "Training tokens for each model", Required = true };
        var raw = new Option<string?>("--raw") { Description = "Step whose documents are the uncurated arm (default: the ingest step)" };
        var curated = new Option<string?>("--curated") { Description = "Step whose documents are the curated arm (default: the last documents step before tokenize)" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = $"Tokenizer for both arms ({TokenizerCatalog.SpecHelp}); default: the pipeline's tokenize output's" };
        var heldOut = new Option<string[]>("--held-out") { Description = $"Held-out curated text files (default {DefaultHeldOut})", AllowMultipleArgumentsPerToken = true };
        var configFile = new Option<string?>("--config") { Description = "Train config YAML of the model both arms train" };
        var output = new Option<string?>("--out", "-o") { Description = "Report folder (default OUTPUT_ROOT/ablation)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp" };
        var arms = new Option<string[]>("--arm") { Description = "NAME=STEP: an arm trained on that step's documents (repeat; seeded ablation)", AllowMultipleArgumentsPerToken = true };
        var seeds = new Option<string?>("--seeds") { Description = "Comma-separated seeds; every arm trains once per seed (seeded ablation)" };
        var evals = new Option<string[]>("--eval") { Description = "NAME=FILE[,FILE]: an evaluation set of plain text (repeat; the first is also the trainer's validation split)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("ablate", "Train the same model on raw and on curated documents and compare held-out loss on curated text")
        {
            pipeline, tokens, raw, curated, tokenizer, heldOut, configFile, output, threads, arms, seeds, evals,
        };
        command.SetAction(async (parse, ct) =>
        {
            var def = PipelineLoader.Load(parse.GetValue(pipeline)!);
            var rawStep = Find(def, parse.GetValue(raw)) ?? def.Steps.FirstOrDefault(s => s.Kind == "ingest")
                ?? throw new DataPipeException($"{def.File}: no ingest step; name the uncurated step with --raw");
            int tokenizeAt = def.Steps.ToList().FindIndex(s => s.Kind == "tokenize");
            var curatedStep = Find(def, parse.GetValue(curated))
                ?? (tokenizeAt > 0 ? def.Steps[tokenizeAt - 1] : null)
                ?? throw new DataPipeException($"{def.File}: no tokenize step to find the final documents before it; name the curated step with --curated");
            string spec = parse.GetValue(tokenizer) ?? PipelineTokenizer(def, tokenizeAt) ?? "cl100k_base";
            var files = parse.GetValue(heldOut) is { Length: > 0 } h ? h : [DefaultHeldOut];
            var config = parse.GetValue(configFile) is { } file ? TrainKind.Schema.ReadFile(file, new TrainConfig()).Validate() : new TrainConfig { WarmupSteps = 20 };
            if (parse.GetValue(threads) is int t) config = config with { Threads = t };
            if (parse.GetValue(arms) is { Length: > 0 } || parse.GetValue(seeds) is not null || parse.GetValue(evals) is { Length: > 0 })
                return await RunSeededAsync(def, parse.GetValue(arms) ?? [], parse.GetValue(seeds), parse.GetValue(evals) ?? [], files,
                    rawStep.OutputDir, curatedStep.OutputDir, spec, config, parse.GetValue(tokens), parse.GetValue(output), ct).ConfigureAwait(false);

            var report = await DataAblation.RunAsync(new AblationOptions
            {
                Arms = [new AblationArm("raw", rawStep.OutputDir), new AblationArm("curated", curatedStep.OutputDir)],
                Tokenizer = spec,
                HeldOut = files,
                Config = config,
                Tokens = parse.GetValue(tokens),
                Out = parse.GetValue(output) ?? Path.Combine(def.OutputRoot, "ablation"),
            }, line => TextWrap.Print($"[ablate] {line}"), ct).ConfigureAwait(false);

            foreach (var line in AblationText.Lines(report)) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    private static async Task<int> RunSeededAsync(PipelineDefinition def, string[] armSpecs, string? seedList, string[] evalSpecs, string[] heldOut,
        string rawDir, string curatedDir, string tokenizer, TrainConfig config, long tokens, string? output, CancellationToken ct)
    {
        var armList = armSpecs.Length == 0
            ? [new AblationArm("raw", rawDir), new AblationArm("curated", curatedDir)]
            : armSpecs.Select(a =>
            {
                int eq = a.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new DataPipeException($"--arm '{a}': expected NAME=STEP");
                var step = Find(def, a[(eq + 1)..])!;
                return new AblationArm(a[..eq], step.OutputDir);
            }).ToList();
        var seedValues = (seedList ?? "1").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : throw new DataPipeException($"--seeds: '{x}' is not an integer")).ToList();
        var sets = evalSpecs.Length == 0
            ? [new EvalSet("held-out", heldOut)]
            : evalSpecs.Select(e =>
            {
                int eq = e.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new DataPipeException($"--eval '{e}': expected NAME=FILE[,FILE]");
                return new EvalSet(e[..eq], e[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }).ToList();
        var report = await SeededAblation.RunAsync(new SeededAblationOptions
        {
            Arms = armList,
            Tokenizer = tokenizer,
            EvalSets = sets,
            Seeds = seedValues,
            Config = config,
            Tokens = tokens,
            Out = output ?? Path.Combine(def.OutputRoot, "ablation"),
        }, line => TextWrap.Print($"[ablate] {line}"), ct).ConfigureAwait(false);

        foreach (var line in AblationText.SeededLines(report, Path.Combine(Path.GetDirectoryName(report.Plot)!, DataAblation.ReportFile))) Console.WriteLine(line);
        return 0;
    }

    private static PipelineStep? Find(PipelineDefinition def, string? name) =>
        name is null ? null : def.FindStep(name) ?? throw new DataPipeException($"{def.File}: no step named '{name}' (steps: {string.Join(", ", def.Steps.Select(s => s.Name))})");

    /// <summary>The tokenizer of the pipeline's tokenize output, when it has run.</summary>
    private static string? PipelineTokenizer(PipelineDefinition def, int tokenizeAt)
    {
        if (tokenizeAt < 0) return null;
        // A tokenize stage that learns its BPE runs two steps (NAME.bpe, then NAME): the shards are the last one's.
        var step = def.Steps.Skip(tokenizeAt).TakeWhile(s => s.Kind == "tokenize").LastOrDefault(s => File.Exists(Path.Combine(s.OutputDir, TokenManifest.FileName)));
        if (step is null) return null;
        string dir = step.OutputDir;
        var id = TokenManifest.Load(dir).Tokenizer;
        return id.Kind switch
        {
            ByteTokenizer.Kind => ByteTokenizer.Kind,
            ByteLevelBpeTokenizer.Kind => "bpe:" + Path.Combine(dir, TokenizerCatalog.ShardTokenizerDir),
            _ => id.Name,
        };
    }
}
