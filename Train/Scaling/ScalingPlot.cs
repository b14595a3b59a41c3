namespace DataPipe.Train.Scaling;

/// <summary>The log-log picture of a scaling sweep (ScottPlot): sweep points, the fitted law, the prediction with its
/// ±1 standard error, and the target's actual loss. Axes are log10 of FLOPs and of validation loss.</summary>
public static class ScalingPlot
{
    public static void Save(ScalingReport report, PowerLawFit fit, string path)
    {
        var plot = new ScottPlot.Plot();
        double[] xs = report.Points.Select(p => Math.Log10(p.Flops)).ToArray();
        double[] ys = report.Points.Select(p => Math.Log10(p.ValLoss)).ToArray();
        var sweep = plot.Add.ScatterPoints(xs, ys);
        sweep.LegendText = "sweep (final validation loss)";
        sweep.MarkerSize = 9;

        double lo = report.Points.Min(p => p.Flops) / 1.5;
        double hi = report.TargetFlops * 1.5;
        const int n = 120;
        var fx = new double[n];
        var fy = new double[n];
        for (int i = 0; i < n; i++)
        {
            double c = lo * Math.Pow(hi / lo, i / (double)(n - 1));
            fx[i] = Math.Log10(c);
            fy[i] = Math.Log10(fit.Predict(c));
        }
        var law = plot.Add.ScatterLine(fx, fy);
        law.LegendText = $"fit L = {report.FitA:G3}·C^{report.FitB:F3} + {report.FitC:F3}";

        double tx = Math.Log10(report.TargetFlops);
        var predicted = plot.Add.ScatterPoints(new[] { tx }, new[] { Math.Log10(report.PredictedLoss) });
        predicted.LegendText = $"predicted {report.PredictedLoss:F3} ± {report.PredictedLossStandardError:F3}";
        predicted.MarkerSize = 11;
        double se = report.PredictedLossStandardError;
        if (se > 0 && report.PredictedLoss - se > 0)
            plot.Add.Line(tx, Math.Log10(report.PredictedLoss - se), tx, Math.Log10(report.PredictedLoss + se));
        if (report.ActualLoss is { } actual)
        {
            var target = plot.Add.ScatterPoints(new[] { tx }, new[] { Math.Log10(actual) });
            target.LegendText = $"target actual {actual:F3}";
            target.MarkerSize = 11;
            target.MarkerShape = ScottPlot.MarkerShape.OpenSquare;
        }
        plot.Title("Predictable scaling: L(C) = a·C^b + c");
        plot.XLabel("log10 compute (6·params·tokens FLOPs)");
        plot.YLabel("log10 validation loss (nats/token)");
        // Loss falls with compute, so the upper right is empty: the legend goes there, never over the target's points
        // (bottom right); the axes get a margin so the target is not drawn on the frame.
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        double ymin = Math.Min(ys.Min(), Math.Log10(Math.Min(report.PredictedLoss - Math.Max(0, se), report.ActualLoss ?? double.MaxValue)));
        double ymax = ys.Max();
        double span = Math.Max(1e-3, ymax - ymin);
        plot.Axes.SetLimits(fx[0] - 0.1, fx[^1] + 0.25, ymin - 0.15 * span, ymax + 0.6 * span);

        string temp = path + ".tmp.png";
        plot.SavePng(temp, 900, 600);
        File.Move(temp, path, overwrite: true);
    }
}
