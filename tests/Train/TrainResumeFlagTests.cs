using DataPipe.Core.Faults;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;
using DataPipe.Train;
using DataPipe.Train.Checkpoints;

namespace DataPipe.Tests.Train;

/// <summary>
/// <c>datapipe train</c> hands its train stage <c>resume: false</c> unless <c>--resume</c> is given (a pipeline always
/// resumes): a folder holding an unfinished run is then an error, not a silent continuation.
/// </summary>
public class TrainResumeFlagTests
{
    [Fact]
    public async Task Train_without_resume_refuses_a_folder_holding_an_unfinished_run_and_leaves_its_checkpoint()
    {
        using var dir = new TempDir("train-resume-flag");
        string shards = dir["shards"];
        await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 30_000);
        string yaml = dir["train.yaml"];
        File.WriteAllText(yaml, TrainConfigFile.ToYaml(TrainFixtures.Tiny(steps: 12) with { CheckpointEvery = 3, EvalEvery = 12, EvalBatches = 1 }));
        string[] args = ["train", "--data", shards, "--config", yaml, "--threads", "1", "--out", dir["run"]];

        // The run kills itself with SIGKILL after step 5, past its checkpoint at step 3.
        var (killed, _, _) = await JobsFixtures.CliAsync(new Dictionary<string, string> { [FaultPoint.Variable] = "train:step=5" }, args);
        Assert.Equal(137, killed);
        Assert.True(File.Exists(Checkpoint.PathFor(dir["run"], 3)));

        var (code, stdout, stderr) = await JobsFixtures.CliAsync(args);
        Assert.NotEqual(0, code);
        Assert.Contains("--resume", stderr + stdout);
        Assert.True(File.Exists(Checkpoint.PathFor(dir["run"], 3)), "the refused run removed the checkpoint it refused to continue");
        Assert.False(File.Exists(Path.Combine(dir["run"], "_SUCCESS.json")));
    }
}
