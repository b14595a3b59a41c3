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
    public void Fit_with_fewer_than_four_distinct_budgets_is_refused_with_a_clear_error()
    {
        var e = Assert.Throws<DataPipeException>(() => PowerLawFit.Fit([1e9, 1e9, 2e9, 4e9], [3.0, 3.0, 2.9, 2.8]));
        Assert.Contains("at least 4 points", e.Message);
    }

    [Fact]
    public void Model_size_parses_layers_by_width_and_rejects_garbage()
    {
        Assert.Equal(new ModelSize(2, 64), ModelSize.Parse("2x64"));
        Assert.Equal(2, ModelSize.Parse("1x64").Heads);
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
}
