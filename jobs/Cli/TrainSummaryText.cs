using System.Globalization;
using DataPipe.Train;
using DataPipe.Train.Metrics;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe train</c> prints when the run ends, within <see cref="TextWrap.Columns"/> columns: a measure/value
/// table (device, parameters, steps, tokens, final train and validation loss, bits per byte, the unigram baseline,
/// throughput, seconds), then the checkpoint, <c>metrics.jsonl</c> and <c>loss.png</c>, each path wrapped onto a line
/// of its own when it does not fit after its label. The numbers are also in the run's <c>train.json</c>.
/// </summary>
public static class TrainSummaryText
{
    /// <param name="lossPlotExists">Whether <c>loss.png</c> was drawn (not when no step was logged).</param>
    public static IReadOnlyList<string> Lines(TrainResult r, string runDir, bool lossPlotExists)
    {
        static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        var table = new TextTable().Column("measure").Column("value", right: true);
        table.Row("device", r.Device);
        table.Row("parameters", r.Parameters.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("steps", r.ResumedFrom > 0 ? $"{r.Steps} (resumed at {r.ResumedFrom})" : r.Steps.ToString(CultureInfo.InvariantCulture));
        table.Row("tokens", r.Tokens.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("final train loss", F(r.FinalLoss, "F4"));
        if (r.FinalValLoss is double v) table.Row("final val loss", F(v, "F4"));
        if (r.FinalBitsPerByte is double bpb) table.Row("val bits per byte", F(bpb, "F4"));
        if (r.UnigramBaselineLoss is double u) table.Row("unigram baseline loss", F(u, "F4"));
        table.Row("tokens / s", F(r.TokensPerSecond, "N0"));
        table.Row("seconds", F(r.Seconds, "F1"));
        var lines = new List<string> { "train" };
        lines.AddRange(table.Lines());
        lines.AddRange(TextWrap.Wrap("checkpoint: " + r.Checkpoint));
        lines.AddRange(TextWrap.Wrap("metrics: " + Path.Combine(runDir, MetricsLog.FileName)));
        if (lossPlotExists) lines.AddRange(TextWrap.Wrap("loss plot: " + Path.Combine(runDir, LossPlot.FileName)));
        return lines;
    }

    /// <summary>
    /// The progress line of a step, within <see cref="TextWrap.Columns"/> columns (wrapped under itself in the rare case
    /// it is longer: six-digit step counts with MFU).
    /// </summary>
    public static IReadOnlyList<string> StepLines(StepMetric row, int steps) => TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
        $"[train] step {row.Step}/{steps} loss {row.Loss:F4} lr {row.Lr:0.00e+0} grad_norm {row.GradNorm:F3} {row.TokensPerSecond:N0} tok/s{(row.Mfu is double m ? $" mfu {m:P1}" : "")}"));

    /// <summary>An evaluation's line, then its generated sample (line breaks as spaces) wrapped under "[sample]".</summary>
    public static IReadOnlyList<string> EvalLines(EvalMetric row)
    {
        var lines = new List<string>(TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
            $"[eval] step {row.Step} val_loss {row.ValLoss:F4} perplexity {row.Perplexity:F2} bits/byte {row.BitsPerByte:F4}")));
        if (row.Sample is { Length: > 0 } s) lines.AddRange(TextWrap.Wrap($"[sample] {s.ReplaceLineEndings(" ")}"));
        return lines;
    }
}
