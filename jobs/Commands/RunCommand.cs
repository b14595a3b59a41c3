using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary><c>datapipe run PIPELINE.yaml</c>: runs a whole pipeline (or a range of its stages) locally or on Slurm.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline YAML file" };
        var executor = new Option<string?>("--executor") { Description = "local or slurm (default: the file's executor.kind)" };
        executor.AcceptOnlyFromAmong("local", "slurm");
        var workers = new Option<int?>("--workers") { Description = "Tasks run at once by the local executor (default: the file's executor.workers)" };
        workers.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--workers must be >= 1"); });
        var from = new Option<string?>("--from") { Description = "Start at this stage (earlier stages must be complete)" };
        var until = new Option<string?>("--until") { Description = "Stop after this stage" };
        var attempts = new Option<int?>("--attempts") { Description = "Attempts per task (default: the file's executor.attempts, else 2)" };
        attempts.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--attempts must be >= 1"); });

        var command = new Command("run", "Run a pipeline file: its stages in order, each as resumable tasks, locally or as Slurm job arrays")
        {
            pipeline, executor, workers, from, until, attempts,
        };
        command.SetAction(async (parse, ct) =>
        {
            var def = PipelineLoader.Load(parse.GetValue(pipeline)!);
            def = def with
            {
                Executor = def.Executor with
                {
                    Kind = parse.GetValue(executor) ?? def.Executor.Kind,
                    Workers = parse.GetValue(workers) ?? def.Executor.Workers,
                    Attempts = parse.GetValue(attempts) ?? def.Executor.Attempts,
                },
            };
            var steps = def.Select(parse.GetValue(from), parse.GetValue(until));
            var wall = System.Diagnostics.Stopwatch.StartNew();
            if (def.Executor.Kind == "slurm")
            {
                var slurm = new SlurmPipelineExecutor(new SlurmClient(), def.Executor.Slurm.Datapipe ?? SlurmPipelineExecutor.SelfCommand(), Console.Out);
                await slurm.RunAsync(def, steps, ct).ConfigureAwait(false);
            }
            else
            {
                await new LocalPipelineRunner().RunAsync(def, steps, def.Executor.Workers, def.Executor.Attempts,
                    (stage, dir, options, token) => StageConsole.RunAsync(stage, dir, options, token), ct).ConfigureAwait(false);
            }
            PrintPipelineSummary(def, wall.Elapsed.TotalSeconds);
            return 0;
        });
        return command;
    }

    /// <summary>Prompt and length of the sample generated from the final checkpoint when the train step wrote none.</summary>
    private const string FallbackPrompt = "The ";
    private const int FallbackTokens = 60;

    /// <summary>
    /// The run's summary: per step rows in and out (documents, examples, tokens), the reasons rows were dropped, the
    /// classifier's held-out AUC, the GPT's final validation loss and bits per byte, and a generated sample; printed and
    /// written to <c>OUTPUT_ROOT/summary.json</c>.
    /// </summary>
    private static void PrintPipelineSummary(PipelineDefinition def, double seconds)
    {
        var summary = PipelineSummary.Build(def, def.Executor.Kind, def.Executor.Workers, seconds);
        if (summary.Training is { Sample: null, Checkpoint.Length: > 0 } t && File.Exists(t.Checkpoint))
        {
            string text = GenerateCommand.FromCheckpoint(t.Checkpoint, FallbackPrompt, FallbackTokens, 0.8, 40, 1, "cpu");
            summary = summary with { Training = t with { SamplePrompt = FallbackPrompt, Sample = text } };
        }
        summary.Save(def.OutputRoot);

        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().Title($"[bold]pipeline {Markup.Escape(def.Name)}[/] ({Markup.Escape(def.Executor.Kind)})")
            .AddColumn("step").AddColumn("tasks").AddColumn(new TableColumn("rows in").RightAligned())
            .AddColumn(new TableColumn("rows out").RightAligned()).AddColumn(new TableColumn("tokens").RightAligned())
            .AddColumn(new TableColumn("seconds").RightAligned()).AddColumn("dropped / skipped");
        foreach (var s in summary.Steps)
        {
            // "dropped." is the column's own word; "skipped." stays (records a stage could not read, not a decision).
            string dropped = string.Join("\n", s.Dropped.Select(d => $"{N(d.Value)} {(d.Key.StartsWith("dropped.", StringComparison.Ordinal) ? d.Key["dropped.".Length..] : d.Key)}"));
            table.AddRow(Markup.Escape(s.Step), s.Tasks.ToString(CultureInfo.InvariantCulture), N(s.RowsIn), N(s.RowsOut),
                s.Tokens is long tk ? N(tk) : "", s.Seconds.ToString("F1", CultureInfo.InvariantCulture) + (s.Reused ? " (reused)" : ""),
                Markup.Escape(dropped));
        }
        AnsiConsole.Write(table);
        if (summary.Classifier is { } c)
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"classifier ({c.Step}): held-out AUC {c.HoldoutAuc:F4}, precision {c.Precision:F4}, recall {c.Recall:F4} at {c.Threshold}; trained on {c.TrainPositives:N0} curated / {c.TrainNegatives:N0} web examples")));
        }
        foreach (var dc in summary.Contamination)
        {
            var hit = dc.Benchmarks.Where(b => b.ItemsFound > 0).Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Name} {b.ItemsFound:N0} items/{b.Documents:N0} docs/{b.CharsRemoved:N0} chars")).ToList();
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"decontamination ({dc.Step}, {dc.Action}): {dc.DocumentsMatched:N0} of {dc.DocumentsIn:N0} documents held benchmark text, {dc.CharsRemoved:N0} of {dc.CharsIn:N0} chars removed, {dc.DocumentsDropped:N0} documents dropped; {(hit.Count == 0 ? "no benchmark found" : string.Join("; ", hit))}")));
        }
        if (summary.Training is { } tr)
        {
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"GPT ({tr.Step}): {tr.Parameters:N0} parameters, {tr.Steps:N0} steps, {tr.Tokens:N0} tokens; final train loss {tr.FinalLoss:F4}, validation loss {(tr.FinalValLoss is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a")} nats/token, {(tr.FinalBitsPerByte is double b ? b.ToString("F4", CultureInfo.InvariantCulture) : "n/a")} bits/byte{(tr.UnigramBaselineLoss is double u ? string.Create(CultureInfo.InvariantCulture, $"; a unigram model of the training tokens scores {u:F4} nats/token on the same validation tokens") : "")}")));
            if (tr.Sample is not null)
                AnsiConsole.Write(new Panel(Markup.Escape(tr.SamplePrompt + tr.Sample)).Header("generated sample").Expand());
        }
        AnsiConsole.MarkupLine($"pipeline finished in {seconds.ToString("F1", CultureInfo.InvariantCulture)} s; summary: [blue]{Markup.Escape(PipelineSummary.PathIn(def.OutputRoot))}[/], record: [blue]{Markup.Escape(PipelineRecord.PathIn(def.OutputRoot))}[/]");
    }
}
