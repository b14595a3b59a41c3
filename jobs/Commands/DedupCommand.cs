using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Dedup;
using DataPipe.Jobs.Cli;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe dedup</c>: exact and MinHash LSH near-duplicate removal (GPT-3 appendix A) as four resumable stages
/// under OUTPUT (signatures, pairs, clusters, documents); the survivors are OUTPUT/documents, the numbers
/// OUTPUT/dedup_stats.json.
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
        var keepRejected = CommonOptions.KeepRejected();
        var ngram = new Option<int>("--ngram", "--shingle") { Description = "Words per shingle", DefaultValueFactory = _ => 5 };
        var bands = new Option<int?>("--bands") { Description = "LSH bands (with --rows; default: chosen from --threshold, 14 x 8 at 0.8)" };
        var rows = new Option<int?>("--rows") { Description = "Rows per LSH band (with --bands)" };
        var threshold = new Option<double>("--threshold") { Description = "Jaccard similarity at or above which documents are near-duplicates", DefaultValueFactory = _ => 0.8 };
        var verify = new Option<DedupVerification>("--verify") { Description = "Confirm LSH candidates by exact shingle-set Jaccard, by signature agreement, or not at all", DefaultValueFactory = _ => DedupVerification.Shingles };
        var partitions = new Option<int>("--partitions") { Description = "Bucket partitions (tasks of the pairs stage; 0: max(tasks, 8))" };
        var noUrl = new Option<bool>("--no-url-dedup") { Description = "Do not treat a repeated URL as an exact duplicate" };

        var command = new Command("dedup", "Remove exact (content_hash, URL) and near-duplicate (MinHash LSH) documents")
        {
            input, output, tasks, workers, attempts, force, keepRejected, ngram, bands, rows, threshold, verify, partitions, noUrl,
        };
        command.SetAction(async (parse, ct) =>
        {
            int w = parse.GetValue(workers);
            var options = new DedupOptions
            {
                ShingleSize = parse.GetValue(ngram),
                Bands = parse.GetValue(bands),
                Rows = parse.GetValue(rows),
                Threshold = parse.GetValue(threshold),
                Verify = parse.GetValue(verify),
                Tasks = CommonOptions.ResolveTasks(parse.GetValue(tasks), w),
                Partitions = parse.GetValue(partitions),
                ExactByUrl = !parse.GetValue(noUrl),
                KeepRejected = parse.GetValue(keepRejected),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new DataPipeException($"dedup: {e.Message}");
            }
            var executor = new ExecutorOptions { Workers = w, MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            var pipeline = new DedupPipeline(options, parse.GetValue(input)!, parse.GetValue(output)!);
            var stats = await pipeline.RunAsync((stage, dir, token) => StageConsole.RunAsync(stage, dir, executor, token), ct).ConfigureAwait(false);
            PrintStats(stats, pipeline.StatsPath);
            return 0;
        });
        return command;
    }

    private static void PrintStats(DedupStats s, string path)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().Title("[bold]dedup[/]").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("documents in", N(s.DocumentsIn));
        table.AddRow("exact duplicates", N(s.ExactDuplicates));
        table.AddRow("near duplicates", N(s.NearDuplicates));
        table.AddRow("documents out", N(s.DocumentsOut));
        table.AddRow("clusters (2+ documents)", N(s.Clusters));
        table.AddRow("candidate pairs checked", N(s.CandidatePairsChecked));
        table.AddRow("rejected by verification", N(s.PairsRejectedByVerification));
        table.AddRow("banding", $"{s.Banding.Bands} x {s.Banding.Rows}, threshold {s.Threshold.ToString(CultureInfo.InvariantCulture)}, verify {s.Verify.ToString().ToLowerInvariant()}");
        AnsiConsole.Write(table);
        if (s.LargestClusters.Count > 0)
        {
            var largest = new Table().Title("[bold]largest clusters[/]").AddColumn("cluster").AddColumn(new TableColumn("size").RightAligned()).AddColumn("example URLs");
            foreach (var c in s.LargestClusters)
                largest.AddRow(c.Cluster.ToString(CultureInfo.InvariantCulture), N(c.Size), Markup.Escape(string.Join("\n", c.ExampleUrls)));
            AnsiConsole.Write(largest);
        }
        AnsiConsole.MarkupLine($"stats: [blue]{Markup.Escape(path)}[/]");
    }
}
