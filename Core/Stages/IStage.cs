using DataPipe.Core.Documents;

namespace DataPipe.Core.Stages;

/// <summary>
/// A pipeline stage: planned into N independent tasks; task i of N reads a deterministic slice of the stage's input
/// and writes exactly its own outputs through its <see cref="StageTaskContext"/>. A task is idempotent: rerunning it
/// rewrites the same outputs. Executors (local, Slurm) only decide where tasks run.
/// </summary>
public interface IStage
{
    /// <summary>Short name used in logs, records and the CLI ("ingest", "filter", ...).</summary>
    string Name { get; }

    /// <summary>
    /// Hash of everything that determines the output: the options and the identity of the inputs (for a dataset input,
    /// its <c>_SUCCESS.json</c> config hash). Equal hashes mean a completed output can be reused as it is.
    /// </summary>
    string ConfigHash { get; }

    /// <summary>Schema of the part files this stage writes, recorded in <c>_SUCCESS.json</c>; null when it writes no Parquet.</summary>
    IReadOnlyList<ColumnDescription>? OutputSchema { get; }

    /// <summary>
    /// Decides the number of tasks and how much work each has. Must be deterministic: a single task run on a cluster
    /// node plans again and must see the same plan as the process that submitted it.
    /// </summary>
    Task<StagePlan> PlanAsync(CancellationToken ct);

    /// <summary>Runs task <see cref="StageTaskContext.TaskIndex"/>. Throwing fails the attempt; its outputs are discarded.</summary>
    Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct);
}

/// <summary>
/// A stage's plan: how many tasks, and the total amount of work for progress display
/// (<paramref name="TotalWork"/> in <paramref name="WorkUnit"/>, e.g. input bytes or rows).
/// </summary>
public sealed record StagePlan(int TaskCount, long TotalWork = 0, string WorkUnit = "rows");
