using DataPipe.Core.Errors;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;
using DataPipe.Train;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Metrics;

namespace DataPipe.Tests.Train;

public class GptTrainerTests
{
    [Fact]
    public async Task Loss_on_real_text_falls_from_chance_to_the_unigram_level_and_validation_loss_follows()
    {
        // Falling well below the unigram entropy takes longer than a unit test may run: bench train-learning measures it.
        using var dir = new TempDir("train");
        string shards = dir["shards"];
        var m = await TrainFixtures.ShakespeareShardsAsync(shards);
        var config = TrainFixtures.Tiny(steps: 60) with { Lr = 1e-2, MinLr = 1e-3, EvalEvery = 30, EvalBatches = 8, SamplePrompt = "ROMEO:", SampleTokens = 30 };
        var result = await GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config));

        double unigram = await UnigramEntropyAsync(shards, m);
        var steps = result.StepMetrics;
        Assert.Equal(60, steps.Count);
        Assert.Equal(Math.Log(257), steps[0].Loss, 0.3);
        double lastTen = steps.TakeLast(10).Average(s => s.Loss);
        Assert.True(lastTen < unigram + 0.15, $"train loss {lastTen:F3} vs unigram entropy {unigram:F3} nats (chance: {Math.Log(257):F3})");
        Assert.Equal(2, result.EvalMetrics.Count);
        var eval = result.EvalMetrics[^1];
        Assert.True(eval.ValLoss < unigram + 0.15, $"val loss {eval.ValLoss:F3} vs unigram entropy {unigram:F3} nats");
        Assert.True(eval.ValLoss < result.EvalMetrics[0].ValLoss);
        Assert.False(string.IsNullOrEmpty(eval.Sample));
        // The result records the validation loss of the training split's unigram model (add-½ smoothing), the bar the
        // validation loss is judged against; on this much text it sits just above the validation split's own entropy.
        double baseline = await UnigramCrossEntropyAsync(shards, m);
        Assert.Equal(baseline, result.UnigramBaselineLoss!.Value, 9);
        Assert.InRange(baseline - await UnigramEntropyAsync(shards, m, "validation"), 0, 0.05);

        // The same rows are in metrics.jsonl, and the summary and final checkpoint exist.
        var (logged, evals) = MetricsLog.Read(dir["run"]);
        Assert.Equal(steps.Select(s => s.Loss), logged.Select(s => s.Loss));
        Assert.Equal(2, evals.Count);
        Assert.True(File.Exists(Path.Combine(dir["run"], GptTrainer.SummaryFile)));
        Assert.Equal(Checkpoint.PathFor(dir["run"], 60), result.Checkpoint);
    }

    [Fact]
    public async Task Eval_rows_relate_loss_perplexity_and_bits_per_byte()
    {
        using var dir = new TempDir("train");
        string shards = dir["shards"];
        await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 60_000);
        var result = await GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], TrainFixtures.Tiny(steps: 3) with { EvalBatches = 2 }));
        var e = Assert.Single(result.EvalMetrics);
        Assert.Equal(Math.Exp(e.ValLoss), e.Perplexity, 1e-9);
        Assert.Equal(2 * 8 * 64, e.ValTokens);
        // Byte tokens: every target is one byte except end-of-text, which decodes to nothing.
        Assert.InRange(e.ValBytes, e.ValTokens - 60, e.ValTokens - 1);
        Assert.Equal(e.ValLoss * e.ValTokens / Math.Log(2) / e.ValBytes, e.BitsPerByte, 1e-9);
    }

    [Fact]
    public async Task A_run_stopped_and_resumed_in_process_has_the_losses_of_the_uninterrupted_run()
    {
        using var dir = new TempDir("train");
        string shards = dir["shards"];
        await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 60_000);
        var config = TrainFixtures.Tiny(steps: 16) with { CheckpointEvery = 4, BatchTokens = 2 * 8 * 64, EvalEvery = 8, EvalBatches = 2 };
        var whole = await GptTrainer.RunAsync(new TrainRequest(shards, dir["a"], config));
        var first = await GptTrainer.RunAsync(new TrainRequest(shards, dir["b"], config) { StopAfter = 7 });
        Assert.Equal(7, first.Steps);
        var rest = await GptTrainer.RunAsync(new TrainRequest(shards, dir["b"], config) { Resume = true });
        Assert.Equal(7, rest.ResumedFrom);
        Assert.Equal(whole.StepMetrics.Select(s => s.Loss), rest.StepMetrics.Select(s => s.Loss));
        Assert.Equal(whole.StepMetrics.Select(s => s.GradNorm), rest.StepMetrics.Select(s => s.GradNorm));
        Assert.Equal(whole.EvalMetrics.Select(s => s.ValLoss), rest.EvalMetrics.Select(s => s.ValLoss));
        Assert.Equal(2 * 8 * 64 * 16L, rest.Tokens);
    }

    [Fact]
    public async Task A_checkpoint_cut_off_mid_write_is_invisible_and_a_damaged_one_is_refused_by_name()
    {
        using var dir = new TempDir("train");
        string shards = dir["shards"];
        await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 60_000);
        var config = TrainFixtures.Tiny(steps: 20);
        await GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config) { StopAfter = 10 });
        string good = Assert.Single(Checkpoint.List(dir["run"]));

        // A write killed before its rename leaves only a hidden temp file, which is never taken for a checkpoint.
        string ckptDir = Path.GetDirectoryName(good)!;
        File.WriteAllBytes(Path.Combine(ckptDir, ".step-00000020.ckpt.0123.tmp"), new byte[100]);
        Assert.Equal(good, Checkpoint.Latest(dir["run"]));
        Assert.Equal(10, Checkpoint.ReadHeader(good).Step);

        // One flipped byte in the parameters is caught by the checksum.
        var bytes = File.ReadAllBytes(good);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(good, bytes);
        var e = await Assert.ThrowsAsync<DataPipeException>(() => GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config) { Resume = true }));
        Assert.Contains(good, e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public async Task Resuming_with_another_tokenizer_a_longer_context_or_without_resume_is_refused()
    {
        using var dir = new TempDir("train");
        string shards = dir["shards"];
        var m = await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 60_000);
        var config = TrainFixtures.Tiny(steps: 4);
        await GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config));

        var again = await Assert.ThrowsAsync<DataPipeException>(() => GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config)));
        Assert.Contains("--resume", again.Message);

        var longer = await Assert.ThrowsAsync<DataPipeException>(() => GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config with { Context = 128 }) { Resume = true }));
        Assert.Contains("context 128 is longer than the checkpoint model's context 64", longer.Message);

        // Same shards, but the manifest claims another vocabulary: the catalog refuses it before training starts.
        (m with { Tokenizer = m.Tokenizer with { Name = "other", VocabHash = "0123" } }).Save(shards);
        var other = await Assert.ThrowsAsync<DataPipeException>(() => GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config) { Resume = true }));
        Assert.Contains("0123", other.Message);
    }

    [Fact]
    public async Task A_diverging_run_stops_naming_the_step_and_the_last_good_checkpoint()
    {
        using var dir = new TempDir("train");
        string shards = dir["shards"];
        await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 60_000);
        var config = TrainFixtures.Tiny(steps: 40) with { Lr = 1e30, MinLr = 1e30, WarmupSteps = 0, CheckpointEvery = 1, GradClip = 0 };
        var e = await Assert.ThrowsAsync<DataPipeException>(() => GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config)));
        Assert.Matches(@"loss is (NaN|∞|-?Infinity) at step \d+; the last good checkpoint is .*step-\d{8}\.ckpt", e.Message);
    }

    [Fact]
    public void A_yaml_config_round_trips_and_an_unknown_key_or_bad_value_is_named()
    {
        using var dir = new TempDir("train-config");
        var c = TrainFixtures.Tiny() with { SamplePrompt = "To be", Beta2 = 0.99, TopK = 7 };
        File.WriteAllText(dir["written.yaml"], TrainConfigFile.ToYaml(c));
        Assert.Equal(c, DataPipe.Jobs.Pipeline.Kinds.TrainKind.Schema.ReadFile(dir["written.yaml"], new TrainConfig()));
        File.WriteAllText(dir["short.yaml"], "layers: 6\nwidth: 384\nheads: 6\n");
        Assert.Equal(6, DataPipe.Jobs.Pipeline.Kinds.TrainKind.Schema.ReadFile(dir["short.yaml"], new TrainConfig()).Layers);
        File.WriteAllText(dir["t.yaml"], "layers: 2\nlayerz: 3\n");
        var unknown = Assert.ThrowsAny<DataPipeException>(() => DataPipe.Jobs.Pipeline.Kinds.TrainKind.Schema.ReadFile(dir["t.yaml"], new TrainConfig()));
        Assert.Contains("t.yaml:2", unknown.Message);
        Assert.Contains("layerz", unknown.Message);
        File.WriteAllText(dir["range.yaml"], "layers: 0\n");
        var range = Assert.ThrowsAny<DataPipeException>(() => DataPipe.Jobs.Pipeline.Kinds.TrainKind.Schema.ReadFile(dir["range.yaml"], new TrainConfig()));
        Assert.Contains("layers: 0 is out of range", range.Message);
        File.WriteAllText(dir["bad.yaml"], "width: 100\nheads: 3\n");
        var bad = Assert.Throws<DataPipeException>(() => DataPipe.Jobs.Pipeline.Kinds.TrainKind.Schema.ReadFile(dir["bad.yaml"], new TrainConfig()).Validate());
        Assert.Contains("width (100) must be a positive multiple of heads (3)", bad.Message);
    }

    private static async Task<double> UnigramCrossEntropyAsync(string shards, TokenManifest m)
    {
        var train = new double[m.Tokenizer.VocabSize];
        double n = 0;
        foreach (var shard in m.ShardsOf("train"))
            await foreach (var row in TokenShardReader.ReadAsync(Path.Combine(shards, shard.File)))
                foreach (int t in row.Tokens) { train[t]++; n++; }
        double sum = 0, count = 0;
        foreach (var shard in m.ShardsOf("validation"))
            await foreach (var row in TokenShardReader.ReadAsync(Path.Combine(shards, shard.File)))
                foreach (int t in row.Tokens) { sum -= Math.Log((train[t] + 0.5) / (n + 0.5 * train.Length)); count++; }
        return sum / count;
    }

    internal static async Task<double> UnigramEntropyAsync(string shards, TokenManifest m, string split = "train")
    {
        var counts = new long[m.Tokenizer.VocabSize];
        long n = 0;
        foreach (var shard in m.ShardsOf(split))
            await foreach (var row in TokenShardReader.ReadAsync(Path.Combine(shards, shard.File)))
                foreach (int t in row.Tokens) { counts[t]++; n++; }
        return -counts.Where(c => c > 0).Sum(c => (double)c / n * Math.Log((double)c / n));
    }
}
