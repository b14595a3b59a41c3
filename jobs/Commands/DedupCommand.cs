using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Dedup;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe dedup</c>: exact and MinHash LSH near-duplicate removal (GPT-3 appendix A) as four resumable stages
/// under OUTPUT (signatures, pairs, clusters, documents); the survivors are OUTPUT/documents, the numbers
/// OUTPUT/dedup_stats.json. Run as a one-stage pipeline of <see cref="DedupKind"/> (<see cref="OneStagePipeline"/>), its
/// flags generated from <see cref="DedupKind.Schema"/>.
/// </summary>
public static class DedupCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Input documents dataset folder (complete: with _SUCCESS.json)", Required = true };
        var output = CommonOptions.Output("Output root: signatures/, pairs/, clusters/, documents/ (the survivors), dedup_stats.json");
        var tasks = CommonOptions.Tasks();
        var workers = CommonOptions.Workers();
        var attempts = CommonOptions.Attempts();
        var force = CommonOptions.Force();
        var flags = DedupKind.Schema.CreateFlags(new DedupOptions());

        var command = new Command("dedup", "Remove exact (content_hash, URL) and near-duplicate (MinHash LSH) documents")
        {
            input, output, tasks, workers, attempts, force,
        };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            var executor = new StageRunOptions { Workers = parse.GetValue(workers), MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            await OneStagePipeline.RunAsync(new DedupKind(), [parse.GetValue(input)!], DedupKind.Schema.FlagsToMapping(parse, flags), outDir,
                parse.GetValue(tasks), executor, ct).ConfigureAwait(false);
            string statsPath = Path.Combine(outDir, DedupPipeline.StatsFile);
            var stats = DatasetFolder.ReadJson<DedupStats>(statsPath) ?? throw new DataPipeException($"{statsPath}: missing after the dedup stages finished");
            PrintStats(stats, statsPath);
            return 0;
        });
        return command;
    }

    private static void PrintStats(DedupStats s, string path)
    {
        foreach (var line in DedupStatsText.Lines(s, path)) Console.WriteLine(line);
    }
}
