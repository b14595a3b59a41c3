using System.Diagnostics;
using DataPipe.Tests.Support;
using DataPipe.Train;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Metrics;

namespace DataPipe.Tests.Train;

/// <summary>Issue 6: a test kills a real training process and compares the resumed loss curve with an uninterrupted one.</summary>
public class TrainProcessKillTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "datapipe.dll");

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<int> RunToEndAsync(params string[] args)
    {
        using var p = Start(args);
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

        // Kill the second run as soon as it has written its second checkpoint, so it dies in the steps after it. No
        // extra wait: on a fast machine the remaining 24 tiny steps took under 150 ms and the run had logged all 36.
        using (var p = Start(["train", .. common, "--out", dir["killed"]]))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!File.Exists(Checkpoint.PathFor(dir["killed"], 12)) && !p.HasExited && DateTime.UtcNow < deadline) await Task.Delay(5);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        var (partial, _) = MetricsLog.Read(dir["killed"]);
        Assert.InRange(partial.Count, 12, 35);

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
