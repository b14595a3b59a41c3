using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// An attempt at a task that started and never ended: no "done" or "failed" line follows its "start on HOST" line in
/// the task's log, and no process holds the task any more. Its process died without a word: the node it ran on
/// crashed or was cut off, or it was killed with SIGKILL. <see cref="RerunOn"/> is the host of the attempt that
/// started after it, or null while the task waits to be rerun.
/// </summary>
public sealed record LostAttempt(int Task, string Host, DateTime StartedAt, string? RerunOn);

/// <summary>Reads the attempts of a step's tasks from their logs (the lines <c>StageRunner</c> writes for each attempt).</summary>
public static class TaskAttempts
{
    /// <summary>The lost attempts of tasks 0..<paramref name="taskCount"/>-1 that started at or after <paramref name="since"/> (the plan's creation: older lines belong to an earlier plan).</summary>
    public static List<LostAttempt> FindLost(string outputDir, int taskCount, DateTime since)
    {
        var lost = new List<LostAttempt>();
        for (int t = 0; t < taskCount; t++)
        {
            string log = DatasetFolder.TaskLogPath(outputDir, t);
            if (!File.Exists(log)) continue;
            (string Host, DateTime At)? open = null;
            try
            {
                foreach (var line in File.ReadLines(log))
                {
                    if (!TryParse(line, out var at, out var kind, out var rest) || at < since) continue;
                    if (kind == "start")
                    {
                        if (open is { } o) lost.Add(new LostAttempt(t, o.Host, o.At, rest));
                        open = (rest, at);
                    }
                    else
                    {
                        open = null;
                    }
                }
            }
            catch (IOException)
            {
                continue;
            }
            // The last attempt has not ended: running if some process holds the task, lost if none does.
            if (open is { } last && !FolderLock.IsHeld(DatasetFolder.TaskClaimPath(outputDir, t)))
                lost.Add(new LostAttempt(t, last.Host, last.At, null));
        }
        return lost;
    }

    /// <summary>"2026-01-01T00:00:00.000Z [stage 1/2 attempt 1] start on HOST pid N" → (time, "start", HOST); done/failed lines → (time, kind, "").</summary>
    private static bool TryParse(string line, out DateTime at, out string kind, out string host)
    {
        at = default;
        kind = host = "";
        int close = line.IndexOf("] ", StringComparison.Ordinal);
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        if (close < 0 || space < 0 || !DateTime.TryParseExact(line[..space], "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out at))
            return false;
        string message = line[(close + 2)..];
        if (message.StartsWith("start on ", StringComparison.Ordinal))
        {
            kind = "start";
            host = message["start on ".Length..].Split(' ')[0];
            return true;
        }
        if (message.StartsWith("done: ", StringComparison.Ordinal) || message.StartsWith("failed: ", StringComparison.Ordinal))
        {
            kind = "end";
            return true;
        }
        return false;
    }
}
