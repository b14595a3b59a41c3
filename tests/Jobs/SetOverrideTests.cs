using DataPipe.Jobs.Pipeline;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Tests.Support;
using DataPipe.Train;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// <c>datapipe run --set</c> checks a stage option against its kind's schema, and <c>run</c>'s executor flags are the
/// executor section's keys: an unknown option or a bad value is refused with a message naming the --set and the key.
/// </summary>
public class SetOverrideTests
{
    private static string Pipeline(TempDir dir)
    {
        Directory.CreateDirectory(dir["shards"]);
        File.WriteAllText(dir["shards/manifest.json"], "{}");
        string file = dir["pipeline.yaml"];
        File.WriteAllText(file, $$"""
            output: out
            inputs: { shards: {{dir["shards"]}} }
            stages:
              - { name: train, kind: train, input: shards, options: { steps: 10 } }
            """);
        return file;
    }

    private static PipelineConfigException Refused(TempDir dir, params string[] sets)
        => Assert.Throws<PipelineConfigException>(() => PipelineLoader.Load(Pipeline(dir), StageKinds.BuiltIn(), sets));

    [Fact]
    public void An_unknown_stage_option_in_set_is_refused_naming_it_and_the_kinds_options()
    {
        using var dir = new TempDir("set-unknown");
        var e = Refused(dir, "stages.train.options.stepz=20");
        Assert.Contains("--set stages.train.options.stepz=20: stage 'train' (kind train) has no option 'stepz'", e.Message);
        Assert.Contains("steps", e.Message[e.Message.IndexOf("its options", StringComparison.Ordinal)..]);
        Assert.Contains("has no option 'stepz'", Refused(dir, "train.stepz=20").Message);
    }

    [Fact]
    public void A_bad_value_in_set_is_refused_naming_the_set_the_key_and_why()
    {
        using var dir = new TempDir("set-bad");
        Assert.Contains("--set train.steps=0: steps: 0 is out of range", Refused(dir, "train.steps=0").Message);
        Assert.Contains("--set stages.train.options.device=tpu: device:", Refused(dir, "stages.train.options.device=tpu").Message);
        Assert.Contains("--set train.layers=many: layers:", Refused(dir, "train.layers=many").Message);
        Assert.Contains("--set executor.workers=0: workers: 0 is out of range", Refused(dir, "executor.workers=0").Message);
    }

    [Fact]
    public async Task Set_stage_option_short_form_changes_the_stages_option()
    {
        using var dir = new TempDir("set-short");
        var def = PipelineLoader.Load(Pipeline(dir), StageKinds.BuiltIn(), ["train.steps=3", "stages.train.options.layers=2"]);
        var stage = (TrainStage)await def.Steps[0].Build(CancellationToken.None);
        Assert.Equal((3, 2), (stage.Config.Steps, stage.Config.Layers));
    }

    [Fact]
    public async Task Run_executor_flags_are_checked_as_the_executor_sections_keys()
    {
        using var dir = new TempDir("set-run-flags");
        string file = Pipeline(dir);
        var (code, _, stderr) = await JobsFixtures.CliAsync("run", file, "--workers", "0");
        Assert.NotEqual(0, code);
        Assert.Contains("workers: 0 is out of range", stderr);
        (code, _, stderr) = await JobsFixtures.CliAsync("run", file, "--executor", "cloud");
        Assert.NotEqual(0, code);
        Assert.Contains("kind:", stderr);
        Assert.Contains("cloud", stderr);
        Assert.False(Directory.Exists(dir["out/train"]));
    }
}
