using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;
using DataPipe.Core.Errors;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Inspect;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

public class PipelineRunTests
{
    private const string TwoStages = """
        name: chain
        output: out
        executor: { workers: 2 }
        stages:
          - name: numbers
            kind: numbers
            tasks: 3
            options: { rows: ROWS }
          - name: rebalanced
            kind: reshard
            input: numbers
            tasks: 2
        """;

    [Fact]
    public async Task Run_executes_the_stages_in_order_and_a_rerun_reuses_every_completed_stage()
    {
        using var dir = new TempDir("run");
        var numbers = new NumbersKind();
        var p = JobsFixtures.Load(dir.Path, TwoStages.Replace("ROWS", "7"), JobsFixtures.KindsWith(numbers));

        var first = await new LocalPipelineExecutor(2, 2).RunAsync(p, p.Steps);
        Assert.Equal([21L, 21L], first.Select(r => r.Success.RowsOut));
        Assert.Equal(2, DatasetFolder.ListParts(dir["out/rebalanced"]).Count);
        Assert.Equal(3, numbers.Runs.Count);

        var again = await new LocalPipelineExecutor(2, 2).RunAsync(p, p.Steps);
        Assert.All(again, r => Assert.True(r.Reused));
        Assert.Equal(3, numbers.Runs.Count);
        var record = PipelineRecord.Read(p.OutputRoot)!;
        Assert.Equal("succeeded", record.State);
        Assert.All(record.Steps, s => Assert.True(s.Reused));
    }

    [Fact]
    public async Task A_changed_option_reruns_that_stage_and_every_stage_after_it()
    {
        using var dir = new TempDir("run");
        var numbers = new NumbersKind();
        var p = JobsFixtures.Load(dir.Path, TwoStages.Replace("ROWS", "4"), JobsFixtures.KindsWith(numbers));
        await new LocalPipelineExecutor(2, 2).RunAsync(p, p.Steps);
        string before = DatasetFolder.ReadSuccess(dir["out/rebalanced"])!.ConfigHash;

        var changed = JobsFixtures.Load(dir.Path, TwoStages.Replace("ROWS", "5"), JobsFixtures.KindsWith(numbers));
        var results = await new LocalPipelineExecutor(2, 2).RunAsync(changed, changed.Steps);

        Assert.All(results, r => Assert.False(r.Reused));
        Assert.Equal(15, results[1].Success.RowsOut);
        Assert.NotEqual(before, DatasetFolder.ReadSuccess(dir["out/rebalanced"])!.ConfigHash);
    }

    [Fact]
    public async Task From_and_until_select_a_range_of_stages()
    {
        using var dir = new TempDir("run");
        var numbers = new NumbersKind();
        var p = JobsFixtures.Load(dir.Path, TwoStages.Replace("ROWS", "3"), JobsFixtures.KindsWith(numbers));
        await new LocalPipelineExecutor(2, 2).RunAsync(p, p.Select(null, "numbers"));
        Assert.False(Directory.Exists(dir["out/rebalanced"]));
        await new LocalPipelineExecutor(2, 2).RunAsync(p, p.Select("rebalanced", null));
        Assert.NotNull(DatasetFolder.ReadSuccess(dir["out/rebalanced"]));
        Assert.Throws<DataPipe.Core.Options.PipelineConfigException>(() => p.Select("nope", null));
    }

    [Fact]
    public async Task A_stage_whose_input_is_incomplete_fails_naming_the_folder()
    {
        using var dir = new TempDir("run");
        var p = JobsFixtures.Load(dir.Path, TwoStages.Replace("ROWS", "3"), JobsFixtures.KindsWith(new NumbersKind()));
        var e = await Assert.ThrowsAsync<DataPipeException>(() => new LocalPipelineExecutor(2, 2).RunAsync(p, p.Select("rebalanced", null)));
        Assert.Contains(dir["out/numbers"], e.Message);
        Assert.Equal("failed", PipelineRecord.Read(p.OutputRoot)!.State);
    }

    [Fact]
    public async Task Reshard_keeps_every_row_in_order_whatever_the_task_count()
    {
        using var dir = new TempDir("run");
        await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 40, parts: 4);
        foreach (int tasks in new[] { 1, 3 })
        {
            var p = JobsFixtures.Load(dir.Path, $"output: out{tasks}\ninputs: {{ docs: docs }}\nstages:\n  - {{ name: r, kind: reshard, input: docs, tasks: {tasks} }}\n");
            await new LocalPipelineExecutor(2, 2).RunAsync(p, p.Steps);
            var ids = new List<string>();
            foreach (var part in DatasetFolder.ListParts(dir[$"out{tasks}/r"]))
                await foreach (var d in DocumentReader.ReadAsync(part)) ids.Add(d.Id);
            Assert.Equal(Enumerable.Range(0, 40).Select(i => TestDocuments.Make(i).Id), ids);
        }
    }

    [Fact]
    public async Task Status_counts_done_running_and_failed_tasks_from_the_folder()
    {
        using var dir = new TempDir("status");
        var p = JobsFixtures.Load(dir.Path, TwoStages.Replace("ROWS", "3"), JobsFixtures.KindsWith(new NumbersKind()));
        Assert.All(PipelineStatus.Read(p), s => Assert.Equal("not started", s.State));

        await new LocalPipelineExecutor(2, 2).RunAsync(p, p.Select(null, "numbers"));
        string rebalanced = dir["out/rebalanced"];
        var stage = await p.Steps[1].Build(CancellationToken.None);
        var plan = await stage.PlanAsync(CancellationToken.None);
        StageRunner.Prepare(rebalanced, stage, plan);
        await new LocalStageExecutor().RunOneTaskAsync(stage, rebalanced, 0, 1);
        // Task 1: another process holds its claim (here, a handle of this one), so it is running.
        using (FolderLock.TryAcquire(DatasetFolder.TaskClaimPath(rebalanced, 1)))
        {
            var s = PipelineStatus.Read(p);
            Assert.Equal("complete", s[0].State);
            Assert.Equal(9, s[0].RowsOut);
            Assert.Equal("running", s[1].State);
            Assert.Equal((1, 1, 0), (s[1].Done, s[1].Running, s[1].Failed));
        }
        // A task whose last attempt failed and that nobody runs is failed, with its error and log named (from the
        // error record the failed attempt wrote, not from its log's text).
        await Assert.ThrowsAsync<StageFailedException>(() => new LocalStageExecutor().RunOneTaskAsync(new FailingStage(stage), rebalanced, 1, 1));
        var after = PipelineStatus.Read(p);
        Assert.Equal("failed", after[1].State);
        Assert.Equal(DatasetFolder.TaskLogPath(rebalanced, 1), after[1].FailedLog);
        Assert.Equal("IOException: disk full (injected)", after[1].FailedError);
    }

    /// <summary>The stage it wraps, except that every task fails with an I/O error.</summary>
    private sealed class FailingStage(DataPipe.Core.Stages.IStage inner) : DataPipe.Core.Stages.IStage
    {
        public string Name => inner.Name;
        public string ConfigHash => inner.ConfigHash;
        public IReadOnlyList<DataPipe.Core.Documents.ColumnDescription>? OutputSchema => inner.OutputSchema;
        public Task<DataPipe.Core.Stages.StagePlan> PlanAsync(CancellationToken ct) => inner.PlanAsync(ct);
        public Task RunTaskAsync(DataPipe.Core.Stages.StageTaskContext ctx, CancellationToken ct) => throw new IOException("disk full (injected)");
    }

    [Fact]
    public async Task Inspect_shows_schema_rows_counters_and_sample_rows_of_a_dataset()
    {
        using var dir = new TempDir("inspect");
        await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 30, parts: 3);
        var r = await DatasetInspector.InspectAsync(dir["docs"], sampleRows: 2);
        Assert.Equal(30, r.Rows);
        Assert.Equal(3, r.Files.Count);
        Assert.Equal("source", r.Success!.Stage);
        Assert.Contains(("text", "string"), r.Schema);
        Assert.Contains(("quality_score", "single?"), r.Schema);
        Assert.Equal(2, r.Sample.Count);
        Assert.Contains(r.Sample[0], c => c.Column == "id" && c.Value == TestDocuments.Make(0).Id);

        var (code, stdout, _) = await JobsFixtures.CliAsync("inspect", dir["docs"], "--rows", "1");
        Assert.Equal(0, code);
        Assert.Contains("content_hash", stdout);
        Assert.Contains("Document number 0.", stdout);
    }
}
