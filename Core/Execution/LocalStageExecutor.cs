using System.Diagnostics;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;

namespace DataPipe.Core.Execution;

/// <summary>How an executor runs a stage's tasks.</summary>
public sealed record StageRunOptions
{
    /// <summary>Tasks run at once on this machine.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Attempts per task before the stage fails (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 2;

    /// <summary>Rerun even when a matching <c>_SUCCESS.json</c> exists.</summary>
    public bool Force { get; init; }

    /// <summary>Told when a stage starts (with its live progress) and ends; the CLI draws progress bars from it.</summary>
    public IStageObserver? Observer { get; init; }
}

/// <summary>Receives stage lifecycle events from an executor.</summary>
public interface IStageObserver
{
    void StageStarted(StageProgress progress);

    void StageFinished(StageResult result);
}

/// <summary>The outcome of running a stage.</summary>
public sealed record StageResult(string Stage, string OutputDir, SuccessRecord Success, bool Skipped, int TasksRun, int TasksReused);

/// <summary>A task that failed on every attempt. Names the stage, the task, the last error and the task's log file.</summary>
public sealed class StageFailedException(string stage, int task, int attempts, string logPath, Exception last)
    : DataPipeException($"stage '{stage}' task {task} failed after {attempts} attempt(s): {last.Message} (log: {logPath})", last)
{
    public string Stage { get; } = stage;
    public int Task { get; } = task;
    public string LogPath { get; } = logPath;
}

/// <summary>
/// Runs the tasks of a stage on a bounded pool of workers in this process. Completed tasks (with a completion
/// record of the same configuration) are not run again, so an interrupted stage resumes where it stopped; a stage
/// whose <c>_SUCCESS.json</c> matches its configuration is skipped whole.
/// </summary>
public sealed class LocalStageExecutor
{
    public async Task<StageResult> RunAsync(IStage stage, string outputDir, StageRunOptions options, CancellationToken ct = default)
    {
        outputDir = Path.GetFullPath(outputDir);
        if (!options.Force && DatasetFolder.ReadSuccess(outputDir) is { } done && done.ConfigHash == stage.ConfigHash)
        {
            var skipped = new StageResult(stage.Name, outputDir, done, Skipped: true, TasksRun: 0, TasksReused: done.TaskCount);
            options.Observer?.StageFinished(skipped);
            return skipped;
        }
        if (options.Force && Directory.Exists(outputDir)) StageRunner.Clear(outputDir);

        var wall = Stopwatch.StartNew();
        var plan = await stage.PlanAsync(ct).ConfigureAwait(false);
        if (plan.TaskCount < 1) throw new DataPipeException($"stage '{stage.Name}' planned {plan.TaskCount} tasks; at least 1 is needed");
        StageRunner.Prepare(outputDir, stage, plan);
        var progress = new StageProgress(stage.Name, plan);
        options.Observer?.StageStarted(progress);

        var pending = Enumerable.Range(0, plan.TaskCount).Where(t => !StageRunner.IsTaskComplete(outputDir, stage, plan, t)).ToList();
        int reused = plan.TaskCount - pending.Count;
        for (int i = 0; i < reused; i++) progress.TaskCompleted();

        // Workers take tasks from a queue. A task another process holds (a Slurm node, a second `datapipe run` on the
        // same folder) goes back to the end of the queue, so this process never runs it at the same time; when it
        // comes around again it is either complete (reused) or free (the other process died or failed: run it here).
        var queue = new System.Collections.Concurrent.ConcurrentQueue<int>(pending);
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(ct);
        StageFailedException? failure = null;
        int ranHere = 0;
        async Task WorkerAsync(CancellationToken token)
        {
            while (queue.TryDequeue(out int task))
            {
                token.ThrowIfCancellationRequested();
                if (StageRunner.IsTaskComplete(outputDir, stage, plan, task))
                {
                    progress.TaskCompleted();
                    continue;
                }
                using var claim = FolderLock.TryAcquire(DatasetFolder.TaskClaimPath(outputDir, task));
                if (claim is null)
                {
                    queue.Enqueue(task);
                    await Task.Delay(100, token).ConfigureAwait(false);
                    continue;
                }
                if (StageRunner.IsTaskComplete(outputDir, stage, plan, task))
                {
                    progress.TaskCompleted();
                    continue;
                }
                try
                {
                    await RunWithRetriesAsync(stage, plan, outputDir, task, options.MaxAttempts, progress, token).ConfigureAwait(false);
                    Interlocked.Increment(ref ranHere);
                }
                catch (StageFailedException e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    await failFast.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        try
        {
            int workers = Math.Clamp(options.Workers, 1, Math.Max(1, pending.Count));
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkerAsync(failFast.Token), failFast.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (failure is not null && !ct.IsCancellationRequested)
        {
        }
        if (failure is not null) throw failure;

        var success = StageRunner.TryFinalize(outputDir, stage, plan, wall.Elapsed.TotalSeconds)
            ?? throw new DataPipeException($"stage '{stage.Name}': tasks finished but some completion records are missing in {outputDir}");
        var result = new StageResult(stage.Name, outputDir, success, Skipped: false, TasksRun: ranHere, TasksReused: plan.TaskCount - ranHere);
        options.Observer?.StageFinished(result);
        return result;
    }

    /// <summary>
    /// Runs a single task (what a cluster node runs), with retries. The stage folder must already be prepared for this
    /// plan, or is prepared now if it is empty. Writes <c>_SUCCESS.json</c> if this was the last task missing.
    /// </summary>
    public async Task<TaskRecord> RunOneTaskAsync(IStage stage, string outputDir, int task, int maxAttempts, CancellationToken ct = default)
    {
        outputDir = Path.GetFullPath(outputDir);
        var plan = await stage.PlanAsync(ct).ConfigureAwait(false);
        if (task < 0 || task >= plan.TaskCount)
            throw new DataPipeException($"stage '{stage.Name}' has tasks 0..{plan.TaskCount - 1}; task {task} does not exist");
        var existing = DatasetFolder.ReadStagePlan(outputDir);
        if (existing is null || existing.ConfigHash == stage.ConfigHash && existing.TaskCount == plan.TaskCount) StageRunner.Prepare(outputDir, stage, plan);
        else if (existing.ConfigHash != stage.ConfigHash || existing.TaskCount != plan.TaskCount)
            throw new DataPipeException($"{outputDir}: prepared for another configuration of stage '{existing.Stage}' ({existing.ConfigHash}, {existing.TaskCount} tasks); the launcher must prepare it for {stage.ConfigHash} first");
        var progress = new StageProgress(stage.Name, plan);
        var wall = Stopwatch.StartNew();
        TaskRecord record;
        // Waits while another process runs this task; then reuses its result, or runs the task if that process failed.
        using (await FolderLock.AcquireAsync(DatasetFolder.TaskClaimPath(outputDir, task), ct).ConfigureAwait(false))
        {
            record = StageRunner.IsTaskComplete(outputDir, stage, plan, task)
                ? DatasetFolder.ReadTaskRecord(outputDir, task)!
                : await RunWithRetriesAsync(stage, plan, outputDir, task, maxAttempts, progress, ct).ConfigureAwait(false);
        }
        StageRunner.TryFinalize(outputDir, stage, plan, wall.Elapsed.TotalSeconds);
        return record;
    }

    private static async Task<TaskRecord> RunWithRetriesAsync(IStage stage, StagePlan plan, string outputDir, int task, int maxAttempts, StageProgress progress, CancellationToken ct)
    {
        maxAttempts = Math.Max(1, maxAttempts);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var record = await StageRunner.RunTaskAttemptAsync(stage, plan, outputDir, task, attempt, progress, ct).ConfigureAwait(false);
                progress.TaskCompleted();
                return record;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (attempt < maxAttempts && e is not DatasetSchemaException)
            {
                // Retried: the next attempt starts from a clean temp folder. Bad input (schema) is not retried.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new StageFailedException(stage.Name, task, attempt, DatasetFolder.TaskLogPath(outputDir, task), e);
            }
        }
    }
}
