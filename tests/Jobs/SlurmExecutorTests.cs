using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

[Collection("slurm")]
public class SlurmExecutorTests(SlurmCluster cluster)
{
    private static string Pipeline(string output, int tasks) => $"""
        name: slurmtest
        output: {output}
        inputs: {'{'} docs: docs {'}'}
        executor:
          kind: slurm
          attempts: 1
          slurm: {'{'} partition: debug, time: "00:05:00", cpus_per_task: 1, poll_seconds: 0.5 {'}'}
        stages:
          - name: spread
            kind: reshard
            input: docs
            tasks: {tasks}
          - name: joined
            kind: reshard
            input: spread
            tasks: 1
        """;

    private SlurmPipelineExecutor Executor(StringWriter log) =>
        new(cluster.Client, $"dotnet {SlurmPipelineExecutor.Quote(JobsFixtures.DatapipeDll)}", log);

    [SlurmFact]
    public async Task Stages_run_as_chained_job_arrays_and_write_the_same_bytes_as_the_local_executor()
    {
        using var dir = new TempDir("slurm");
        await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 60, parts: 3);
        var onSlurm = JobsFixtures.Load(dir.Path, Pipeline("slurm-out", 2));
        var log = new StringWriter();

        await Executor(log).RunAsync(onSlurm, onSlurm.Steps, CancellationToken.None);

        string text = log.ToString();
        Assert.Matches(@"\[spread\] submitted job array \d+ \(2 task\(s\)\)", text);
        Assert.Matches(@"\[joined\] submitted job array \d+ \(1 task\(s\), after \d+\)", text);
        Assert.Equal(2, DatasetFolder.ReadSuccess(dir["slurm-out/spread"])!.TaskCount);
        Assert.Equal(60, DatasetFolder.ReadSuccess(dir["slurm-out/joined"])!.RowsOut);
        // Every task ran on a Slurm node process (not the launcher) and wrote its own log.
        Assert.All(DatasetFolder.ListParts(dir["slurm-out/spread"]), p => Assert.True(new FileInfo(p).Length > 0));
        Assert.True(File.Exists(dir["slurm-out/_slurm/spread.sh"]));
        var record = PipelineRecord.Read(dir["slurm-out"])!;
        Assert.Equal("succeeded", record.State);
        Assert.All(record.Steps, s => Assert.NotNull(s.SlurmJobId));

        var local = JobsFixtures.Load(dir.Path, Pipeline("local-out", 2));
        await new LocalPipelineExecutor(2, 1).RunAsync(local, local.Steps);
        foreach (var step in new[] { "spread", "joined" })
            Assert.Equal(JobsFixtures.PartBytes(dir[$"local-out/{step}"]), JobsFixtures.PartBytes(dir[$"slurm-out/{step}"]));

        // A second run finds everything complete and submits nothing.
        var again = new StringWriter();
        await Executor(again).RunAsync(onSlurm, onSlurm.Steps, CancellationToken.None);
        Assert.DoesNotContain("submitted", again.ToString());
        Assert.Contains("[joined] already complete", again.ToString());
    }

    [SlurmFact]
    public async Task A_failing_task_stops_the_run_naming_the_step_and_the_log_and_later_steps_never_run()
    {
        using var dir = new TempDir("slurm");
        await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 40, parts: 2);
        // Damage the data pages of one input part (its footer stays, so planning works): the task reading it fails.
        string damaged = DatasetFolder.ListParts(dir["docs"])[1];
        var bytes = File.ReadAllBytes(damaged);
        for (int i = 4; i < bytes.Length / 2; i++) bytes[i] = 0xFF;
        File.WriteAllBytes(damaged, bytes);
        var p = JobsFixtures.Load(dir.Path, Pipeline("out", 2));

        var e = await Assert.ThrowsAsync<DataPipeException>(() => Executor(new StringWriter()).RunAsync(p, p.Steps, CancellationToken.None));

        Assert.Contains("step 'spread'", e.Message);
        Assert.Contains("ended without completing", e.Message);
        // The task that failed on its node is named with its log.
        Assert.Contains($"task log: {DatasetFolder.TaskLogPath(dir["out/spread"], 1)}", e.Message);
        Assert.Contains("failed: ", File.ReadAllText(DatasetFolder.TaskLogPath(dir["out/spread"], 1)));
        // The error is the one the node's task recorded, read from its error record.
        Assert.Contains(DatasetFolder.ReadTaskError(dir["out/spread"], 1)!.Message, e.Message);
        Assert.Null(DatasetFolder.ReadSuccess(dir["out/spread"]));
        Assert.False(Directory.Exists(dir["out/joined"]) && DatasetFolder.ListParts(dir["out/joined"]).Count > 0);
        Assert.Equal("failed", PipelineRecord.Read(dir["out"])!.State);
        // The dependent array was cancelled rather than left pending forever.
        var joinedId = PipelineRecord.Read(dir["out"])!.Steps.Single(s => s.Step == "joined").SlurmJobId!;
        var queue = await cluster.Client.QueueAsync([joinedId], CancellationToken.None);
        Assert.Empty(queue[joinedId]);
    }

    [SlurmFact]
    public async Task A_local_run_and_a_slurm_run_on_the_same_folder_never_run_a_task_twice()
    {
        using var dir = new TempDir("slurm");
        await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 80, parts: 4);
        var p = JobsFixtures.Load(dir.Path, Pipeline("out", 4));
        var spreadOnly = p.Select(null, "spread");

        await Task.WhenAll(
            Executor(new StringWriter()).RunAsync(p, spreadOnly, CancellationToken.None),
            new LocalPipelineExecutor(2, 1).RunAsync(p, spreadOnly));

        Assert.Equal(80, DatasetFolder.ReadSuccess(dir["out/spread"])!.RowsOut);
        for (int t = 0; t < 4; t++)
        {
            var lines = File.ReadAllLines(DatasetFolder.TaskLogPath(dir["out/spread"], t));
            Assert.Single(lines, l => l.Contains("] done: ", StringComparison.Ordinal));
        }
    }
}
