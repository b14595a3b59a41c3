using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Execution;

/// <summary>Where one step stands, read from its folder alone (no stage is built, so it works while upstream runs).</summary>
public sealed record StepStatus
{
    public required string Step { get; init; }
    public required string OutputDir { get; init; }
    /// <summary>"complete", "running", "partial" (some tasks done, none running), "failed", or "not started".</summary>
    public required string State { get; init; }
    public int Tasks { get; init; }
    public int Done { get; init; }
    public int Running { get; init; }
    public int Failed { get; init; }
    public long RowsIn { get; init; }
    public long RowsOut { get; init; }
    public double Seconds { get; init; }
    /// <summary>Slurm's view of the step's job array ("RUNNING 2, PENDING 1"), when it was submitted there and squeue answers.</summary>
    public string? Slurm { get; init; }
    /// <summary>The log of a failed task, to read first.</summary>
    public string? FailedLog { get; init; }

    /// <summary>The error of that failed task, from its error record ("IOException: disk full").</summary>
    public string? FailedError { get; init; }
    /// <summary>Attempts whose process died without ending them (a node lost mid-task), and where each was rerun.</summary>
    public IReadOnlyList<LostAttempt> Lost { get; init; } = [];
}

/// <summary>
/// <c>datapipe status</c>: per step, tasks done / running / failed, rows and task seconds so far. Done is a completion
/// record of the step's current plan; running is a task whose claim lock some process holds; failed is a task with an
/// error record of the current plan (its last attempt failed) that nobody is running.
/// </summary>
public static class PipelineStatus
{
    public static IReadOnlyList<StepStatus> Read(PipelineDefinition pipeline, Func<IReadOnlyList<string>, IReadOnlyDictionary<string, string>>? slurmStates = null)
    {
        var record = PipelineRecord.Read(pipeline.OutputRoot);
        var jobIds = record?.Executor == "slurm"
            ? record.Steps.Where(s => s.SlurmJobId is not null).ToDictionary(s => s.Step, s => s.SlurmJobId!)
            : [];
        var states = jobIds.Count > 0 && slurmStates is not null ? slurmStates([.. jobIds.Values]) : new Dictionary<string, string>();
        return [.. pipeline.Steps.Select(step => ReadStep(step, jobIds.TryGetValue(step.Name, out var id) ? states.GetValueOrDefault(id) : null))];
    }

    public static StepStatus ReadStep(PipelineStep step, string? slurm = null)
    {
        string dir = step.OutputDir;
        var plan = Directory.Exists(dir) ? DatasetFolder.ReadStagePlan(dir) : null;
        if (plan is null)
            return new StepStatus { Step = step.Name, OutputDir = dir, State = "not started", Tasks = step.Tasks, Slurm = slurm };
        var success = DatasetFolder.ReadSuccess(dir);
        int done = 0, running = 0, failed = 0;
        long rowsIn = 0, rowsOut = 0;
        double seconds = 0;
        string? failedLog = null;
        string? failedError = null;
        for (int t = 0; t < plan.TaskCount; t++)
        {
            var r = DatasetFolder.ReadTaskRecord(dir, t);
            if (r is not null && r.ConfigHash == plan.ConfigHash)
            {
                done++;
                rowsIn += r.RowsIn;
                rowsOut += r.RowsOut;
                seconds += r.Seconds;
                continue;
            }
            if (FolderLock.IsHeld(DatasetFolder.TaskClaimPath(dir, t)))
            {
                running++;
                continue;
            }
            if (DatasetFolder.ReadTaskError(dir, t) is { } error && error.ConfigHash == plan.ConfigHash && error.TaskCount == plan.TaskCount)
            {
                failed++;
                if (failedLog is null)
                {
                    failedLog = DatasetFolder.TaskLogPath(dir, t);
                    failedError = $"{error.ErrorType}: {error.Message}";
                }
            }
        }
        bool complete = success is not null && success.ConfigHash == plan.ConfigHash;
        string state = complete ? "complete" : running > 0 ? "running" : failed > 0 ? "failed" : done > 0 ? "partial" : "not started";
        return new StepStatus
        {
            Step = step.Name,
            OutputDir = dir,
            State = state,
            Tasks = plan.TaskCount,
            Done = done,
            Running = running,
            Failed = failed,
            RowsIn = rowsIn,
            RowsOut = rowsOut,
            Seconds = Math.Round(seconds, 1),
            Slurm = slurm,
            FailedLog = failedLog,
            FailedError = failedError,
            Lost = TaskAttempts.FindLost(dir, plan.TaskCount, plan.CreatedAt.AddSeconds(-1)),
        };
    }
}
