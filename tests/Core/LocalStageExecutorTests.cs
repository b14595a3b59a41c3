using System.Collections.Concurrent;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Core;

public class LocalStageExecutorTests
{
    /// <summary>Writes <c>RowsPerTask</c> documents per task; can be told to fail chosen tasks on chosen attempts.</summary>
    private sealed class NumberStage(int tasks, string config = "v1") : IStage
    {
        public int RowsPerTask { get; init; } = 10;
        public Func<int, int, bool> FailOn { get; init; } = (_, _) => false;
        public ConcurrentBag<(int Task, int Attempt)> Runs { get; } = [];

        public string Name => "numbers";
        public string ConfigHash => config;
        public IReadOnlyList<ColumnDescription>? OutputSchema => DocumentSchema.Describe();

        public Task<StagePlan> PlanAsync(CancellationToken ct) => Task.FromResult(new StagePlan(tasks, tasks * RowsPerTask));

        public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
        {
            Runs.Add((ctx.TaskIndex, ctx.Attempt));
            await using var w = await ctx.CreateDocumentWriterAsync(ct: ct);
            for (int i = 0; i < RowsPerTask; i++)
            {
                ctx.AddRowsIn();
                await w.WriteAsync(TestDocuments.Make(ctx.TaskIndex * 1000 + i), ct);
                ctx.AddRowsOut();
                ctx.Progress.Advance(1);
                if (i == RowsPerTask / 2 && FailOn(ctx.TaskIndex, ctx.Attempt)) throw new InvalidOperationException($"injected failure in task {ctx.TaskIndex}");
            }
            ctx.Counters.Increment("written", RowsPerTask);
        }
    }

    private static StageRunOptions Options(int attempts = 2) => new() { Workers = 2, MaxAttempts = attempts };

    [Fact]
    public async Task A_stage_writes_one_part_and_one_completion_record_per_task_then_SUCCESS()
    {
        using var dir = new TempDir();
        var result = await new LocalStageExecutor().RunAsync(new NumberStage(3), dir.Path, Options());

        Assert.Equal(3, DatasetFolder.ListParts(dir.Path).Count);
        for (int t = 0; t < 3; t++) Assert.NotNull(DatasetFolder.ReadTaskRecord(dir.Path, t));
        var success = DatasetFolder.ReadSuccess(dir.Path)!;
        Assert.Equal(30, success.RowsOut);
        Assert.Equal(30, success.Counters["written"]);
        Assert.Equal("v1", success.ConfigHash);
        Assert.False(Directory.Exists(dir[DatasetFolder.TmpDir]));
        Assert.Equal(30, result.Success.RowsIn);
    }

    [Fact]
    public async Task A_rerun_with_the_same_config_skips_the_stage()
    {
        using var dir = new TempDir();
        await new LocalStageExecutor().RunAsync(new NumberStage(2), dir.Path, Options());
        var again = new NumberStage(2);
        var result = await new LocalStageExecutor().RunAsync(again, dir.Path, Options());
        Assert.True(result.Skipped);
        Assert.Empty(again.Runs);
    }

    [Fact]
    public async Task A_changed_config_reruns_and_removes_stale_parts()
    {
        using var dir = new TempDir();
        await new LocalStageExecutor().RunAsync(new NumberStage(4), dir.Path, Options());
        var changed = new NumberStage(2, "v2");
        await new LocalStageExecutor().RunAsync(changed, dir.Path, Options());
        Assert.Equal(2, changed.Runs.Count);
        Assert.Equal(2, DatasetFolder.ListParts(dir.Path).Count);
        Assert.Equal("v2", DatasetFolder.ReadSuccess(dir.Path)!.ConfigHash);
    }

    [Fact]
    public async Task A_task_that_fails_once_is_retried_and_the_stage_completes()
    {
        using var dir = new TempDir();
        var stage = new NumberStage(3) { FailOn = (t, a) => t == 1 && a == 1 };
        var result = await new LocalStageExecutor().RunAsync(stage, dir.Path, Options());
        Assert.Equal(30, result.Success.RowsOut);
        Assert.Contains((1, 2), stage.Runs);
        Assert.Equal(2, DatasetFolder.ReadTaskRecord(dir.Path, 1)!.Attempt);
        Assert.Contains("injected failure", await File.ReadAllTextAsync(DatasetFolder.TaskLogPath(dir.Path, 1)));
    }

    [Fact]
    public async Task A_task_that_keeps_failing_stops_the_stage_naming_its_log_and_keeps_completed_tasks()
    {
        using var dir = new TempDir();
        var stage = new NumberStage(3) { FailOn = (t, _) => t == 2 };
        var e = await Assert.ThrowsAsync<StageFailedException>(() => new LocalStageExecutor().RunAsync(stage, dir.Path, Options(attempts: 2)));
        Assert.Equal(2, e.Task);
        Assert.Contains(DatasetFolder.TaskLogPath(dir.Path, 2), e.Message);
        Assert.Null(DatasetFolder.ReadSuccess(dir.Path));
        Assert.False(File.Exists(dir[DatasetFolder.PartFileName(2)]), "a failed task's part must not become visible");
        Assert.Equal(2, Enumerable.Range(0, 3).Count(t => DatasetFolder.ReadTaskRecord(dir.Path, t) is not null));
        // The failure is a record of its own, not only a line of the log: its last attempt, error and log.
        var error = DatasetFolder.ReadTaskError(dir.Path, 2)!;
        Assert.Equal((2, 2, stage.ConfigHash), (error.Task, error.Attempt, error.ConfigHash));
        Assert.Contains("injected failure", error.Message);
        Assert.Equal(DatasetFolder.TaskLogPath(dir.Path, 2), error.LogPath);
        Assert.Null(DatasetFolder.ReadTaskError(dir.Path, 0));

        // Rerun: only the failed task runs again, and its success removes the error record.
        var fixedStage = new NumberStage(3);
        var result = await new LocalStageExecutor().RunAsync(fixedStage, dir.Path, Options());
        Assert.Equal([2], fixedStage.Runs.Select(r => r.Task).Distinct());
        Assert.Equal(2, result.TasksReused);
        Assert.Equal(30, result.Success.RowsOut);
        Assert.Null(DatasetFolder.ReadTaskError(dir.Path, 2));
    }

    [Fact]
    public async Task Bad_input_errors_are_not_retried()
    {
        using var dir = new TempDir();
        var stage = new SchemaFailStage();
        await Assert.ThrowsAsync<StageFailedException>(() => new LocalStageExecutor().RunAsync(stage, dir.Path, Options(attempts: 3)));
        Assert.Equal(1, stage.Attempts);
    }

    private sealed class SchemaFailStage : IStage
    {
        public int Attempts;
        public string Name => "bad";
        public string ConfigHash => "x";
        public IReadOnlyList<ColumnDescription>? OutputSchema => null;
        public Task<StagePlan> PlanAsync(CancellationToken ct) => Task.FromResult(new StagePlan(1));

        public Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
        {
            Interlocked.Increment(ref Attempts);
            throw new DatasetSchemaException("in.parquet: column 'id' is missing");
        }
    }

    [Fact]
    public async Task A_single_task_run_finalizes_the_stage_when_it_is_the_last_one_missing()
    {
        using var dir = new TempDir();
        var exec = new LocalStageExecutor();
        await exec.RunOneTaskAsync(new NumberStage(2), dir.Path, 1, 1);
        Assert.Null(DatasetFolder.ReadSuccess(dir.Path));
        await exec.RunOneTaskAsync(new NumberStage(2), dir.Path, 0, 1);
        Assert.Equal(20, DatasetFolder.ReadSuccess(dir.Path)!.RowsOut);
    }

    [Fact]
    public async Task A_single_task_run_refuses_a_folder_prepared_for_another_configuration()
    {
        using var dir = new TempDir();
        var exec = new LocalStageExecutor();
        await exec.RunOneTaskAsync(new NumberStage(2), dir.Path, 0, 1);
        var e = await Assert.ThrowsAsync<DataPipeException>(() => exec.RunOneTaskAsync(new NumberStage(2, "other"), dir.Path, 1, 1));
        Assert.Contains("another configuration", e.Message);
    }

    [Fact]
    public async Task Outputs_in_subfolders_are_committed_with_the_part()
    {
        using var dir = new TempDir();
        var stage = new RejectingStage();
        await new LocalStageExecutor().RunAsync(stage, dir.Path, Options());
        Assert.Single(DatasetFolder.ListParts(dir.Path));
        Assert.Single(DatasetFolder.ListParts(dir.Path, "rejected"));
        Assert.Contains(DatasetFolder.ReadTaskRecord(dir.Path, 0)!.Outputs, o => o.Path == "rejected/part-00000.parquet");
    }

    private sealed class RejectingStage : IStage
    {
        public string Name => "rej";
        public string ConfigHash => "r";
        public IReadOnlyList<ColumnDescription>? OutputSchema => DocumentSchema.Describe();
        public Task<StagePlan> PlanAsync(CancellationToken ct) => Task.FromResult(new StagePlan(1));

        public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
        {
            await using var kept = await ctx.CreateDocumentWriterAsync(ct: ct);
            await using var rejected = await ctx.CreateDocumentWriterAsync("rejected/" + ctx.PartFileName, ct: ct);
            await kept.WriteAsync(TestDocuments.Make(1), ct);
            await rejected.WriteAsync(TestDocuments.Make(2), ct);
        }
    }
}
