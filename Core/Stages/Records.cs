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

/// <summary><c>_tasks/NNNNN.json</c>: written after a task's outputs are renamed into place; its presence means the task is done.</summary>
public sealed record TaskRecord
{
    public string Stage { get; init; } = "";
    public int Task { get; init; }
    public int TaskCount { get; init; }
    public string ConfigHash { get; init; } = "";
    public IReadOnlyList<string> Inputs { get; init; } = [];
    public IReadOnlyList<OutputFile> Outputs { get; init; } = [];
    public long RowsIn { get; init; }
    public long RowsOut { get; init; }
    public SortedDictionary<string, long> Counters { get; init; } = [];
    public double Seconds { get; init; }
    public int Attempt { get; init; }
    public string Host { get; init; } = "";
    public DateTime FinishedAt { get; init; }
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
