using DataPipe.Core.Datasets;
using DataPipe.Core.Faults;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Faults;

/// <summary>
/// Kills real <c>datapipe run</c> processes at points the test names through <see cref="FaultPoint"/> (never by racing a
/// timer), then checks that nothing half-written is visible and that reruns end with the uninterrupted run's bytes.
/// </summary>
public class ProcessKillTests
{
    private const int SigKillExit = 128 + 9;

    private static Dictionary<string, string> FaultAt(string point, string signal = "KILL") =>
        new() { [FaultPoint.Variable] = point, [FaultPoint.SignalVariable] = signal };

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
        // Fault points are named by the stage a task belongs to, as its records and log lines name it.
        var stageNames = p.Steps.ToDictionary(s => s.Name, s => DatasetFolder.ReadStagePlan(s.OutputDir)!.Stage);
        Directory.Delete(dir["out"], recursive: true);

        // One run per step, each killed inside that step: every step but training dies with all of a task's outputs
        // written under _tmp/ and none renamed (the most work a kill can throw away); training dies one step past a
        // checkpoint. Each run first redoes what the previous kill threw away, so every step is killed exactly once.
        foreach (var (step, index) in p.Steps.Select((s, i) => (s, i)))
        {
            string point = step.Kind == "train" ? "train:step=3" : $"{stageNames[step.Name]}:commit";
            var (killed, _, err) = await JobsFixtures.CliAsync(FaultAt(point), "run", file);
            Assert.True(killed == SigKillExit, $"{point}: exit {killed}, expected SIGKILL\n{err}");
            Assert.True(File.Exists(Path.Combine(step.OutputDir, DatasetFolder.StageFile)), $"{step.Name} never started");
            Assert.Null(DatasetFolder.ReadSuccess(step.OutputDir));
            foreach (var done in p.Steps.Take(index)) Assert.NotNull(DatasetFolder.ReadSuccess(done.OutputDir));
            if (step.Name != "train")
                Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(step.OutputDir, DatasetFolder.TmpDir), "*", SearchOption.AllDirectories));
            FaultPipeline.AssertNothingHalfWritten(p);
        }

        var (again, _, err2) = await JobsFixtures.CliAsync("run", file);
        Assert.True(again == 0, err2);
        FaultPipeline.AssertNothingHalfWritten(p);
        var resumed = FaultPipeline.ComparableSnapshot(p);
        Assert.Equal(reference.Keys, resumed.Keys);
        foreach (var (k, bytes) in reference) Assert.True(bytes.AsSpan().SequenceEqual(resumed[k]), $"{k} differs from the uninterrupted run");
        foreach (var step in p.Steps)
        {
            var success = DatasetFolder.ReadSuccess(step.OutputDir)!;
            Assert.Equal(success.TaskCount, Enumerable.Range(0, success.TaskCount).Count(t => DatasetFolder.ReadTaskRecord(step.OutputDir, t) is not null));
        }
    }

    [Fact]
    public async Task SIGKILL_at_an_ingest_record_leaves_no_part_visible_and_the_rerun_gives_the_uninterrupted_bytes()
    {
        using var dir = new TempDir("kill9-row");
        string file = FaultPipeline.Write(dir.Path, "out");
        var p = PipelineLoader.Load(file);
        var ingest = p.Steps[0];
        var (code, _, stderr) = await JobsFixtures.CliAsync("run", file);
        Assert.True(code == 0, stderr);
        var expected = FaultPipeline.ComparableSnapshot(p);
        Directory.Delete(dir["out"], recursive: true);

        var (killed, _, err) = await JobsFixtures.CliAsync(FaultAt("ingest:row=5"), "run", file);
        Assert.True(killed == SigKillExit, $"exit {killed}\n{err}");
        Assert.Null(DatasetFolder.ReadSuccess(ingest.OutputDir));
        FaultPipeline.AssertNothingHalfWritten(p);

        var (again, _, err2) = await JobsFixtures.CliAsync("run", file);
        Assert.True(again == 0, err2);
        FaultPipeline.AssertNothingHalfWritten(p);
        var actual = FaultPipeline.ComparableSnapshot(p);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (k, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[k]), $"{k} differs from the uninterrupted run");
    }

    [Fact]
    public async Task SIGTERM_mid_task_leaves_no_half_written_part_visible_and_a_rerun_completes()
    {
        using var dir = new TempDir("sigterm");
        string file = FaultPipeline.Write(dir.Path, "out");
        var p = PipelineLoader.Load(file);
        var ingest = p.Steps[0];

        // SIGTERM arrives while a task of ingest has counted its third record: its part is half-written under _tmp/.
        var (code, _, _) = await JobsFixtures.CliAsync(FaultAt("ingest:row=3", "TERM"), "run", file);

        Assert.NotEqual(0, code);
        Assert.Null(DatasetFolder.ReadSuccess(ingest.OutputDir));
        FaultPipeline.AssertNothingHalfWritten(p);

        var (again, _, err) = await JobsFixtures.CliAsync("run", file);
        Assert.True(again == 0, err);
        FaultPipeline.AssertNothingHalfWritten(p);
        Assert.NotNull(DatasetFolder.ReadSuccess(p.Steps[^1].OutputDir));
    }
}
