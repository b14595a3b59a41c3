using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Faults;
using DataPipe.Core.Stages;

namespace DataPipe.Core.Execution;

/// <summary>
/// The mechanics every executor shares: preparing a stage's folder for a plan, running one task attempt with its
/// commit protocol (temp files → rename → completion record), and finalizing the stage with <c>_SUCCESS.json</c>.
/// </summary>
public static class StageRunner
{
    /// <summary>True when the folder holds a finished output of exactly this configuration.</summary>
    public static bool IsComplete(string outputDir, IStage stage)
        => DatasetFolder.ReadSuccess(outputDir) is { } s && s.ConfigHash == stage.ConfigHash;

    /// <summary>
    /// Makes the folder belong to this plan. If it holds output of another configuration or task count, that output is
    /// removed first (it can never be reused), then <c>_stage.json</c> is written. Completed tasks of the same plan stay.
    /// </summary>
    public static void Prepare(string outputDir, IStage stage, StagePlan plan)
    {
        // Every process that runs a task of this stage may call this; the stage lock makes the check-clear-write
        // sequence happen once, so a second task never clears the temp files of a first that already started.
        using var stageLock = LockStage(outputDir);
        var existing = Directory.Exists(outputDir) ? DatasetFolder.ReadStagePlan(outputDir) : null;
        if (existing is not null && existing.ConfigHash == stage.ConfigHash && existing.TaskCount == plan.TaskCount && existing.Stage == stage.Name)
            return;
        if (Directory.Exists(outputDir)) Clear(outputDir);
        try
        {
            Directory.CreateDirectory(outputDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataPipeException($"{outputDir}: cannot create output folder ({e.Message})", e);
        }
        DatasetFolder.WriteJsonAtomic(Path.Combine(outputDir, DatasetFolder.StageFile), new StagePlanRecord
        {
            Stage = stage.Name,
            ConfigHash = stage.ConfigHash,
            TaskCount = plan.TaskCount,
            CreatedAt = DateTime.UtcNow,
        });
    }

    /// <summary>Removes everything a stage wrote to a folder: records first, so a crash midway never leaves a folder that looks complete.</summary>
    public static void Clear(string outputDir)
    {
        try
        {
            foreach (var f in new[] { DatasetFolder.SuccessFile, DatasetFolder.StageFile })
                File.Delete(Path.Combine(outputDir, f));
            foreach (var d in new[] { DatasetFolder.TasksDir, DatasetFolder.TmpDir })
            {
                string p = Path.Combine(outputDir, d);
                if (Directory.Exists(p)) Directory.Delete(p, recursive: true);
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(outputDir))
            {
                // Logs stay for the record; claim files stay because other processes may hold or wait on them.
                if (Path.GetFileName(entry) is DatasetFolder.LogsDir or DatasetFolder.ClaimsDir) continue;
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataPipeException($"{outputDir}: cannot clear stale output ({e.Message})", e);
        }
    }

    /// <summary>True when task <paramref name="task"/> has a completion record of this plan and its outputs exist.</summary>
    public static bool IsTaskComplete(string outputDir, IStage stage, StagePlan plan, int task)
    {
        var r = DatasetFolder.ReadTaskRecord(outputDir, task);
        return r is not null && r.ConfigHash == stage.ConfigHash && r.TaskCount == plan.TaskCount
            && r.Outputs.All(o => File.Exists(Path.Combine(outputDir, o.Path)));
    }

    /// <summary>
    /// Runs one attempt of one task: a clean temp folder, the stage's code, then the commit (rename each output into
    /// place, then write the completion record). On failure the temp folder is removed and the exception propagates.
    /// </summary>
    public static async Task<TaskRecord> RunTaskAttemptAsync(IStage stage, StagePlan plan, string outputDir, int task, int attempt, StageProgress progress, CancellationToken ct)
    {
        string tmp = DatasetFolder.TaskTmpDir(outputDir, task);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        using var ctx = new StageTaskContext(stage.Name, outputDir, task, plan.TaskCount, attempt, progress);
        ctx.Log($"start on {Environment.MachineName} pid {Environment.ProcessId}");
        try
        {
            await stage.RunTaskAsync(ctx, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            FaultPoint.Reached(stage.Name, "commit");
            var outputs = Commit(ctx, outputDir);
            var record = new TaskRecord
            {
                Stage = stage.Name,
                Task = task,
                TaskCount = plan.TaskCount,
                ConfigHash = stage.ConfigHash,
                Inputs = [.. ctx.Inputs],
                SkippedInputs = [.. ctx.SkippedInputs],
                Outputs = outputs,
                RowsIn = ctx.RowsIn,
                RowsOut = ctx.RowsOut,
                Counters = ctx.Counters.Snapshot(),
                Seconds = Math.Round(ctx.Clock.Elapsed.TotalSeconds, 3),
                Attempt = attempt,
                Host = Environment.MachineName,
                FinishedAt = DateTime.UtcNow,
            };
            try
            {
                DatasetFolder.WriteJsonAtomic(DatasetFolder.TaskRecordPath(outputDir, task), record);
            }
            catch
            {
                // Outputs without their record must not stay visible (a full disk can fail the record after the renames).
                RemoveCommitted(outputDir, outputs);
                throw;
            }
            ctx.Log($"done: {record.RowsIn} rows in, {record.RowsOut} rows out, {record.Seconds:F1} s");
            TryDeleteFile(DatasetFolder.TaskErrorPath(outputDir, task));
            TryDeleteDir(tmp);
            return record;
        }
        catch (Exception e)
        {
            ctx.Log($"failed: {e.GetType().Name}: {e.Message}");
            if (e is not DataPipeException) ctx.Log(e.ToString());
            WriteError(outputDir, stage, plan, task, attempt, ctx.LogPath, e);
            TryDeleteDir(tmp);
            throw;
        }
    }

    /// <summary>
    /// Records a failed attempt as <c>_tasks/NNNNN.error.json</c>, for status and executors to read. Best effort: a record
    /// that cannot be written (full disk) must not replace the task's own error, which the log also holds.
    /// </summary>
    private static void WriteError(string outputDir, IStage stage, StagePlan plan, int task, int attempt, string logPath, Exception e)
    {
        try
        {
            DatasetFolder.WriteJsonAtomic(DatasetFolder.TaskErrorPath(outputDir, task), new TaskErrorRecord
            {
                Stage = stage.Name,
                Task = task,
                TaskCount = plan.TaskCount,
                ConfigHash = stage.ConfigHash,
                Attempt = attempt,
                Host = Environment.MachineName,
                ProcessId = Environment.ProcessId,
                ErrorType = e.GetType().Name,
                Message = e.Message,
                LogPath = logPath,
                FailedAt = DateTime.UtcNow,
            });
        }
        catch (DataPipeException)
        {
        }
    }

    private static List<OutputFile> Commit(StageTaskContext ctx, string outputDir)
    {
        var committed = new List<OutputFile>();
        foreach (var (temp, final) in ctx.Outputs)
        {
            if (!File.Exists(temp)) continue;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                using (var fs = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
                File.Move(temp, final, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                RemoveCommitted(outputDir, committed);
                throw new DataPipeException($"{final}: cannot commit task output ({e.Message})", e);
            }
            committed.Add(new OutputFile(Path.GetRelativePath(outputDir, final).Replace('\\', '/'), new FileInfo(final).Length));
        }
        return committed;
    }

    /// <summary>
    /// Writes <c>_SUCCESS.json</c> from the completion records of all tasks, after the stage's own final step when it has
    /// one (<see cref="IFinalizingStage"/>); returns null if any task is not done.
    /// </summary>
    public static SuccessRecord? TryFinalize(string outputDir, IStage stage, StagePlan plan, double wallSeconds)
    {
        // Two last tasks finishing at once on two nodes would both finalize; the lock makes the second see the first's record.
        using var stageLock = LockStage(outputDir);
        if (DatasetFolder.ReadSuccess(outputDir) is { } already && already.ConfigHash == stage.ConfigHash && already.TaskCount == plan.TaskCount)
            return already;
        var records = new List<TaskRecord>(plan.TaskCount);
        for (int t = 0; t < plan.TaskCount; t++)
        {
            if (!IsTaskComplete(outputDir, stage, plan, t)) return null;
            records.Add(DatasetFolder.ReadTaskRecord(outputDir, t)!);
        }
        if (stage is IFinalizingStage finalizing) finalizing.FinalizeStage(outputDir, records);
        var counters = new Counters();
        foreach (var r in records) counters.Add(r.Counters);
        var success = new SuccessRecord
        {
            Stage = stage.Name,
            ConfigHash = stage.ConfigHash,
            TaskCount = plan.TaskCount,
            RowsIn = records.Sum(r => r.RowsIn),
            RowsOut = records.Sum(r => r.RowsOut),
            Counters = counters.Snapshot(),
            TaskSeconds = Math.Round(records.Sum(r => r.Seconds), 3),
            WallSeconds = Math.Round(wallSeconds, 3),
            Schema = stage.OutputSchema,
            Outputs = [.. records.SelectMany(r => r.Outputs).OrderBy(o => o.Path, StringComparer.Ordinal)],
            FinishedAt = DateTime.UtcNow,
        };
        DatasetFolder.WriteJsonAtomic(Path.Combine(outputDir, DatasetFolder.SuccessFile), success);
        TryDeleteDir(Path.Combine(outputDir, DatasetFolder.TmpDir));
        return success;
    }

    /// <summary>Takes the stage lock (waiting for it), creating the folder first.</summary>
    public static FolderLock LockStage(string outputDir)
    {
        try
        {
            Directory.CreateDirectory(outputDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataPipeException($"{outputDir}: cannot create output folder ({e.Message})", e);
        }
        return FolderLock.Acquire(DatasetFolder.StageLockPath(outputDir));
    }

    /// <summary>Takes back the outputs a failed commit already renamed into place, so none is visible without a record.</summary>
    private static void RemoveCommitted(string outputDir, IEnumerable<OutputFile> committed)
    {
        foreach (var o in committed)
        {
            try { File.Delete(Path.Combine(outputDir, o.Path)); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static void TryDeleteFile(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void TryDeleteDir(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
