using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Stages;
using DataPipe.Tokenize.Tokenizers;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe tokenize --input DOCS --output DIR --tokenizer cl100k_base|o200k_base|bpe:DIR</c>: documents → token shards
/// with <c>manifest.json</c> (<see cref="TokenizeStage"/>); <c>datapipe tokenize verify DIR</c> re-reads and checks them
/// (<see cref="TokenShardVerifier"/>). Run as a one-stage pipeline of <see cref="TokenizeKind"/> (<see cref="OneStagePipeline"/>):
/// its flags (<c>--tokenizer</c> included) are generated from <see cref="TokenizeKind.Schema"/>.
/// </summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Documents dataset folder (a completed stage output)", Required = true };
        var output = CommonOptions.Output("Token shard folder");
        var flags = TokenizeKind.Schema.CreateFlags(new TokenizeOptions());
        var tasks = CommonOptions.Tasks();
        var workers = CommonOptions.Workers();
        var attempts = CommonOptions.Attempts();
        var force = CommonOptions.Force();

        var command = new Command("tokenize", "Documents → token shards (Parquet {doc_id, tokens}) with a manifest; 'tokenize verify DIR' checks them")
        {
            input, output, tasks, workers, attempts, force,
        };
        foreach (var flag in flags) command.Add(flag);
        command.Add(CreateVerify());
        command.SetAction(async (parse, ct) =>
        {
            var options = TokenizeKind.Schema.FlagsToMapping(parse, flags);
            var executor = new ExecutorOptions { Workers = parse.GetValue(workers), MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            var results = await OneStagePipeline.RunAsync(new TokenizeKind(), [parse.GetValue(input)!], options, parse.GetValue(output)!,
                parse.GetValue(tasks), executor, ct).ConfigureAwait(false);
            var result = results[^1];
            var manifest = TokenManifest.Load(result.OutputDir);
            PrintManifest(manifest, result.OutputDir);
            return 0;
        });
        return command;
    }

    private static Command CreateVerify()
    {
        var dir = new Argument<string>("DIR") { Description = "Token shard folder (holds manifest.json)" };
        var command = new Command("verify", "Re-read every shard: SHA-256, row and token counts against the manifest, ids within the vocabulary, decode a sample") { dir };
        command.SetAction(async (parse, ct) =>
        {
            var report = await TokenShardVerifier.VerifyAsync(parse.GetValue(dir)!, ct).ConfigureAwait(false);
            var table = new Table().Title("[bold]tokenize verify[/]").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
            table.AddRow("tokenizer", Markup.Escape($"{report.Tokenizer.Kind}:{report.Tokenizer.Name} ({report.Tokenizer.VocabSize:N0} ids)"));
            table.AddRow("shards", report.Shards.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("rows", report.Rows.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("tokens", report.Tokens.ToString("N0", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            string sample = report.SampleText.Length > 300 ? report.SampleText[..300] + "…" : report.SampleText;
            AnsiConsole.MarkupLine($"sample [blue]{Markup.Escape(report.SampleDocId)}[/]: {Markup.Escape(sample.ReplaceLineEndings(" "))}");
            AnsiConsole.MarkupLine("[green]ok[/]: every shard matches the manifest");
            return 0;
        });
        return command;
    }

    private static void PrintManifest(TokenManifest m, string dir)
    {
        var table = new Table().Title("[bold]token shards[/]").AddColumn("split").AddColumn(new TableColumn("shards").RightAligned())
            .AddColumn(new TableColumn("documents").RightAligned()).AddColumn(new TableColumn("tokens").RightAligned());
        foreach (var (split, totals) in new[] { (TokenizeStage.TrainSplit, m.Train), (TokenizeStage.ValidationSplit, m.Validation) })
            table.AddRow(split, m.ShardsOf(split).Count().ToString(CultureInfo.InvariantCulture), totals.Rows.ToString("N0", CultureInfo.InvariantCulture), totals.Tokens.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"manifest: [blue]{Markup.Escape(Path.Combine(dir, TokenManifest.FileName))}[/] ({Markup.Escape(m.Tokenizer.Kind)}:{Markup.Escape(m.Tokenizer.Name)}, vocabulary {m.Tokenizer.VocabSize:N0}, hash {m.Tokenizer.VocabHash[..Math.Min(12, m.Tokenizer.VocabHash.Length)]})");
    }
}
