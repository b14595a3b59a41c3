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
        // --executor, --workers, --attempts: the executor section's keys (PipelineLoader.ExecutorSchema), over the file's.
        var executorFlags = PipelineLoader.ExecutorSchema.CreateFlags(new ExecutorSpec());
        foreach (var flag in executorFlags)
        {
            string key = flag.Name[2..];
            flag.Description = $"{PipelineLoader.ExecutorSchema[key].Help} (default: the file's executor.{key}{(key == "workers" ? "; the stages' task counts stay the file's" : "")})";
            if (key == "kind")
            {
                // The flag keeps its older name.
                flag.Aliases.Add("--executor");
            }
        }
        var from = new Option<string?>("--from") { Description = "Start at this stage (earlier stages must be complete)" };
        var until = new Option<string?>("--until") { Description = "Stop after this stage" };

        var command = new Command("run", "Run a pipeline file: its stages in order, each as resumable tasks, locally or as Slurm job arrays")
        {
            pipeline, set, from, until,
        };
        foreach (var flag in executorFlags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            var def = PipelineLoader.Load(parse.GetValue(pipeline)!, overrides: parse.GetValue(set));
            // Read as the executor section's keys are, over the file's values (the file's task counts stay as planned).
            var executor = PipelineLoader.ExecutorSchema.ReadFlags(parse, executorFlags, def.Executor);
            def = def with { Executor = executor };
            var steps = def.Select(parse.GetValue(from), parse.GetValue(until));
            var wall = System.Diagnostics.Stopwatch.StartNew();
            var runner = PipelineExecutors.BuiltIn((stage, dir, options, token) => StageConsole.RunAsync(stage, dir, options, token)).Create(def, Console.Out);
            await runner.RunAsync(def, steps, ct).ConfigureAwait(false);
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
