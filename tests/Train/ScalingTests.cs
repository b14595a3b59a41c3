using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Tests.Support;
using DataPipe.Train.Scaling;

namespace DataPipe.Tests.Train;

public class ScalingTests
{
    [Fact]
    public void Power_law_fit_recovers_known_parameters_and_predicts_thirty_times_beyond_the_sweep()
    {
        // L(C) = 40·C^-0.12 + 1.7 over 1e9..3e10 FLOPs, with ±0.2% deterministic noise.
        double[] compute = [1e9, 2.3e9, 5.4e9, 1.25e10, 3e10];
        double[] noise = [0.002, -0.0015, 0.001, -0.002, 0.0005];
        double Law(double c) => 40 * Math.Pow(c, -0.12) + 1.7;
        var loss = compute.Select((c, i) => Law(c) * (1 + noise[i])).ToArray();

        var fit = PowerLawFit.Fit(compute, loss);

        Assert.InRange(fit.B, -0.2, -0.07);
        double target = 9e11;
        double predicted = fit.Predict(target);
        Assert.True(Math.Abs(predicted - Law(target)) / Law(target) < 0.03, $"predicted {predicted:F4} vs true {Law(target):F4}");
        Assert.True(fit.PredictionStandardError(target) > 0);
        Assert.True(fit.PredictionStandardError(target) > fit.PredictionStandardError(compute[2]), "uncertainty grows with extrapolation");
        foreach (var (c, l) in compute.Zip(loss)) Assert.Equal(l, fit.Predict(c), 0.02);
    }

    [Fact]
    public void Bootstrap_interval_of_the_prediction_covers_the_true_law_and_repeats_with_its_seed()
    {
        // L(C) = 40·C^-0.12 + 1.7 with ±0.4% deterministic noise; the target is 30x the largest point.
        double[] compute = [1e9, 2.3e9, 5.4e9, 1.25e10, 3e10];
        double[] noise = [0.004, -0.003, 0.002, -0.004, 0.001];
        double Law(double c) => 40 * Math.Pow(c, -0.12) + 1.7;
        var loss = compute.Select((c, i) => Law(c) * (1 + noise[i])).ToArray();
        double target = 9e11;

        var bootstrap = PowerLawFit.Bootstrap(compute, loss, target, draws: 200, seed: 7);

        Assert.True(bootstrap.Draws + bootstrap.Failed == 200);
        Assert.True(bootstrap.Draws >= 150, $"{bootstrap.Failed} of 200 refits failed");
        Assert.True(bootstrap.StandardDeviation > 0);
        Assert.True(bootstrap.Low <= bootstrap.Median && bootstrap.Median <= bootstrap.High);
        Assert.InRange(Law(target), bootstrap.Low - 0.05, bootstrap.High + 0.05);
        Assert.Equal(bootstrap, PowerLawFit.Bootstrap(compute, loss, target, draws: 200, seed: 7));
    }

    [Fact]
    public void Bootstrap_of_points_exactly_on_a_law_has_no_spread()
    {
        double[] compute = [1e9, 2.3e9, 5.4e9, 1.25e10, 3e10];
        var loss = compute.Select(c => 40 * Math.Pow(c, -0.12) + 1.7).ToArray();

        var bootstrap = PowerLawFit.Bootstrap(compute, loss, 9e11, draws: 50, seed: 1);

        Assert.True(bootstrap.StandardDeviation < 1e-3, $"sd {bootstrap.StandardDeviation}");
    }

    [Fact]
    public void Sweep_shapes_cut_attention_into_eight_wide_heads_or_four_wide_where_eight_does_not_divide()
    {
        Assert.Equal([2, 3, 4, 5, 6, 11], new[] { 16, 24, 32, 40, 48, 88 }.Select(w => new ModelSize(2, w).Heads));
        Assert.Equal([3, 5, 7], new[] { 12, 20, 28 }.Select(w => new ModelSize(4, w).Heads));
        Assert.Equal(1, new ModelSize(1, 18).Heads);
    }

    [Fact]
    public void Fit_with_fewer_than_four_distinct_budgets_is_refused_with_a_clear_error()
    {
        var e = Assert.Throws<DataPipeException>(() => PowerLawFit.Fit([1e9, 1e9, 2e9, 4e9], [3.0, 3.0, 2.9, 2.8]));
        Assert.Contains("at least 4 points", e.Message);
    }

    [Fact]
    public void Model_size_parses_layers_by_width_and_rejects_garbage()
    {
        Assert.Equal(new ModelSize(2, 64), ModelSize.Parse("2x64"));
        Assert.Equal(8, ModelSize.Parse("1x64").Heads);
        Assert.Throws<DataPipeException>(() => ModelSize.Parse("64"));
    }

    [Fact]
    public async Task Sweep_of_five_budgets_spanning_thirty_x_below_a_thirtieth_of_the_target_predicts_the_target_loss()
    {
        using var dir = new TempDir("scaling");
        await TrainFixtures.ShakespeareShardsAsync(dir["shards"]);
        var options = new ScalingOptions
        {
            Data = dir["shards"],
            Out = dir["report"],
            Target = TrainFixtures.Tiny(steps: 240) with { CheckpointEvery = 0 },
            Sizes = [new(1, 16), new(1, 24), new(1, 32), new(2, 32), new(2, 48)],
            MinSteps = 1,
        };

        var report = await ScalingSweep.RunAsync(options);

        Assert.Equal(5, report.Points.Count);
        Assert.True(report.SweepSpan > 20, $"span {report.SweepSpan:F1}x");
        Assert.True(report.LargestSweepFraction < 1.0 / 25, $"largest sweep point uses {report.LargestSweepFraction:P1} of the target's compute");
        Assert.True(report.FitB < 0);
        Assert.NotNull(report.ActualLoss);
        Assert.True(report.PredictedLoss < report.Points[0].ValLoss, "the law extrapolates below the smallest model's loss");
        Assert.True(Math.Abs(report.RelativeError!.Value) < 0.5, $"predicted {report.PredictedLoss:F3} vs actual {report.ActualLoss:F3}");
        Assert.True(new FileInfo(Path.Combine(dir["report"], ScalingSweep.PlotFile)).Length > 1000);
        var saved = JsonSerializer.Deserialize<ScalingReport>(File.ReadAllText(Path.Combine(dir["report"], ScalingSweep.ReportFile)), DataPipeJson.Options)!;
        Assert.Equal(report.PredictedLoss, saved.PredictedLoss);
        Assert.Equal(6.0 * saved.Points[0].Parameters * saved.Points[0].Tokens, saved.Points[0].Flops);
    }

    [Fact]
    public async Task Recipe_ties_each_models_tokens_to_its_parameters_with_its_own_warmup_and_eight_wide_heads()
    {
        using var dir = new TempDir("scaling-recipe");
        await TrainFixtures.ShakespeareShardsAsync(dir["shards"]);
        var options = new ScalingOptions
        {
            Data = dir["shards"],
            Out = dir["report"],
            Target = TrainFixtures.Tiny() with { Layers = 2, Width = 32, Heads = 1, Dropout = 0.1, CheckpointEvery = 0 },
            Sizes = [new(1, 8), new(1, 16), new(1, 24), new(2, 16), new(2, 24)],
            TokensPerParameter = 2,
        };
        long tokensPerStep = options.Target.TokensPerStep;

        var report = await ScalingSweep.RunAsync(options);

        foreach (var p in report.Points.Append(report.Target!))
        {
            Assert.InRange(p.Tokens, 2 * p.Parameters - tokensPerStep / 2, 2 * p.Parameters + tokensPerStep / 2);
            Assert.Equal(p.Width / ModelSize.HeadWidth, p.Heads);
            var yaml = File.ReadAllText(Path.Combine(dir["report"], "runs", p.Name, "train.yaml"));
            Assert.Contains($"warmup_steps: {Math.Max(1, p.Steps / 10)}\n", yaml);
            Assert.Contains("dropout: 0\n", yaml);
        }
        Assert.Equal(4, report.Target!.Heads);
        Assert.NotNull(report.PredictedLossBootstrap);

        // A second sweep against the same out folder reads the finished target instead of training it again.
        string targetRun = Path.Combine(dir["report"], "runs", report.Target.Name);
        string checkpoint = Directory.GetFiles(Path.Combine(targetRun, "checkpoints")).Single();
        var written = File.GetLastWriteTimeUtc(checkpoint);
        var again = await ScalingSweep.RunAsync(options with { Sizes = [new(1, 8), new(1, 16), new(2, 8), new(2, 16), new(2, 24)] });
        Assert.Equal(report.Target.ValLoss, again.Target!.ValLoss);
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));

        // Fewer evaluation batches do not change training: the same checkpoint is evaluated again on them.
        var fewer = await ScalingSweep.RunAsync(options with { Target = options.Target with { EvalBatches = 2 } });
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
        Assert.NotEqual(report.Target.ValLoss, fewer.Target!.ValLoss);
        Assert.InRange(fewer.Target.ValLoss, report.Target.ValLoss - 0.5, report.Target.ValLoss + 0.5);

        // A different recipe (another learning rate) is a different target: it trains afresh.
        var other = await ScalingSweep.RunAsync(options with { Target = options.Target with { Lr = options.Target.Lr / 2 } });
        Assert.NotEqual(report.Target.ValLoss, other.Target!.ValLoss);
    }

    [Fact]
    public async Task Recipe_that_would_leave_the_first_epoch_is_refused_before_anything_trains()
    {
        using var dir = new TempDir("scaling-epoch");
        await TrainFixtures.ShakespeareShardsAsync(dir["shards"]);
        var options = new ScalingOptions
        {
            Data = dir["shards"],
            Out = dir["report"],
            Target = TrainFixtures.Tiny() with { CheckpointEvery = 0 },
            Sizes = [new(1, 8), new(1, 16), new(1, 24), new(2, 16), new(2, 24)],
            TokensPerParameter = 50,
        };

        var e = await Assert.ThrowsAsync<DataPipeException>(() => ScalingSweep.RunAsync(options));

        Assert.Contains("first epoch", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir["report"], "runs")));
    }
}
