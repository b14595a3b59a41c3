using System.CommandLine;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Commands;

/// <summary><c>datapipe run PIPELINE.yaml</c>: runs a whole pipeline (or a range of its stages) locally or on Slurm.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline YAML file" };
        var set = CommonOptions.Set();
        var executorKind = new Option<string?>("--executor") { Description = $"{string.Join(" or ", PipelineExecutors.BuiltInNames)} (default: the file's executor.kind)" };
        executorKind.AcceptOnlyFromAmong([.. PipelineExecutors.BuiltInNames]);
        var workers = new Option<int?>("--workers") { Description = "Tasks run at once by the local executor (default: the file's executor.workers)" };
        workers.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--workers must be >= 1"); });
        var from = new Option<string?>("--from") { Description = "Start at this stage (earlier stages must be complete)" };
        var until = new Option<string?>("--until") { Description = "Stop after this stage" };
        var attempts = new Option<int?>("--attempts") { Description = "Attempts per task (default: the file's executor.attempts, else 2)" };
        attempts.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--attempts must be >= 1"); });

        var command = new Command("run", "Run a pipeline file: its stages in order, each as resumable tasks, locally or as Slurm job arrays")
        {
            pipeline, set, executorKind, workers, from, until, attempts,
        };
        command.SetAction(async (parse, ct) =>
        {
            var def = PipelineLoader.Load(parse.GetValue(pipeline)!, overrides: parse.GetValue(set));
            def = def with
            {
                Executor = def.Executor with
                {
                    Kind = parse.GetValue(executorKind) ?? def.Executor.Kind,
                    Workers = parse.GetValue(workers) ?? def.Executor.Workers,
                    Attempts = parse.GetValue(attempts) ?? def.Executor.Attempts,
                },
            };
            var steps = def.Select(parse.GetValue(from), parse.GetValue(until));
            var wall = System.Diagnostics.Stopwatch.StartNew();
            var executor = PipelineExecutors.BuiltIn((stage, dir, options, token) => StageConsole.RunAsync(stage, dir, options, token)).Create(def, Console.Out);
            await executor.RunAsync(def, steps, ct).ConfigureAwait(false);
            PrintPipelineSummary(def, wall.Elapsed.TotalSeconds);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The run's summary: per step rows in and out (documents, examples, tokens), the reasons rows were dropped, and
    /// each step's own lines (the classifier's held-out AUC, the GPT's final validation loss and bits per byte, a
    /// generated sample); printed and written to <c>OUTPUT_ROOT/summary.json</c>.
    /// </summary>
    private static void PrintPipelineSummary(PipelineDefinition def, double seconds)
    {
        var summary = PipelineSummary.Build(def, def.Executor.Kind, def.Executor.Workers, seconds);
        summary.Save(def.OutputRoot);

        foreach (var line in RunSummaryText.Lines(summary, seconds, PipelineSummary.PathIn(def.OutputRoot), PipelineRecord.PathIn(def.OutputRoot)))
            Console.WriteLine(line);
    }
}
