using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Pipeline;
using DataPipe.Jobs.Pipeline.Kinds;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// A stage command run as a pipeline of one stage: the command turns its flags into the <c>options:</c> mapping a
/// pipeline file would hold, and the stage kind reads it, checks it and builds the steps, exactly as for a file. The
/// steps then run on this machine with the command's progress display. So <c>datapipe dedup --threshold 0.7</c> and a
/// file's <c>{ kind: dedup, options: { threshold: 0.7 } }</c> go through the same code and write the same bytes.
/// Relative paths (inputs, and path options such as a model or benchmarks) resolve against the current folder; the
/// stage writes to <c>outputDir</c> itself.
/// </summary>
public static class OneStagePipeline
{
    private const string InputName = "--input";

    public static async Task<IReadOnlyList<StageResult>> RunAsync(IStageKind kind, IReadOnlyList<string> inputs, YamlMappingNode options,
        string outputDir, int tasks, ExecutorOptions executor, CancellationToken ct, OneStageChoice? choice = null)
    {
        string output = Path.GetFullPath(outputDir);
        var context = new PipelineContext(Path.Combine(Environment.CurrentDirectory, "command line"), Path.GetDirectoryName(output) ?? output,
            allowOutsideOutput: true, new ExecutorSpec { Workers = executor.Workers, Attempts = executor.MaxAttempts });
        // The inputs' name is the flag's, which no relative path on the command line can be: a positives or negatives
        // path such as "input" stays a path.
        context.AddInput(InputName, inputs);
        var spec = new StageSpec
        {
            Name = kind.Kind,
            Kind = kind.Kind,
            Section = YamlSection.InMemory("command line", new YamlMappingNode()),
            Options = YamlSection.InMemory("command line", options),
            Input = [InputName],
            // 0 on the command line: the kind's own default (one task per worker, or per file for ingest).
            Tasks = tasks > 0 ? tasks : null,
            OutputDir = output,
            Resources = new SlurmResources(),
        };
        IReadOnlyList<PipelineStep> steps = kind.Expand(spec, context);
        spec.Options.EnsureNoUnknownKeys();
        if (choice?.Step is { } only)
        {
            // One step of a kind that plans several (a tokenize stage's BPE training): it alone runs, writing the
            // command's output folder.
            string name = $"{spec.Name}.{only}";
            var step = steps.SingleOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"{kind.Kind} planned no step {name}");
            steps = [step with { OutputDir = output }];
        }
        var results = new List<StageResult>();
        foreach (var step in steps)
        {
            var stage = await step.Build(ct).ConfigureAwait(false);
            choice?.Built?.Invoke(stage);
            results.Add(await StageConsole.RunAsync(stage, step.OutputDir, executor, ct).ConfigureAwait(false));
        }
        return results;
    }
}

/// <summary>What a command changes in how its one-stage pipeline runs.</summary>
public sealed record OneStageChoice
{
    /// <summary>Run only the step named <c>KIND.STEP</c>, writing the output folder itself (null: every step).</summary>
    public string? Step { get; init; }

    /// <summary>Told of each stage once built, before it runs (the train command hooks its step lines here).</summary>
    public Action<IStage>? Built { get; init; }
}
