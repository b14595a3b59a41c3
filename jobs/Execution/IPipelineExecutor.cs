using DataPipe.Core.Stages;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// Runs a pipeline's steps in order, wherever its tasks run (this machine, a Slurm cluster, or a scheduler a user adds:
/// see docs/architecture.md, "Adding an executor"). Every executor reuses a step whose <c>_SUCCESS.json</c> matches its
/// configuration, leaves every step folder in the same state for the same options, writes <c>_pipeline.json</c>, and
/// returns one <see cref="StepOutcome"/> per step; a step that cannot complete is a <c>DataPipeException</c> naming it.
/// </summary>
public interface IPipelineExecutor
{
    /// <summary>The name a pipeline file's <c>executor.kind</c> gives it.</summary>
    string Kind { get; }

    Task<IReadOnlyList<StepOutcome>> RunAsync(PipelineDefinition pipeline, IReadOnlyList<PipelineStep> steps, CancellationToken ct = default);
}

/// <summary>How one step of a pipeline run ended: its folder's <c>_SUCCESS.json</c>, and whether it was reused whole.</summary>
public sealed record StepOutcome(string Step, string OutputDir, SuccessRecord Success, bool Reused);

/// <summary>
/// The executors <c>datapipe run</c> can use, by the name <c>executor.kind</c> gives. A new executor is one class
/// implementing <see cref="IPipelineExecutor"/> and one line in <see cref="BuiltIn"/>.
/// </summary>
public sealed class PipelineExecutors
{
    /// <summary>Makes an executor for a loaded pipeline; <paramref name="log"/> receives its progress lines.</summary>
    public delegate IPipelineExecutor Factory(PipelineDefinition pipeline, TextWriter log);

    private readonly Dictionary<string, Factory> _factories = new(StringComparer.Ordinal);

    /// <summary>The executor names a pipeline file may give, for the loader's check of <c>executor.kind</c>.</summary>
    public static readonly IReadOnlyList<string> BuiltInNames = ["local", "slurm"];

    public static PipelineExecutors BuiltIn(LocalPipelineExecutor.StageRun? runStage = null) => new PipelineExecutors()
        .Add("local", (p, _) => new LocalPipelineExecutor(p.Executor.Workers, p.Executor.Attempts, runStage))
        .Add("slurm", (p, log) => new SlurmPipelineExecutor(new SlurmClient(), p.Executor.Slurm.Datapipe ?? SlurmPipelineExecutor.SelfCommand(), log));

    public PipelineExecutors Add(string kind, Factory factory)
    {
        if (!_factories.TryAdd(kind, factory)) throw new InvalidOperationException($"executor '{kind}' registered twice");
        return this;
    }

    public IPipelineExecutor Create(PipelineDefinition pipeline, TextWriter log)
        => _factories.TryGetValue(pipeline.Executor.Kind, out var factory)
            ? factory(pipeline, log)
            : throw new PipelineConfigException($"{pipeline.File}: executor '{pipeline.Executor.Kind}' is not one of: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}");
}
