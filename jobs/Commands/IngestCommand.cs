using System.CommandLine;
using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;
using DataPipe.Ingest;
using DataPipe.Ingest.Extraction;
using DataPipe.Jobs.Cli;

namespace DataPipe.Jobs.Commands;

/// <summary><c>datapipe ingest</c>: WARC/WET files to a documents dataset (<see cref="IngestStage"/>).</summary>
public static class IngestCommand
{
    public static Command Create()
    {
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "WARC/WET inputs: paths, folders, globs, listings (warc.paths.gz, @file), https:// or s3:// URIs",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = CommonOptions.Output();
        var tasks = CommonOptions.Tasks();
        tasks.Description = "Number of tasks (0: one per input file; fewer tasks than files groups files by size)";
        var workers = CommonOptions.Workers();
        var attempts = CommonOptions.Attempts();
        var force = CommonOptions.Force();
        var extractor = new Option<string>("--extractor")
        {
            Description = $"Main-text extractor: {string.Join(", ", ExtractorCatalog.Names)}",
            DefaultValueFactory = _ => ExtractorCatalog.Default,
        };
        var languages = new Option<string[]>("--languages")
        {
            Description = "Languages the identifier chooses among, ISO 639-1 (default: 24 common languages)",
            AllowMultipleArgumentsPerToken = true,
        };
        var maxRecord = new Option<int>("--max-record-mb")
        {
            Description = "Largest WARC record and decoded body, in MiB (bigger ones are skipped and counted)",
            DefaultValueFactory = _ => 10,
        };

        var command = new Command("ingest", "Read WARC/WET files (local, https, s3) into a documents dataset: HTTP decoding, charset, main text, language")
        {
            input, output, tasks, workers, attempts, force, extractor, languages, maxRecord,
        };
        command.SetAction(async (parse, ct) =>
        {
            int capMb = Math.Clamp(parse.GetValue(maxRecord), 1, 1024);
            var options = new IngestOptions
            {
                Inputs = parse.GetValue(input) ?? [],
                Tasks = parse.GetValue(tasks),
                Extractor = parse.GetValue(extractor) ?? ExtractorCatalog.Default,
                Languages = (parse.GetValue(languages) ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                MaxRecordBytes = capMb << 20,
                MaxBodyBytes = capMb << 20,
            };
            var stage = await IngestStage.CreateAsync(options, ct: ct).ConfigureAwait(false);
            string outDir = parse.GetValue(output)!;
            var result = await StageConsole.RunAsync(stage, outDir, new ExecutorOptions
            {
                Workers = parse.GetValue(workers),
                MaxAttempts = parse.GetValue(attempts),
                Force = parse.GetValue(force),
            }, ct).ConfigureAwait(false);
            ReportFailedInputs(result.OutputDir);
            return 0;
        });
        return command;
    }

    /// <summary>Names, by URL or path, every input that could not be read (they are also counted in the summary).</summary>
    private static void ReportFailedInputs(string outputDir)
    {
        string logs = Path.Combine(outputDir, DatasetFolder.LogsDir);
        if (!Directory.Exists(logs)) return;
        var failed = Directory.EnumerateFiles(logs, "*.log")
            .SelectMany(File.ReadLines)
            .Select(l => l.IndexOf(IngestStage.InputFailedLogPrefix, StringComparison.Ordinal) is var at and >= 0 ? l[(at + IngestStage.InputFailedLogPrefix.Length)..] : null)
            .Where(l => l is not null)
            .Distinct()
            .ToList();
        foreach (var f in failed) Console.Error.WriteLine($"warning: input skipped: {f}");
    }
}
