using DataPipe.Core.Datasets;
using DataPipe.Core.Faults;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Decontaminate;

/// <summary>A <c>datapipe decontaminate</c> process killed at a point the test names resumes to the uninterrupted bytes.</summary>
public class DecontaminateKillTests
{
    [Fact]
    public async Task Killed_with_SIGKILL_at_a_task_commit_then_rerun_it_writes_the_uninterrupted_bytes()
    {
        using var dir = new TempDir("decontam-kill");
        var (input, bench) = await DecontaminateStageTests.SetupAsync(dir);
        string[] Args(string output) => ["decontaminate", "--input", input, "--output", output, "--benchmarks", bench, "--field", "question", "--tasks", "2", "--workers", "2", "--attempts", "1"];

        var (code, _, err) = await JobsFixtures.CliAsync(Args(dir["ref"]));
        Assert.True(code == 0, err);

        var fault = new Dictionary<string, string> { [FaultPoint.Variable] = "decontaminate:commit", [FaultPoint.SignalVariable] = "KILL" };
        var (killed, _, killedErr) = await JobsFixtures.CliAsync(fault, Args(dir["out"]));
        Assert.True(killed == 128 + 9, $"exit {killed}, expected SIGKILL\n{killedErr}");
        Assert.Null(DatasetFolder.ReadSuccess(dir["out"]));
        Assert.False(File.Exists(Path.Combine(dir["out"], ContaminationFile)));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(dir["out"], DatasetFolder.TmpDir), "*", SearchOption.AllDirectories));

        var (again, _, againErr) = await JobsFixtures.CliAsync(Args(dir["out"]));
        Assert.True(again == 0, againErr);
        var reference = Files(dir["ref"]);
        var resumed = Files(dir["out"]);
        Assert.Equal(reference.Keys, resumed.Keys);
        Assert.Contains(ContaminationFile, reference.Keys);
        foreach (var (k, bytes) in reference) Assert.True(bytes.AsSpan().SequenceEqual(resumed[k]), $"{k} differs from the uninterrupted run");
    }

    private const string ContaminationFile = "contamination.json";

    /// <summary>The committed data files of an output folder (part files, task reports, the merged report), not its records and logs.</summary>
    private static SortedDictionary<string, byte[]> Files(string dir) => new(
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(dir, f).StartsWith('_'))
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes), StringComparer.Ordinal);
}
