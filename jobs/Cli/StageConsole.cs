using System.Globalization;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using Spectre.Console;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// Runs stages for the CLI: a live progress bar per stage (work done, rows, rate), then a plain summary table of rows
/// in/out, time and every counter (<see cref="SummaryLines"/>). The same numbers are in the stage's <c>_SUCCESS.json</c>.
/// </summary>
public static class StageConsole
{
    public static async Task<StageResult> RunAsync(IStage stage, string outputDir, StageRunOptions options, CancellationToken ct)
    {
        var executor = new LocalStageExecutor();
        StageResult? result = null;
        if (DataPipeCli.Interactive)
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async pctx =>
                {
                    using var observer = new ProgressObserver(pctx);
                    result = await executor.RunAsync(stage, outputDir, options with { Observer = observer }, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        else
        {
            using var observer = new LineObserver();
            result = await executor.RunAsync(stage, outputDir, options with { Observer = observer }, ct).ConfigureAwait(false);
        }
        PrintSummary(result!);
        return result!;
    }

    public static void PrintSummary(StageResult r)
    {
        foreach (var line in SummaryLines(r)) Console.WriteLine(line);
    }

    /// <summary>
    /// A stage's summary as plain lines within <see cref="TextWrap.Columns"/> columns, for a terminal and a log file
    /// alike: its name, a measure/value table (tasks, rows in and out, time, rate, every counter) and where
    /// <c>_SUCCESS.json</c> is.
    /// </summary>
    public static IReadOnlyList<string> SummaryLines(StageResult r)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var s = r.Success;
        var lines = new List<string> { r.Stage + (r.Skipped ? " (already complete, skipped)" : "") };
        var table = new TextTable().Column("measure").Column("value", right: true);
        table.Row("tasks", r.Skipped ? $"{s.TaskCount} reused" : $"{r.TasksRun} run, {r.TasksReused} reused");
        table.Row("rows in", N(s.RowsIn));
        table.Row("rows out", N(s.RowsOut));
        table.Row("wall seconds", s.WallSeconds.ToString("F1", CultureInfo.InvariantCulture));
        if (s.WallSeconds > 0 && !r.Skipped)
            table.Row("rows in / s", (s.RowsIn / s.WallSeconds).ToString("N0", CultureInfo.InvariantCulture));
        foreach (var (k, v) in s.Counters) table.Row(k, N(v));
        lines.AddRange(table.Lines());
        lines.AddRange(TextWrap.Wrap("summary: " + Path.Combine(r.OutputDir, Core.Datasets.DatasetFolder.SuccessFile)));
        return lines;
    }

    /// <summary>The line a stage's start writes to a log (not a terminal), wrapped within <see cref="TextWrap.Columns"/> columns.</summary>
    public static IReadOnlyList<string> StartLines(StageProgress p) =>
        TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture, $"[{p.Stage}] {p.TaskCount} task(s), {p.TotalWork:N0} {p.WorkUnit} of work"));

    /// <summary>
    /// The line written to a log every 10 seconds while a stage runs: tasks done, work done (counts as in a table:
    /// exact below ten million, else M/G/T), rows in and out; wrapped within <see cref="TextWrap.Columns"/> columns.
    /// </summary>
    public static IReadOnlyList<string> ProgressLines(StageProgress p) => TextWrap.Wrap(
        $"[{p.Stage}] tasks {p.TasksDone}/{p.TaskCount}, {TextTable.Count(p.DoneWork)}/{TextTable.Count(p.TotalWork)} {p.WorkUnit}, rows {TextTable.Count(p.RowsIn)} in, {TextTable.Count(p.RowsOut)} out");

    private sealed class ProgressObserver(ProgressContext ctx) : IStageObserver, IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _pollers = [];

        public void StageStarted(StageProgress p)
        {
            var task = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(1, p.TotalWork > 0 ? p.TotalWork : p.TaskCount));
            _pollers.Add(Task.Run(async () =>
            {
                var started = DateTime.UtcNow;
                while (!_stop.IsCancellationRequested)
                {
                    Update(task, p, started);
                    try { await Task.Delay(250, _stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
                }
                Update(task, p, started);
            }));
        }

        private static void Update(ProgressTask task, StageProgress p, DateTime started)
        {
            double secs = Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
            task.Value = p.TotalWork > 0 ? Math.Min(p.DoneWork, p.TotalWork) : p.TasksDone;
            task.Description = $"{Markup.Escape(p.Stage)} tasks {p.TasksDone}/{p.TaskCount} rows {p.RowsIn:N0}→{p.RowsOut:N0} ({p.RowsIn / secs:N0}/s)";
        }

        public void StageFinished(StageResult result)
        {
        }

        public void Dispose()
        {
            _stop.Cancel();
            Task.WaitAll([.. _pollers]);
            _stop.Dispose();
        }
    }

    /// <summary>For logs and CI: one line when a stage starts and a line every 10 seconds while it runs.</summary>
    private sealed class LineObserver : IStageObserver, IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _poller;

        public void StageStarted(StageProgress p)
        {
            foreach (var line in StartLines(p)) Console.WriteLine(line);
            _poller = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try { await Task.Delay(10_000, _stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
                    foreach (var line in ProgressLines(p)) Console.WriteLine(line);
                }
            });
        }

        public void StageFinished(StageResult result)
        {
        }

        public void Dispose()
        {
            _stop.Cancel();
            _poller?.Wait();
            _stop.Dispose();
        }
    }
}
