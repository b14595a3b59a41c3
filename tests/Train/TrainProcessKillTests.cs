using System.Diagnostics;
using DataPipe.Core.Faults;
using DataPipe.Tests.Support;
using DataPipe.Train;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Metrics;

namespace DataPipe.Tests.Train;

/// <summary>A test kills a real training process and compares the resumed loss curve with an uninterrupted one.</summary>
public class TrainProcessKillTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "datapipe.dll");

    private static Process Start(string[] args, string? faultAt = null)
    {
        var psi = new ProcessStartInfo("dotnet", [Cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (faultAt is not null) psi.Environment[FaultPoint.Variable] = faultAt;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<int> RunToEndAsync(string[] args, string? faultAt = null)
    {
        using var p = Start(args, faultAt);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(timeout.Token);
        return p.ExitCode;
    }

    [Fact]
    public async Task A_killed_training_process_resumes_with_the_losses_of_the_uninterrupted_run_step_for_step()
    {
        Assert.True(File.Exists(Cli), $"{Cli} missing");
        using var dir = new TempDir("train-kill");
        string shards = dir["shards"];
        await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 60_000);
        string yaml = dir["train.yaml"];
        File.WriteAllText(yaml, TrainConfigFile.ToYaml(TrainFixtures.Tiny(steps: 36) with { CheckpointEvery = 6, EvalEvery = 12, EvalBatches = 2 }));
        string[] common = ["--data", shards, "--config", yaml, "--threads", "1"];

        Assert.Equal(0, await RunToEndAsync(["train", .. common, "--out", dir["whole"]]));

        // The second run kills itself with SIGKILL right after logging step 20: two steps past its checkpoint at 18, so
        // the resumed run must redo steps 19 and 20 from that checkpoint's optimizer, data and RNG state.
        Assert.Equal(137, await RunToEndAsync(["train", .. common, "--out", dir["killed"]], faultAt: "train:step=20"));
        Assert.True(File.Exists(Checkpoint.PathFor(dir["killed"], 18)));
        Assert.False(File.Exists(Checkpoint.PathFor(dir["killed"], 24)));
        var (partial, _) = MetricsLog.Read(dir["killed"]);
        Assert.Equal(20, partial.Count);
        Assert.False(File.Exists(Path.Combine(dir["killed"], "_SUCCESS.json")));

        Assert.Equal(0, await RunToEndAsync(["train", .. common, "--out", dir["killed"], "--resume"]));

        var (whole, wholeEvals) = MetricsLog.Read(dir["whole"]);
        var (resumed, resumedEvals) = MetricsLog.Read(dir["killed"]);
        Assert.Equal(36, whole.Count);
        Assert.Equal(whole.Select(s => s.Step), resumed.Select(s => s.Step));
        Assert.Equal(whole.Select(s => s.Loss), resumed.Select(s => s.Loss));
        Assert.Equal(whole.Select(s => s.Tokens), resumed.Select(s => s.Tokens));
        Assert.Equal(wholeEvals.Select(e => e.ValLoss), resumedEvals.Select(e => e.ValLoss));
        Assert.True(File.Exists(Path.Combine(dir["killed"], "_SUCCESS.json")));
    }
}
