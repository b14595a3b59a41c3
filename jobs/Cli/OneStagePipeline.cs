using DataPipe.Core.Execution;
using DataPipe.Jobs.Pipeline;
using DataPipe.Jobs.Pipeline.Kinds;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// A stage command run as a pipeline of one stage: the command turns its flags into the <c>options:</c> mapping a
/// pipeline file would hold, and the stage kind reads it, checks it and builds the steps, exactly as for a file. The
/// steps then run on this machine with the command's progress display. So <c>datapipe dedup --threshold 0.7</c> and a
/// file's <c>{ kind: dedup, options: { threshold: 0.7 } }</c> go through the same code and write the same bytes.
/// Relative input paths resolve against the current folder; the stage writes to <c>outputDir</c> itself.
/// </summary>
public static class OneStagePipeline
{
    public static async Task<IReadOnlyList<StageResult>> RunAsync(IStageKind kind, IReadOnlyList<string> inputs, YamlMappingNode options,
        string outputDir, int tasks, ExecutorOptions executor, CancellationToken ct)
    {
        string output = Path.GetFullPath(outputDir);
        var context = new PipelineContext(Path.Combine(Environment.CurrentDirectory, "command line"), Path.GetDirectoryName(output) ?? output,
            allowOutsideOutput: true, new ExecutorSpec { Workers = executor.Workers, Attempts = executor.MaxAttempts });
        context.AddInput("input", inputs);
        var spec = new StageSpec
        {
            Name = kind.Kind,
            Kind = kind.Kind,
            Section = YamlSection.InMemory("command line", new YamlMappingNode()),
            Options = YamlSection.InMemory("command line", options),
            Input = ["input"],
            // 0 on the command line: the kind's own default (one task per worker, or per file for ingest).
            Tasks = tasks > 0 ? tasks : null,
            OutputDir = output,
            Resources = new SlurmResources(),
        };
        var steps = kind.Expand(spec, context);
        spec.Options.EnsureNoUnknownKeys();
        var results = new List<StageResult>();
        foreach (var step in steps)
        {
            var stage = await step.Build(ct).ConfigureAwait(false);
            results.Add(await StageConsole.RunAsync(stage, step.OutputDir, executor, ct).ConfigureAwait(false));
        }
        return results;
    }
}
