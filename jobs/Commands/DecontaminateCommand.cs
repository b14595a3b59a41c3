using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Decontaminate;
using DataPipe.Decontaminate.Benchmarks;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe decontaminate</c>: removes evaluation-set text from a documents dataset by GPT-3's 13-gram rule and prints
/// what leaked, per benchmark (OUTPUT/contamination.json holds the report with examples). Its rule's flags are
/// generated from <see cref="DecontaminateKind.Schema"/>, the schema a pipeline's decontaminate stage reads.
/// </summary>
public static class DecontaminateCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Input documents dataset folder (complete: with _SUCCESS.json)", Required = true };
        var output = CommonOptions.Output("Output dataset folder: the decontaminated documents and contamination.json");
        var tasks = CommonOptions.Tasks();
        var workers = CommonOptions.Workers();
        var attempts = CommonOptions.Attempts();
        var force = CommonOptions.Force();
        var benchmarks = new Option<string[]>("--benchmarks", "-b") { Description = "Benchmark files or folders (each .jsonl/.json/.txt file one set, layout detected)", Required = true, AllowMultipleArgumentsPerToken = true };
        var field = new Option<string?>("--field") { Description = "For your own JSON-lines sets: the field holding the item text (applies to every .jsonl given)" };
        var ignore = new Option<string?>("--ignore") { Description = "Text file of phrases (one a line) never treated as leaks" };
        var index = new Option<string?>("--index") { Description = "Where to keep the n-gram index (default: OUTPUT.ngram-index beside the output); rebuilt when the benchmarks change" };
        var flags = DecontaminateKind.Schema.CreateFlags(new DecontaminateOptions());

        var command = new Command("decontaminate", "Remove benchmark text (13-gram overlap, GPT-3's cut-and-split rule) and report what leaked")
        {
            input, output, tasks, workers, attempts, force, benchmarks, field, ignore, index,
        };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            int w = parse.GetValue(workers);
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            var sources = BenchmarkSource.Expand(parse.GetValue(benchmarks)!);
            if (parse.GetValue(field) is { } f)
                sources = [.. sources.Select(s => BenchmarkReader.Detect(s) == BenchmarkFormat.LlmFoundry ? s with { Format = BenchmarkFormat.JsonLines, Field = f } : s)];
            var options = DecontaminateKind.Schema.ReadFlags(parse, flags, new DecontaminateOptions
            {
                Input = parse.GetValue(input)!,
                Tasks = CommonOptions.ResolveTasks(parse.GetValue(tasks), w),
                Benchmarks = sources,
                IgnoreList = parse.GetValue(ignore),
                IndexPath = parse.GetValue(index) ?? Path.TrimEndingDirectorySeparator(outDir) + ".ngram-index",
            });
            var executor = new ExecutorOptions { Workers = w, MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            var stage = new DecontaminateStage(options);
            await StageConsole.RunAsync(stage, outDir, executor, ct).ConfigureAwait(false);
            var report = ContaminationReport.ReadFrom(outDir) ?? throw new DataPipeException($"{outDir}: {ContaminationReport.FileName} missing after the stage finished");
            Print(report, Path.Combine(outDir, ContaminationReport.FileName));
            return 0;
        });
        return command;
    }

    /// <summary>The per-benchmark table (also used by <c>inspect</c> on a decontaminate output).</summary>
    public static void Print(ContaminationReport r, string path)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().Title($"[bold]contamination[/] (action {Markup.Escape(r.Action)})")
            .AddColumn("benchmark").AddColumn(new TableColumn("items").RightAligned()).AddColumn(new TableColumn("indexed").RightAligned())
            .AddColumn(new TableColumn("found in corpus").RightAligned()).AddColumn(new TableColumn("documents").RightAligned())
            .AddColumn(new TableColumn("chars removed").RightAligned()).AddColumn(new TableColumn("n-gram hits").RightAligned());
        foreach (var b in r.Benchmarks)
            table.AddRow(Markup.Escape(b.Name), N(b.Items), N(b.ItemsIndexed), N(b.ItemsFound), N(b.Documents), N(b.CharsRemoved), N(b.NgramMatches));
        table.AddRow("[bold]corpus[/]", "", "", "", $"{N(r.DocumentsMatched)} of {N(r.DocumentsIn)}", $"{N(r.CharsRemoved)} of {N(r.CharsIn)}", "");
        AnsiConsole.Write(table);
        if (r.Index is { } ix)
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"index {ix.Key}: {ix.Ngrams:N0} {ix.Ngram}-grams ({ix.MemoryBytes / 1048576.0:F1} MiB in memory); ignored as common (in > {ix.MaxItemsPerNgram} items): {ix.NgramsIgnoredCommon:N0}, listed: {ix.NgramsIgnoredListed:N0}; documents dropped {r.DocumentsDropped:N0}, pieces kept {r.PiecesKept:N0}")));
        }
        foreach (var b in r.Benchmarks.Where(b => b.Examples.Count > 0))
        {
            foreach (var e in b.Examples.Take(3))
                AnsiConsole.MarkupLine($"  [bold]{Markup.Escape(b.Name)}[/] item {e.Item} (line {e.ItemLine}) in {Markup.Escape(e.Url)}: \"{Markup.Escape(Flat(e.MatchedText, 160))}\"");
        }
        AnsiConsole.MarkupLine($"report: [blue]{Markup.Escape(path)}[/]");
    }

    private static string Flat(string s, int max)
    {
        var t = string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return t.Length > max ? t[..max] + "..." : t;
    }
}
