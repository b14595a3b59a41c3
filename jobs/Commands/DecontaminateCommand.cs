using System.CommandLine;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Decontaminate;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe decontaminate</c>: removes evaluation-set text from a documents dataset by GPT-3's 13-gram rule and prints
/// what leaked, per benchmark (OUTPUT/contamination.json holds the report with examples). Run as a one-stage pipeline of
/// <see cref="DecontaminateKind"/> (<see cref="OneStagePipeline"/>); its rule's flags are generated from
/// <see cref="DecontaminateKind.Schema"/>, the schema a pipeline's decontaminate stage reads.
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
        var flags = DecontaminateKind.Schema.CreateFlags(new DecontaminateOptions());

        var command = new Command("decontaminate", "Remove benchmark text (13-gram overlap, GPT-3's cut-and-split rule) and report what leaked")
        {
            input, output, tasks, workers, attempts, force,
        };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            // The flags are the keys a pipeline file gives (paths resolve against the current folder); the index is
            // kept beside the output unless --index says where.
            var options = DecontaminateKind.Schema.FlagsToMapping(parse, flags);
            if (!options.Children.ContainsKey(new YamlScalarNode("index"))) options.Add("index", Path.TrimEndingDirectorySeparator(outDir) + ".ngram-index");
            var executor = new ExecutorOptions { Workers = parse.GetValue(workers), MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            await OneStagePipeline.RunAsync(new DecontaminateKind(), [parse.GetValue(input)!], options, outDir, parse.GetValue(tasks), executor, ct).ConfigureAwait(false);
            var report = ContaminationReport.ReadFrom(outDir) ?? throw new DataPipeException($"{outDir}: {ContaminationReport.FileName} missing after the stage finished");
            Print(report, Path.Combine(outDir, ContaminationReport.FileName));
            return 0;
        });
        return command;
    }

    /// <summary>The per-benchmark table (also used by <c>inspect</c> on a decontaminate output).</summary>
    public static void Print(ContaminationReport r, string path)
    {
        foreach (var line in ContaminationText.Lines(r, path)) Console.WriteLine(line);
    }
}
