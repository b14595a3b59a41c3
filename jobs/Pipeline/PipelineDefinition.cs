using DataPipe.Core.Stages;

namespace DataPipe.Jobs.Pipeline;

/// <summary>A loaded, validated pipeline file: where it writes, how it runs, and its steps in order.</summary>
public sealed record PipelineDefinition
{
    /// <summary>The pipeline file, as an absolute path (cluster nodes load the same file).</summary>
    public required string File { get; init; }

    public required string Name { get; init; }

    /// <summary>Every stage writes under this folder unless the file says <c>allow_outside_output: true</c>.</summary>
    public required string OutputRoot { get; init; }

    public required ExecutorSpec Executor { get; init; }

    /// <summary>The <c>--set PATH=VALUE</c> changes it was loaded with; a cluster node loads the file with the same ones.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The stages as named in the file, in order.</summary>
    public required IReadOnlyList<string> StageNames { get; init; }

    /// <summary>What runs: one or more steps per stage (a kind may split its work, e.g. dedup), in dependency order.</summary>
    public required IReadOnlyList<PipelineStep> Steps { get; init; }

    /// <summary>The step named <paramref name="name"/>; a stage name with one step names that step.</summary>
    public PipelineStep? FindStep(string name) =>
        Steps.FirstOrDefault(s => s.Name == name) ?? (Steps.Count(s => s.StageName == name) == 1 ? Steps.First(s => s.StageName == name) : null);

    /// <summary>The steps from stage <paramref name="from"/> through stage <paramref name="until"/> (names of stages or steps).</summary>
    public IReadOnlyList<PipelineStep> Select(string? from, string? until)
    {
        int first = from is null ? 0 : IndexOf(from, last: false);
        int end = until is null ? Steps.Count - 1 : IndexOf(until, last: true);
        if (end < first) throw new PipelineConfigException($"{File}: --until {until} comes before --from {from}");
        return [.. Steps.Skip(first).Take(end - first + 1)];
    }

    private int IndexOf(string name, bool last)
    {
        var indexes = Steps.Select((s, i) => (s, i)).Where(x => x.s.Name == name || x.s.StageName == name).Select(x => x.i).ToList();
        if (indexes.Count == 0)
            throw new PipelineConfigException($"{File}: no stage or step named '{name}' (stages: {string.Join(", ", StageNames)})");
        return last ? indexes[^1] : indexes[0];
    }
}

/// <summary>
/// One unit the executors run: a stage of tasks writing one dataset folder. <see cref="Build"/> constructs the
/// <see cref="IStage"/> only when the step is about to run, because a stage's configuration hash includes its inputs'
/// hashes, which exist only once the steps before it are complete.
/// </summary>
public sealed record PipelineStep
{
    /// <summary>The stage of the pipeline file this step belongs to.</summary>
    public required string StageName { get; init; }

    /// <summary>Unique within the pipeline: the stage name, or "stage.part" for kinds with several steps.</summary>
    public required string Name { get; init; }

    public required string Kind { get; init; }

    public required string OutputDir { get; init; }

    /// <summary>Tasks the step is planned into (the size of its Slurm job array).</summary>
    public required int Tasks { get; init; }

    /// <summary>Slurm resources for this step's tasks (the executor's, with the stage's overrides).</summary>
    public required SlurmResources Resources { get; init; }

    public required Func<CancellationToken, Task<IStage>> Build { get; init; }

    /// <summary>The kind's reading of the finished step for the run's summary; null when rows and counters say it all.</summary>
    public StepReporter? Report { get; init; }
}

/// <summary>The <c>executor:</c> section.</summary>
public sealed record ExecutorSpec
{
    /// <summary>"local" or "slurm".</summary>
    public string Kind { get; init; } = "local";

    /// <summary>Tasks run at once by the local executor.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Attempts per task before the pipeline stops (1 = no retry).</summary>
    public int Attempts { get; init; } = 2;

    public SlurmSpec Slurm { get; init; } = new();
}

/// <summary>The <c>executor.slurm:</c> section: how stages are submitted as job arrays.</summary>
public sealed record SlurmSpec
{
    public SlurmResources Resources { get; init; } = new();

    public string? Account { get; init; }

    /// <summary>Extra sbatch arguments, passed as they are (e.g. "--qos=high").</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>How often the launcher asks squeue how the jobs are doing.</summary>
    public double PollSeconds { get; init; } = 2;

    /// <summary>The command a node runs to start <c>datapipe</c>; by default the program that submitted the jobs.</summary>
    public string? Datapipe { get; init; }
}

/// <summary>Per-task resources of a job array.</summary>
public sealed record SlurmResources
{
    public string? Partition { get; init; }

    /// <summary>Time limit per task, as sbatch reads it ("00:30:00", "2-00:00:00").</summary>
    public string Time { get; init; } = "01:00:00";

    public int CpusPerTask { get; init; } = 1;

    /// <summary>Memory per task, as sbatch reads it ("2G"); null leaves the cluster's default.</summary>
    public string? Memory { get; init; }
}
