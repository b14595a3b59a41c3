using System.Collections.Concurrent;
using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

public class TaskClaimTests
{
    [Fact]
    public async Task Two_executors_on_one_folder_never_run_the_same_task_and_both_finish()
    {
        using var dir = new TempDir("claims");
        var runs = new ConcurrentBag<(string, int)>();
        var a = new NumbersStage("n", 6, 20, 5, null, runs);
        var b = new NumbersStage("n", 6, 20, 5, null, runs);
        var options = new StageRunOptions { Workers = 2 };

        var results = await Task.WhenAll(
            new LocalStageExecutor().RunAsync(a, dir.Path, options),
            new LocalStageExecutor().RunAsync(b, dir.Path, options));

        Assert.Equal(6, runs.Count);
        Assert.Equal(6, runs.Select(r => r.Item2).Distinct().Count());
        Assert.All(results, r => Assert.Equal(120, r.Success.RowsOut));
        Assert.Equal(6, results.Sum(r => r.TasksRun));
    }

    [Fact]
    public async Task A_task_another_process_holds_is_waited_for_then_reused_not_rerun()
    {
        using var dir = new TempDir("claims");
        var runs = new ConcurrentBag<(string, int)>();
        var stage = new NumbersStage("n", 2, 5, 0, null, runs);
        var plan = await stage.PlanAsync(CancellationToken.None);
        StageRunner.Prepare(dir.Path, stage, plan);

        var holder = FolderLock.TryAcquire(DatasetFolder.TaskClaimPath(dir.Path, 1))!;
        var run = new LocalStageExecutor().RunAsync(stage, dir.Path, new StageRunOptions { Workers = 2 });
        // Task 0 completes; task 1 stays claimed by the holder, so the run cannot finish however long it waits.
        await WaitForAsync(() => DatasetFolder.ReadTaskRecord(dir.Path, 0) is not null, run);
        Assert.False(run.IsCompleted);
        Assert.Equal([0], runs.Select(r => r.Item2));
        // The holder finishes the task and lets go; the executor reuses its result.
        await StageRunner.RunTaskAttemptAsync(stage, plan, dir.Path, 1, 1, new DataPipe.Core.Stages.StageProgress("n", plan), CancellationToken.None);
        holder.Dispose();
        var result = await run;
        Assert.Equal(2, runs.Count);
        Assert.Equal(1, result.TasksRun);
        Assert.Equal(10, result.Success.RowsOut);
    }

    [Fact]
    public void A_claim_is_exclusive_until_released_and_names_its_holder()
    {
        using var dir = new TempDir("claims");
        string path = DatasetFolder.TaskClaimPath(dir.Path, 0);
        using (var held = FolderLock.TryAcquire(path))
        {
            Assert.NotNull(held);
            Assert.Null(FolderLock.TryAcquire(path));
            Assert.True(FolderLock.IsHeld(path));
            Assert.Contains($"pid {Environment.ProcessId}", FolderLock.ReadHolder(path));
        }
        Assert.False(FolderLock.IsHeld(path));
        using var again = FolderLock.TryAcquire(path);
        Assert.NotNull(again);
    }

    [Fact]
    public void Probing_a_free_claim_writes_no_holder_note()
    {
        using var dir = new TempDir("claims");
        string path = DatasetFolder.TaskClaimPath(dir.Path, 0);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");

        Assert.False(FolderLock.IsHeld(path));

        Assert.False(File.Exists(path + ".holder"), "a probe must not claim to hold the lock");
        Assert.Null(FolderLock.ReadHolder(path));
    }

    /// <summary>Waits for a condition the code under test makes true; fails at once if <paramref name="run"/> ends first.</summary>
    private static async Task WaitForAsync(Func<bool> condition, Task run)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!condition())
        {
            Assert.False(run.IsCompleted, "the run ended before the condition held");
            await Task.Delay(10, limit.Token);
        }
    }
}
