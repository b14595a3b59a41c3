using System.Globalization;
using DataPipe.Train.Ablation;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe ablate</c> prints, within <see cref="TextWrap.Columns"/> columns. The two-arm ablation
/// (<see cref="Lines"/>): one row per arm (documents used, train tokens, epochs, held-out loss, bits per byte) with the
/// arm's documents folder on the line under it, the verdict, and the plot. The seeded ablation (<see cref="SeededLines"/>):
/// one row per arm (documents, epochs, folder under it), then one row per arm and evaluation set with the mean ± std over
/// seeds of the loss and of the bits per byte, so any number of evaluation sets keeps the width.
/// </summary>
public static class AblationText
{
    public static IReadOnlyList<string> Lines(AblationReport report)
    {
        var ci = CultureInfo.InvariantCulture;
        var lines = new List<string> { "data ablation: held-out loss on curated text" };
        var table = new TextTable().Column("arm").Column("docs", right: true).Column("train tokens", right: true)
            .Column("epochs", right: true).Column("held-out loss", right: true).Column("bits/byte", right: true);
        foreach (var a in report.Arms)
        {
            table.Row(TextWrap.Shorten(a.Name, 16), TextTable.Count(a.DocumentsUsed), TextTable.Count(a.TrainTokensAvailable),
                a.Epochs.ToString(ci), a.FinalValLoss.ToString("F4", ci), a.FinalBitsPerByte.ToString("F4", ci));
            table.Note("documents: " + a.Documents);
        }
        lines.AddRange(table.Lines());
        if (report.Arms.Count >= 2)
        {
            double delta = report.Arms[1].FinalValLoss - report.Arms[0].FinalValLoss;
            lines.AddRange(TextWrap.Wrap(delta < 0
                ? string.Create(ci, $"curation helped: held-out loss {-delta:F4} nats/token lower on curated data")
                : string.Create(ci, $"curation did not help: held-out loss {delta:F4} nats/token higher on curated data")));
        }
        lines.AddRange(TextWrap.Wrap("plot: " + report.Plot));
        return lines;
    }

    public static IReadOnlyList<string> SeededLines(SeededAblationReport report, string reportPath)
    {
        var ci = CultureInfo.InvariantCulture;
        int seeds = report.Summary.Select(s => s.Seeds).DefaultIfEmpty(0).Max();
        var lines = new List<string>();
        lines.AddRange(TextWrap.Wrap(string.Create(ci, $"data ablation: {report.TokensPerArm:N0} tokens per run, {seeds} seed(s); mean ± std over seeds")));
        var arms = new TextTable().Column("arm").Column("docs", right: true).Column("epochs", right: true);
        foreach (var arm in report.Arms)
        {
            arms.Row(TextWrap.Shorten(arm.Arm, 30), TextTable.Count(arm.DocumentsUsed), arm.Epochs.ToString("F2", ci));
            arms.Note("documents: " + arm.Documents);
        }
        lines.AddRange(arms.Lines());
        lines.Add("");
        var scores = new TextTable().Column("arm").Column("eval set").Column("loss", right: true).Column("bits/byte", right: true);
        foreach (var arm in report.Arms)
            foreach (var set in report.EvalSets)
                if (report.Summary.FirstOrDefault(x => x.Arm == arm.Arm && x.EvalSet == set.Name) is { } s)
                    scores.Row(TextWrap.Shorten(arm.Arm, 20), TextWrap.Shorten(set.Name, 20),
                        string.Create(ci, $"{s.MeanLoss:F4} ± {s.StdLoss:F4}"), string.Create(ci, $"{s.MeanBitsPerByte:F4} ± {s.StdBitsPerByte:F4}"));
        lines.AddRange(scores.Lines());
        lines.AddRange(TextWrap.Wrap("report: " + reportPath));
        lines.AddRange(TextWrap.Wrap("plot: " + report.Plot));
        return lines;
    }
}
