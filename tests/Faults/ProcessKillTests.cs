using System.Diagnostics;
using DataPipe.Core.Datasets;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Faults;

public class ProcessKillTests
{
    [Fact]
    public async Task Killing_the_main_job_with_SIGKILL_in_the_middle_of_each_step_then_rerunning_gives_the_uninterrupted_outputs()
    {
        using var dir = new TempDir("kill9");
        string file = MainJobPipeline.Write(dir.Path, "out");
        var p = PipelineLoader.Load(file);

        var (code, _, stderr) = await JobsFixtures.CliAsync("run", file);
        Assert.True(code == 0, stderr);
        var reference = FaultPipeline.ComparableSnapshot(p);
        Assert.Contains(reference.Keys, k => k.StartsWith("train/checkpoints/", StringComparison.Ordinal));
        Assert.Contains("filter.classifier/model/weights.bin", reference.Keys);
        Directory.Delete(dir["out"], recursive: true);

        // Kill -9 while each step runs in turn (ingest, the classifier, the filter, dedup's four steps, the BPE,
        // tokenize, training); each rerun resumes where the last one stopped.
        var caught = new List<string>();
        foreach (var step in p.Steps)
        {
            using var run = JobsFixtures.StartCli("run", file);
            _ = run.StandardOutput.ReadToEndAsync();
            _ = run.StandardError.ReadToEndAsync();
            if (await FaultPipeline.WaitMidStepAsync(run, step))
            {
                run.Kill(entireProcessTree: true);
                caught.Add(step.Name);
            }
            await run.WaitForExitAsync();
            FaultPipeline.AssertNothingHalfWritten(p);
        }
        // Steps that take a second or more (reading WARC, training the classifier) are always caught mid-step; the
        // short ones are caught when they outlast the 10 ms poll, which depends on the machine's load.
        Assert.Contains("ingest", caught);
        Assert.Contains("filter.classifier", caught);

        var (again, _, err2) = await JobsFixtures.CliAsync("run", file);
        Assert.True(again == 0, err2);
        FaultPipeline.AssertNothingHalfWritten(p);
        var resumed = FaultPipeline.ComparableSnapshot(p);
        Assert.Equal(reference.Keys, resumed.Keys);
        foreach (var (k, bytes) in reference) Assert.True(bytes.AsSpan().SequenceEqual(resumed[k]), $"{k} differs from the uninterrupted run (steps killed: {string.Join(", ", caught)})");
        foreach (var step in p.Steps)
        {
            var success = DatasetFolder.ReadSuccess(step.OutputDir)!;
            Assert.Equal(success.TaskCount, Enumerable.Range(0, success.TaskCount).Count(t => DatasetFolder.ReadTaskRecord(step.OutputDir, t) is not null));
        }
    }

    [Fact]
    public async Task SIGTERM_mid_task_leaves_no_half_written_part_visible_and_a_rerun_completes()
    {
        using var dir = new TempDir("sigterm");
        string file = FaultPipeline.Write(dir.Path, "out");
        var p = PipelineLoader.Load(file);
        var ingest = p.Steps[0];

        using var run = JobsFixtures.StartCli("run", file);
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        // Mid-task: a task of ingest holds its claim and has started writing under _tmp.
        bool caught = await FaultPipeline.WaitMidStepAsync(run, ingest, () =>
            FolderLock.IsHeld(DatasetFolder.TaskClaimPath(ingest.OutputDir, 0)) || FolderLock.IsHeld(DatasetFolder.TaskClaimPath(ingest.OutputDir, 1)));
        Assert.True(caught, "the run finished ingest before it could be interrupted");
        using (var kill = Process.Start("kill", ["-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await run.WaitForExitAsync();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Null(DatasetFolder.ReadSuccess(ingest.OutputDir));
        FaultPipeline.AssertNothingHalfWritten(p);
        _ = await stdout;
        _ = await stderr;

        var (code, _, err) = await JobsFixtures.CliAsync("run", file);
        Assert.True(code == 0, err);
        FaultPipeline.AssertNothingHalfWritten(p);
        Assert.NotNull(DatasetFolder.ReadSuccess(p.Steps[^1].OutputDir));
    }
}
