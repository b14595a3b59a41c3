namespace DataPipe.Train.Metrics;

/// <summary>
/// <c>loss.png</c> beside <c>metrics.jsonl</c>: training loss of every step and validation loss of every evaluation
/// against tokens seen, with the unigram model's validation loss as a horizontal line (the bar a model must get under to
/// have learned more than token frequencies). Drawn from the metrics file, so a resumed run's plot covers every step.
/// </summary>
public static class LossPlot
{
    public const string FileName = "loss.png";

    /// <summary>Draws the plot of <paramref name="runDir"/>'s metrics; returns its path, or null when no step was logged.</summary>
    public static string? Save(string runDir, double? unigramBaseline)
    {
        var (steps, evals) = MetricsLog.Read(runDir);
        if (steps.Count == 0) return null;
        var plot = new ScottPlot.Plot();
        var train = plot.Add.ScatterLine(steps.Select(s => (double)s.Tokens).ToArray(), steps.Select(s => s.Loss).ToArray());
        train.LegendText = "train loss (batch)";

        // An evaluation happens after its step; it is drawn at that step's token count.
        var tokensAt = steps.GroupBy(s => s.Step).ToDictionary(g => g.Key, g => (double)g.Last().Tokens);
        var val = evals.Where(e => tokensAt.ContainsKey(e.Step)).ToList();
        if (val.Count > 0)
        {
            var points = plot.Add.Scatter(val.Select(e => tokensAt[e.Step]).ToArray(), val.Select(e => e.ValLoss).ToArray());
            points.LegendText = "validation loss";
            points.MarkerSize = 8;
        }
        if (unigramBaseline is double u)
        {
            var line = plot.Add.HorizontalLine(u);
            line.LegendText = $"unigram baseline (validation) {u:F3}";
            line.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.Title("GPT training: loss against tokens");
        plot.XLabel("tokens seen");
        plot.YLabel("cross-entropy (nats/token)");
        // Losses fall to the right, so the legend goes where the curves start high: the upper right is the emptiest.
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);

        string path = Path.Combine(runDir, FileName);
        string temp = path + ".tmp.png";
        plot.SavePng(temp, 900, 600);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
