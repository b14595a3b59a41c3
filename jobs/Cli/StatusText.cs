using System.Globalization;
using DataPipe.Jobs.Execution;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// The table <c>datapipe status</c> prints, within <see cref="TextWrap.Columns"/> columns: per step its state, tasks
/// done of planned, rows in and out and task seconds so far; under a step, as lines of their own, how many tasks are
/// running or failed, Slurm's view, and a failed task's error and log (relative to the output root printed above it).
/// </summary>
public static class StatusText
{
    public static IReadOnlyList<string> Lines(IReadOnlyList<StepStatus> statuses, string outputRoot)
    {
        var table = new TextTable().Column("step").Column("state").Column("tasks", right: true)
            .Column("rows in", right: true).Column("rows out", right: true).Column("task s", right: true);
        foreach (var s in statuses)
        {
            table.Row(s.Step, s.State, $"{s.Done}/{s.Tasks}", TextTable.Count(s.RowsIn), TextTable.Count(s.RowsOut), TextTable.Seconds(s.Seconds));
            if (s.Running > 0 || s.Failed > 0) table.Note($"{s.Running} running, {s.Failed} failed");
            if (s.Slurm is { Length: > 0 } slurm) table.Note($"slurm: {slurm}");
            if (s.FailedLog is not null) table.Note($"failed: {s.FailedError}; log: {Path.GetRelativePath(outputRoot, s.FailedLog)}");
        }
        return table.Lines();
    }

    /// <summary>
    /// Each attempt that started and never ended (its node lost), as a sentence wrapped within
    /// <see cref="TextWrap.Columns"/> columns: the step, the task, the node, when it started and where it reran.
    /// </summary>
    public static IReadOnlyList<string> LostLines(IReadOnlyList<StepStatus> statuses) =>
        [.. statuses.SelectMany(s => s.Lost.SelectMany(l => TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
            $"{s.Step}: task {l.Task} lost on {l.Host} (its attempt started {l.StartedAt:HH:mm:ss} and never ended); {(l.RerunOn is null ? "not rerun yet" : $"rerun on {l.RerunOn}")}"))))];
}
