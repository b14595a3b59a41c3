using ScottPlot;

namespace DataPipe.Filter.Classifier;

/// <summary><c>report.json</c> of a classifier folder: how well it separates positives from negatives it never trained on.</summary>
public sealed record ClassifierReport
{
    public double HoldoutAuc { get; init; }
    public double TrainAuc { get; init; }
    public float Threshold { get; init; }
    public double Precision { get; init; }
    public double Recall { get; init; }
    public long TrainPositives { get; init; }
    public long TrainNegatives { get; init; }
    public long HoldoutPositives { get; init; }
    public long HoldoutNegatives { get; init; }
    public string Device { get; init; } = "";
    public int Epochs { get; init; }
    public double TrainSeconds { get; init; }
    public IReadOnlyList<double> EpochLosses { get; init; } = [];

    /// <summary>Bin edges of the histograms (bins + 1 values over [0, 1]).</summary>
    public IReadOnlyList<double> HistogramEdges { get; init; } = [];

    /// <summary>Held-out positives per score bin.</summary>
    public IReadOnlyList<long> PositiveHistogram { get; init; } = [];

    /// <summary>Held-out negatives per score bin.</summary>
    public IReadOnlyList<long> NegativeHistogram { get; init; } = [];

    /// <summary>Draws the two held-out histograms side by side in each bin (share of each class, so unequal class sizes compare).</summary>
    public void SaveHistogramPng(string path)
    {
        int bins = PositiveHistogram.Count;
        double width = 1.0 / bins;
        long posTotal = Math.Max(1, PositiveHistogram.Sum());
        long negTotal = Math.Max(1, NegativeHistogram.Sum());
        var plot = new Plot();
        var pos = new List<Bar>();
        var neg = new List<Bar>();
        for (int b = 0; b < bins; b++)
        {
            double left = b * width;
            neg.Add(new Bar { Position = left + width * 0.3, Value = (double)NegativeHistogram[b] / negTotal, Size = width * 0.4, FillColor = Colors.OrangeRed });
            pos.Add(new Bar { Position = left + width * 0.7, Value = (double)PositiveHistogram[b] / posTotal, Size = width * 0.4, FillColor = Colors.SteelBlue });
        }
        var negBars = plot.Add.Bars(neg);
        negBars.LegendText = $"negatives ({negTotal})";
        var posBars = plot.Add.Bars(pos);
        posBars.LegendText = $"positives ({posTotal})";
        plot.ShowLegend(Alignment.UpperCenter);
        plot.Title($"Held-out quality scores (AUC {HoldoutAuc:F3})");
        plot.XLabel("quality_score (P(curated))");
        plot.YLabel("share of the class");
        plot.Axes.SetLimitsX(0, 1);
        plot.SavePng(path, 900, 500);
    }
}
