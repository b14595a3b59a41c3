using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Errors;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using DataPipe.Train;
using DataPipe.Train.Ablation;
using Spectre.Console;

using DataPipe.Jobs.Pipeline.Kinds;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe ablate PIPELINE.yaml --tokens N</c>: trains the same GPT for the same tokens on the pipeline's ingested
/// documents (before filtering and dedup) and on its final documents, tokenized alike, and compares their losses on
/// held-out curated text (<see cref="DataAblation"/>). The pipeline must have run through its last documents stage.
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
        var command = new Command("ablate", "Train the same model on raw and on curated documents and compare held-out loss on curated text")
        {
            pipeline, tokens, raw, curated, tokenizer, heldOut, configFile, output, threads,
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

            var report = await DataAblation.RunAsync(new AblationOptions
            {
                Arms = [new AblationArm("raw", rawStep.OutputDir), new AblationArm("curated", curatedStep.OutputDir)],
                Tokenizer = spec,
                HeldOut = files,
                Config = config,
                Tokens = parse.GetValue(tokens),
                Out = parse.GetValue(output) ?? Path.Combine(def.OutputRoot, "ablation"),
            }, line => Console.WriteLine($"[ablate] {line}"), ct).ConfigureAwait(false);

            var table = new Table().Title("[bold]data ablation[/]: held-out loss on curated text").AddColumn("arm").AddColumn("documents")
                .AddColumn(new TableColumn("docs").RightAligned()).AddColumn(new TableColumn("train tokens").RightAligned())
                .AddColumn(new TableColumn("epochs").RightAligned()).AddColumn(new TableColumn("held-out loss").RightAligned())
                .AddColumn(new TableColumn("bits/byte").RightAligned());
            foreach (var a in report.Arms)
                table.AddRow(a.Name, Markup.Escape(a.Documents), a.DocumentsUsed.ToString("N0", CultureInfo.InvariantCulture),
                    a.TrainTokensAvailable.ToString("N0", CultureInfo.InvariantCulture), a.Epochs.ToString(CultureInfo.InvariantCulture),
                    a.FinalValLoss.ToString("F4", CultureInfo.InvariantCulture), a.FinalBitsPerByte.ToString("F4", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            double delta = report.Arms[1].FinalValLoss - report.Arms[0].FinalValLoss;
            AnsiConsole.MarkupLine(delta < 0
                ? $"curation [green]helped[/]: held-out loss {-delta:F4} nats/token lower on curated data"
                : $"curation [red]did not help[/]: held-out loss {delta:F4} nats/token higher on curated data");
            AnsiConsole.MarkupLine($"plot: [blue]{Markup.Escape(report.Plot)}[/]");
            return 0;
        });
        return command;
    }

    private static PipelineStep? Find(PipelineDefinition def, string? name) =>
        name is null ? null : def.FindStep(name) ?? throw new DataPipeException($"{def.File}: no step named '{name}' (steps: {string.Join(", ", def.Steps.Select(s => s.Name))})");

    /// <summary>The tokenizer of the pipeline's tokenize output, when it has run.</summary>
    private static string? PipelineTokenizer(PipelineDefinition def, int tokenizeAt)
    {
        if (tokenizeAt < 0) return null;
        string dir = def.Steps[tokenizeAt].OutputDir;
        if (!File.Exists(Path.Combine(dir, TokenManifest.FileName))) return null;
        var id = TokenManifest.Load(dir).Tokenizer;
        return id.Kind switch
        {
            ByteTokenizer.Kind => ByteTokenizer.Kind,
            ByteLevelBpeTokenizer.Kind => "bpe:" + Path.Combine(dir, TokenizerCatalog.ShardTokenizerDir),
            _ => id.Name,
        };
    }
}
