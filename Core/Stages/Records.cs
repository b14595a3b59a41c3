using DataPipe.Core.Documents;

namespace DataPipe.Core.Stages;

/// <summary><c>_stage.json</c>: the plan a stage's outputs belong to, written before its first task runs.</summary>
public sealed record StagePlanRecord
{
    public string Stage { get; init; } = "";
    public string ConfigHash { get; init; } = "";
    public int TaskCount { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>A file a task committed, with its size.</summary>
public sealed record OutputFile(string Path, long Bytes);

/// <summary>An input a task skipped whole: where it is, the counter it was counted under, and why.</summary>
public sealed record SkippedInput(string Location, string Reason, string Detail);

/// <summary><c>_tasks/NNNNN.json</c>: written after a task's outputs are renamed into place; its presence means the task is done.</summary>
public sealed record TaskRecord
{
    public string Stage { get; init; } = "";
    public int Task { get; init; }
    public int TaskCount { get; init; }
    public string ConfigHash { get; init; } = "";
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Whole inputs the task could not read and skipped (each also counted under its reason).</summary>
    public IReadOnlyList<SkippedInput> SkippedInputs { get; init; } = [];
    public IReadOnlyList<OutputFile> Outputs { get; init; } = [];
    public long RowsIn { get; init; }
    public long RowsOut { get; init; }
    public SortedDictionary<string, long> Counters { get; init; } = [];
    public double Seconds { get; init; }
    public int Attempt { get; init; }
    public string Host { get; init; } = "";
    public DateTime FinishedAt { get; init; }
}

/// <summary>
/// <c>_tasks/NNNNN.error.json</c>: written when an attempt of a task fails, removed when the task later succeeds. It is
/// how <c>datapipe status</c> and the Slurm executor learn that a task failed and why, without reading its log text.
/// </summary>
public sealed record TaskErrorRecord
{
    public string Stage { get; init; } = "";
    public int Task { get; init; }
    public int TaskCount { get; init; }
    public string ConfigHash { get; init; } = "";
    public int Attempt { get; init; }
    public string Host { get; init; } = "";
    public int ProcessId { get; init; }

    /// <summary>The exception's type name ("IOException", "DataPipeException").</summary>
    public string ErrorType { get; init; } = "";

    /// <summary>The one-line message a person reads first.</summary>
    public string Message { get; init; } = "";

    /// <summary>The task's log file, with the full story (stack trace for unexpected errors).</summary>
    public string LogPath { get; init; } = "";
    public DateTime FailedAt { get; init; }
}

/// <summary><c>_SUCCESS.json</c>: written last, when every task of the stage is done.</summary>
public sealed record SuccessRecord
{
    public string Stage { get; init; } = "";
    public string ConfigHash { get; init; } = "";
    public int TaskCount { get; init; }
    public long RowsIn { get; init; }
    public long RowsOut { get; init; }
    public SortedDictionary<string, long> Counters { get; init; } = [];
    /// <summary>Sum of the tasks' own run times.</summary>
    public double TaskSeconds { get; init; }
    /// <summary>Wall-clock time of the run that finished the stage (tasks completed by earlier runs not included).</summary>
    public double WallSeconds { get; init; }
    public IReadOnlyList<ColumnDescription>? Schema { get; init; }
    public IReadOnlyList<OutputFile> Outputs { get; init; } = [];
    public DateTime FinishedAt { get; init; }
}
