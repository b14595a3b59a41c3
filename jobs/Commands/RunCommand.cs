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

    private static void PrintPipelineSummary(PipelineDefinition def, double seconds)
    {
        var record = PipelineRecord.Read(def.OutputRoot);
        var table = new Table().Title($"[bold]pipeline {Markup.Escape(def.Name)}[/] ({Markup.Escape(def.Executor.Kind)})")
            .AddColumn("step").AddColumn("tasks").AddColumn(new TableColumn("rows in").RightAligned())
            .AddColumn(new TableColumn("rows out").RightAligned()).AddColumn(new TableColumn("seconds").RightAligned()).AddColumn("");
        foreach (var s in record?.Steps ?? [])
        {
            table.AddRow(Markup.Escape(s.Step), s.Tasks.ToString(CultureInfo.InvariantCulture),
                s.RowsIn.ToString("N0", CultureInfo.InvariantCulture), s.RowsOut.ToString("N0", CultureInfo.InvariantCulture),
                s.WallSeconds.ToString("F1", CultureInfo.InvariantCulture), s.Reused ? "reused" : "");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"pipeline finished in {seconds.ToString("F1", CultureInfo.InvariantCulture)} s; record: [blue]{Markup.Escape(PipelineRecord.PathIn(def.OutputRoot))}[/]");
    }
}
