using System.CommandLine;
using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;
using DataPipe.Ingest;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe ingest</c>: WARC/WET files to a documents dataset (<see cref="IngestStage"/>), run as a one-stage
/// pipeline of <see cref="IngestKind"/> (<see cref="OneStagePipeline"/>); its option flags are generated from
/// <see cref="IngestKind.Schema"/>.
/// </summary>
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
        var flags = IngestKind.Schema.CreateFlags(new IngestOptions());
        // The older spelling: one MiB cap for both the record and the decoded body (a byte flag given too wins).
        var maxRecordMb = new Option<int?>("--max-record-mb") { Description = "Sets --max-record-bytes and --max-body-bytes in MiB [1..1024]" };

        var command = new Command("ingest", "Read WARC/WET files (local, https, s3) into a documents dataset: HTTP decoding, charset, main text, language")
        {
            input, output, tasks, workers, attempts, force, maxRecordMb,
        };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            var options = IngestKind.Schema.FlagsToMapping(parse, flags);
            if (parse.GetValue(maxRecordMb) is int mb)
            {
                if (mb is < 1 or > 1024) throw new DataPipeException($"command line: max-record-mb: {mb} is out of range [1..1024]");
                // The byte flags, when given too, win.
                foreach (string key in new[] { "max_record_bytes", "max_body_bytes" })
                    options.Children.TryAdd(new YamlScalarNode(key), new YamlScalarNode((mb << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            var executor = new StageRunOptions { Workers = parse.GetValue(workers), MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            var result = (await OneStagePipeline.RunAsync(new IngestKind(), parse.GetValue(input) ?? [], options, parse.GetValue(output)!,
                parse.GetValue(tasks), executor, ct).ConfigureAwait(false)).Single();
            foreach (var skipped in SkippedInputs(result.OutputDir)) Console.Error.WriteLine($"warning: input skipped: {skipped.Location}: {skipped.Detail}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Every input the stage could not read, by URL or path, from its tasks' completion records (they are also counted
    /// in the summary under input_not_found / input_unreadable).
    /// </summary>
    public static IReadOnlyList<SkippedInput> SkippedInputs(string outputDir)
    {
        var plan = DatasetFolder.ReadStagePlan(outputDir);
        if (plan is null) return [];
        return [.. Enumerable.Range(0, plan.TaskCount)
            .Select(t => DatasetFolder.ReadTaskRecord(outputDir, t))
            .Where(r => r is not null)
            .SelectMany(r => r!.SkippedInputs)
            .DistinctBy(s => s.Location)];
    }
}
