using System.Globalization;
using DataPipe.Filter.Classifier;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe filter train-classifier</c> prints, within <see cref="TextWrap.Columns"/> columns: a measure/value
/// table of the model's report (examples, held-out and train AUC, precision and recall at the threshold, device,
/// seconds), then the model folder and the files in it that hold the rest (<c>report.json</c>, the histogram).
/// </summary>
public static class ClassifierReportText
{
    public static IReadOnlyList<string> Lines(ClassifierReport r, string modelDir)
    {
        static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        string threshold = r.Threshold.ToString(CultureInfo.InvariantCulture);
        var table = new TextTable().Column("measure").Column("value", right: true);
        table.Row("train examples (pos / neg)", $"{TextTable.Count(r.TrainPositives)} / {TextTable.Count(r.TrainNegatives)}");
        table.Row("held out (pos / neg)", $"{TextTable.Count(r.HoldoutPositives)} / {TextTable.Count(r.HoldoutNegatives)}");
        table.Row("held-out AUC", F(r.HoldoutAuc));
        table.Row("train AUC", F(r.TrainAuc));
        table.Row($"precision @ {threshold}", F(r.Precision));
        table.Row($"recall @ {threshold}", F(r.Recall));
        table.Row("device", r.Device);
        table.Row("training seconds", r.TrainSeconds.ToString("F2", CultureInfo.InvariantCulture));
        var lines = new List<string> { "filter train-classifier" };
        lines.AddRange(table.Lines());
        lines.AddRange(TextWrap.Wrap($"model: {modelDir} ({ModelFolder.ReportFile}, {ModelFolder.HistogramFile})"));
        return lines;
    }
}
