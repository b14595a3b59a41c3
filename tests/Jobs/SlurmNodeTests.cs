using DataPipe.Core.Datasets;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;
using Xunit.Abstractions;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// The main job on a cluster of three compute nodes (<see cref="NamespaceSlurmCluster"/>): tasks spread over the
/// nodes, and a node that crashes while it holds a task costs a rerun, never a byte. Where a node or task must be at a
/// point, the test puts it there with <see cref="TaskHold"/> (the task waits on a file) instead of waiting a while.
/// </summary>
[Collection("slurm-nodes")]
public class SlurmNodeTests(SlurmNodesFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(6);

    private NamespaceSlurmCluster Cluster => fixture.Cluster;

    private SlurmPipelineExecutor Executor(TextWriter log) =>
        new(Cluster.Client, $"dotnet {SlurmPipelineExecutor.Quote(JobsFixtures.DatapipeDll)}", log);

    [SlurmNodesFact]
    public async Task The_main_job_runs_its_array_tasks_on_different_nodes_and_writes_the_local_executors_bytes()
    {
        using var dir = new TempDir("slurm-nodes");
        string holds = Directory.CreateDirectory(dir["holds"]).FullName;
        // Both ingest tasks wait at their start until the test has seen them both: each node has one CPU, so two
        // tasks running at once are on two nodes.
        var p = SamplePipeline.OnSlurm(SamplePipeline.Load(dir.Path, "slurm"),
            (TaskHold.Variable, "ingest:0:start;ingest:1:start"), (TaskHold.DirVariable, holds));
        var log = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = Executor(log).RunAsync(p, SamplePipeline.Steps(p), CancellationToken.None);

        var ingest0 = await WaitHeldAsync(holds, "ingest", 0, "start", run, log);
        var ingest1 = await WaitHeldAsync(holds, "ingest", 1, "start", run, log);
        Assert.NotEqual(ingest0, ingest1);
        Release(holds, "ingest", 0, "start");
        Release(holds, "ingest", 1, "start");
        await run.WaitAsync(RunLimit);
        output.WriteLine($"main job on {Cluster.Nodes.Count} nodes: {clock.Elapsed.TotalSeconds:F1} s");

        var hosts = SamplePipeline.Hosts(p);
        foreach (var (step, task, host) in hosts) output.WriteLine($"{step} task {task}: {host}");
        foreach (var g in hosts.GroupBy(h => h.Host).OrderBy(g => g.Key, StringComparer.Ordinal)) output.WriteLine($"{g.Key}: {g.Count()} task(s)");
        // Every task ran on a compute node (its hostname is the node's), none on the machine that submitted them.
        Assert.All(hosts, h => Assert.Contains(h.Host, Cluster.Nodes));
        Assert.Equal(ingest0.Split(' ')[0], hosts.Single(h => h.Step == "ingest" && h.Task == 0).Host);
        Assert.Equal(ingest1.Split(' ')[0], hosts.Single(h => h.Step == "ingest" && h.Task == 1).Host);
        Assert.Equal("succeeded", PipelineRecord.Read(p.OutputRoot)!.State);

        AssertSameBytes(await fixture.LocalReferenceAsync(), p);
    }

    [SlurmNodesFact]
    public async Task A_node_crashed_while_it_holds_a_filter_task_is_marked_down_and_the_task_reruns_once_on_another_node_with_the_same_bytes()
    {
        using var dir = new TempDir("slurm-nodes");
        string holds = Directory.CreateDirectory(dir["holds"]).FullName;
        // Filter task 1 stops after writing its part to its temp folder, before the rename that commits it.
        var p = SamplePipeline.OnSlurm(SamplePipeline.Load(dir.Path, "slurm"),
            (TaskHold.Variable, "filter:1:before-commit"), (TaskHold.DirVariable, holds));
        var filter = p.FindStep("filter")!;
        var log = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = Executor(log).RunAsync(p, SamplePipeline.Steps(p), CancellationToken.None);
        string? crashed = null;
        try
        {
            string held = await WaitHeldAsync(holds, "filter", 1, "before-commit", run, log);
            string lost = held.Split(' ')[0];
            Assert.Contains(lost, Cluster.Nodes);
            // Written but not committed: the part is only in the task's temp folder.
            string tempPart = Path.Combine(DatasetFolder.TaskTmpDir(filter.OutputDir, 1), DatasetFolder.PartFileName(1));
            Assert.True(File.Exists(tempPart), $"{tempPart} missing while the task is held before its commit");
            Assert.False(File.Exists(Path.Combine(filter.OutputDir, DatasetFolder.PartFileName(1))));

            double killedAt = clock.Elapsed.TotalSeconds;
            var killedUtc = DateTime.UtcNow;
            int killed = await Cluster.KillNodeAsync(lost);
            crashed = lost;
            output.WriteLine($"{killedAt:F1} s: killed {lost} ({killed} processes: its slurmd, the job's slurmstepd and the held task)");
            // Nothing of the dead attempt is visible: no part 1, no completion record, no success record.
            Assert.False(File.Exists(Path.Combine(filter.OutputDir, DatasetFolder.PartFileName(1))));
            Assert.Null(DatasetFolder.ReadTaskRecord(filter.OutputDir, 1));
            Assert.Null(DatasetFolder.ReadSuccess(filter.OutputDir));

            await Cluster.WaitAsync(async () => (await Cluster.NodeStatesAsync())[lost].StartsWith("down", StringComparison.Ordinal), $"{lost} down", TimeSpan.FromMinutes(1));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: Slurm marked {lost} down");
            await run.WaitAsync(RunLimit);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: run finished");
            output.WriteLine(log.ToString());

            // The task ran again, once, on another node, and only that attempt committed.
            var record = DatasetFolder.ReadTaskRecord(filter.OutputDir, 1)!;
            Assert.NotEqual(lost, record.Host);
            Assert.Contains(record.Host, Cluster.Nodes);
            var attempts = TaskAttempts.FindLost(filter.OutputDir, DatasetFolder.ReadSuccess(filter.OutputDir)!.TaskCount, DateTime.MinValue);
            var only = Assert.Single(attempts);
            Assert.Equal((1, lost, record.Host), (only.Task, only.Host, only.RerunOn));
            var rerunStart = record.FinishedAt.AddSeconds(-record.Seconds);
            output.WriteLine($"filter task 1: lost on {lost}, rerun on {record.Host}: started {(rerunStart - killedUtc).TotalSeconds:F1} s after the kill, ran {record.Seconds:F1} s");
            // No task of any step committed twice; no temp folder is left.
            foreach (var step in SamplePipeline.Steps(p))
            {
                var success = DatasetFolder.ReadSuccess(step.OutputDir)!;
                for (int t = 0; t < success.TaskCount; t++)
                    Assert.Single(File.ReadLines(DatasetFolder.TaskLogPath(step.OutputDir, t)), l => l.Contains("] done: ", StringComparison.Ordinal));
                Assert.False(Directory.Exists(Path.Combine(step.OutputDir, DatasetFolder.TmpDir)), $"{step.Name}: temp folder left");
            }
            // The launcher said so while it watched the array.
            Assert.Contains($"task 1 lost on {lost}, rerun on {record.Host}", log.ToString());

            // `datapipe status` names the lost node, the lost attempt and its rerun.
            var (code, status) = await SamplePipeline.CliAsync(Cluster, "status", p.File);
            output.WriteLine(status);
            // The console wraps long lines at its width; compare with the line breaks folded back into spaces.
            status = System.Text.RegularExpressions.Regex.Replace(status, @"\s+", " ");
            Assert.True(code == 0, status);
            Assert.Contains($"filter: task 1 lost on {lost}", status);
            Assert.Contains($"rerun on {record.Host}", status);
            Assert.Matches($@"slurm node {lost}: down\*? \(Not responding\)", status);

            AssertSameBytes(await fixture.LocalReferenceAsync(), p);
        }
        finally
        {
            // The other tests need all three nodes: the crashed one comes back (ReturnToService=2 takes it in again).
            if (crashed is not null)
            {
                await Cluster.StartNodeAsync(crashed);
                await Cluster.WaitAsync(async () => (await Cluster.NodeStatesAsync())[crashed] == "idle", $"{crashed} idle again", TimeSpan.FromMinutes(1));
            }
        }
    }

    /// <summary>Waits until the held task has written its held file; returns its content ("HOST pid N"). Fails early if the run ends first.</summary>
    private static async Task<string> WaitHeldAsync(string holds, string step, int task, string point, Task run, StringWriter log)
    {
        string held = TaskHold.Files(holds, step, task, point).Held;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (File.Exists(held) && File.ReadAllText(held) is { Length: > 0 } text && text.EndsWith('\n')) return text.Trim();
            if (run.IsCompleted)
            {
                await run; // surfaces the run's error
                Assert.Fail($"the run finished without {step} task {task} stopping at {point}\n{log}");
            }
            if (clock.Elapsed > RunLimit) Assert.Fail($"{step} task {task} did not reach {point} within {RunLimit.TotalMinutes} min\n{log}");
            await Task.Delay(100);
        }
    }

    private static void Release(string holds, string step, int task, string point)
        => File.WriteAllText(TaskHold.Files(holds, step, task, point).Release, "");

    /// <summary>
    /// Every file of every step equal byte for byte, except three fields of the JSON records that say when, how long
    /// and where a run happened rather than what it wrote (two local runs differ in them too): the classifier's
    /// <c>trained_at</c> and <c>train_seconds</c>, and the output folder's own path (the token manifest's
    /// <c>source_dataset</c>), which differs between the two runs' folders.
    /// </summary>
    private static void AssertSameBytes(PipelineDefinition expectedRun, PipelineDefinition actualRun)
    {
        var expected = SamplePipeline.Outputs(expectedRun);
        var actual = SamplePipeline.Outputs(actualRun);
        Assert.Equal(expected.Keys, actual.Keys);
        int files = 0;
        foreach (var (step, parts) in expected)
        {
            Assert.NotEmpty(parts);
            Assert.Equal(parts.Keys, actual[step].Keys);
            foreach (var (file, bytes) in parts)
            {
                files++;
                if (file.EndsWith(".json", StringComparison.Ordinal))
                    Assert.Equal(RunFree(bytes, expectedRun.OutputRoot), RunFree(actual[step][file], actualRun.OutputRoot));
                else
                    Assert.True(bytes.AsSpan().SequenceEqual(actual[step][file]), $"{step}/{file} differs from the local executor's");
            }
        }
        Assert.True(files > 20, $"only {files} files compared");
    }

    private static string RunFree(byte[] json, string outputRoot)
    {
        string text = System.Text.Encoding.UTF8.GetString(json).Replace(outputRoot, "OUTPUT", StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Replace(text, @"""(trained_at|train_seconds)"":\s*[^,\n]*", "\"$1\": _");
    }
}
