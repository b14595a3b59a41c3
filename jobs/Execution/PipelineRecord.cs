using DataPipe.Core.Datasets;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// <c>OUTPUT_ROOT/_pipeline.json</c>: what the last run of a pipeline did, step by step (rows, seconds, whether it was
/// reused), and the Slurm job ids when it ran there, so <c>datapipe status</c> can ask squeue about them.
/// </summary>
public sealed record PipelineRecord
{
    public const string FileName = "_pipeline.json";

    public string Pipeline { get; init; } = "";
    public string File { get; init; } = "";
    public string Executor { get; init; } = "local";
    public int Workers { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public double WallSeconds { get; init; }
    public string State { get; init; } = "running";
    public string? Error { get; init; }
    public List<StepRecord> Steps { get; init; } = [];

    public static string PathIn(string outputRoot) => Path.Combine(outputRoot, FileName);

    public static PipelineRecord? Read(string outputRoot) => DatasetFolder.ReadJson<PipelineRecord>(PathIn(outputRoot));

    public void Save(string outputRoot) => DatasetFolder.WriteJsonAtomic(PathIn(outputRoot), this);
}

/// <summary>One step of a run: its folder, tasks, and how it ended.</summary>
public sealed record StepRecord
{
    public string Step { get; init; } = "";
    public string OutputDir { get; init; } = "";
    public int Tasks { get; init; }
    public string? SlurmJobId { get; init; }
    public bool Reused { get; init; }
    public long RowsIn { get; init; }
    public long RowsOut { get; init; }
    public double WallSeconds { get; init; }
}
