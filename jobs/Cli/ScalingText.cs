using System.Globalization;
using DataPipe.Train.Scaling;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe scaling</c> prints, within <see cref="TextWrap.Columns"/> columns: one row per model of the sweep
/// and the target (parameters, tokens, FLOPs, validation loss, seconds), then the fit L(C) = a·C^b + c with each
/// coefficient and its standard error on a row of its own, the sweep's compute against the target's, the predicted
/// loss with its bootstrap spread and, when the target trained, the actual loss and the relative error; then the plot.
/// </summary>
public static class ScalingText
{
    public static IReadOnlyList<string> Lines(ScalingReport r)
    {
        static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        var lines = new List<string> { "scaling sweep" };
        var points = new TextTable().Column("model").Column("params", right: true).Column("tokens", right: true)
            .Column("FLOPs", right: true).Column("val loss", right: true).Column("s", right: true);
        foreach (var p in r.Points.Append(r.Target).OfType<ScalingPoint>())
            points.Row(TextWrap.Shorten(p.Name, 20), TextTable.Count(p.Parameters), TextTable.Count(p.Tokens), F(p.Flops, "E2"), F(p.ValLoss, "F4"), TextTable.Seconds(p.Seconds));
        lines.AddRange(points.Lines());
        lines.Add("");
        lines.Add("scaling fit: L(C) = a·C^b + c");
        var fit = new TextTable().Column("measure").Column("value", right: true);
        fit.Row("a", $"{F(r.FitA, "G4")} ± {F(r.FitAStandardError, "G2")}");
        fit.Row("b", $"{F(r.FitB, "F4")} ± {F(r.FitBStandardError, "F4")}");
        fit.Row("c", $"{F(r.FitC, "F4")} ± {F(r.FitCStandardError, "F4")}");
        fit.Row("sweep span (largest / smallest compute)", F(r.SweepSpan, "F1") + "x");
        fit.Row("largest sweep / target compute", "1/" + F(1 / r.LargestSweepFraction, "F0"));
        fit.Row("whole sweep / target compute", "1/" + F(1 / r.TotalSweepFraction, "F1"));
        fit.Row("target compute", F(r.TargetFlops, "E3"));
        fit.Row("predicted loss", $"{F(r.PredictedLoss, "F4")} ± {F(r.PredictedLossStandardError, "F4")}");
        if (r.PredictedLossBootstrap is { } b)
        {
            fit.Row("bootstrap sd of the prediction", F(b.StandardDeviation, "F4"));
            fit.Row("bootstrap 90% interval", $"[{F(b.Low, "F4")}, {F(b.High, "F4")}]");
        }
        if (r.ActualLoss is double a) fit.Row("actual loss", F(a, "F4"));
        if (r.RelativeError is double e) fit.Row("relative error", F(e * 100, "F2") + " %");
        lines.AddRange(fit.Lines());
        lines.AddRange(TextWrap.Wrap("plot: " + r.Plot));
        return lines;
    }
}
