using System.Globalization;
using DataPipe.Jobs.Execution;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// The run summary <c>datapipe run</c> prints, as plain lines that fit <see cref="TextWrap.Columns"/> columns in a
/// terminal and in a log file: a table of the steps (tasks, rows in and out, tokens, seconds), each drop reason on its
/// own line under its step (exact counts), then each kind's sentences (classifier AUC, GPT losses, the loss plot, a generated sample)
/// wrapped at spaces, then where the summary and the run record were written, each path on a line of its own.
/// </summary>
public static class RunSummaryText
{
    public static IReadOnlyList<string> Lines(PipelineSummary summary, double seconds, string summaryPath, string recordPath)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var lines = new List<string>();
        lines.AddRange(TextWrap.Wrap($"pipeline {summary.Pipeline} ({summary.Executor})"));
        var table = new TextTable().Column("step").Column("tasks", right: true).Column("rows in", right: true)
            .Column("rows out", right: true).Column("tokens", right: true).Column("seconds", right: true);
        // Counts right-aligned to the widest count of the run, so the reasons start in one column.
        int countWidth = summary.Steps.SelectMany(st => st.Dropped.Values).Select(v => N(v).Length).DefaultIfEmpty(0).Max();
        foreach (var s in summary.Steps)
        {
            table.Row(s.Step, s.Tasks.ToString(CultureInfo.InvariantCulture), TextTable.Count(s.RowsIn), TextTable.Count(s.RowsOut), s.Tokens is long tk ? TextTable.Count(tk) : "",
                s.Reused ? "reused" : TextTable.Seconds(s.Seconds));
            // Each reason on its own line under its step: "dropped." is implied; "skipped." stays (records a stage
            // could not read, not a decision about them).
            foreach (var (reason, count) in s.Dropped)
                table.Note($"{N(count).PadLeft(countWidth)} {(reason.StartsWith("dropped.", StringComparison.Ordinal) ? "dropped " + reason["dropped.".Length..] : reason)}");
        }
        lines.AddRange(table.Lines());
        foreach (var line in summary.Steps.SelectMany(st => st.Lines)) lines.AddRange(TextWrap.Wrap(line));
        lines.Add($"pipeline finished in {seconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        lines.AddRange(TextWrap.Wrap("summary: " + summaryPath));
        lines.AddRange(TextWrap.Wrap("record: " + recordPath));
        return lines;
    }
}
