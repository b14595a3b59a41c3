using System.CommandLine;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe task PIPELINE.yaml --stage S --task I</c>: runs one task of one step, what a Slurm array element runs.
/// Waits if another process holds the task; reuses it if complete; writes the step's <c>_SUCCESS.json</c> if it was
/// the last task missing.
/// </summary>
public static class TaskCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline YAML file" };
        var set = CommonOptions.Set();
        var stage = new Option<string>("--stage") { Description = "Stage (or step) name", Required = true };
        var task = new Option<int>("--task") { Description = "Task index, from 0", Required = true };
        task.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--task must be >= 0"); });
        var attempts = new Option<int?>("--attempts") { Description = "Attempts before the task fails (default: the file's executor.attempts)" };
        attempts.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--attempts must be >= 1"); });

        var command = new Command("task", "Run one task of one stage of a pipeline (what a Slurm array element runs)") { pipeline, set, stage, task, attempts };
        command.SetAction(async (parse, ct) =>
        {
            var def = PipelineLoader.Load(parse.GetValue(pipeline)!, overrides: parse.GetValue(set));
            string name = parse.GetValue(stage)!;
            var step = def.FindStep(name)
                ?? throw new PipelineConfigException($"{def.File}: no stage or step named '{name}' (steps: {string.Join(", ", def.Steps.Select(s => s.Name))})");
            int index = parse.GetValue(task);
            var built = TaskHold.Wrap(await step.Build(ct).ConfigureAwait(false), step.Name);
            var plan = await built.PlanAsync(ct).ConfigureAwait(false);
            if (index >= plan.TaskCount)
            {
                if (index < step.Tasks)
                {
                    // The array was sized from the file's task count; the stage planned fewer (e.g. fewer input files).
                    Console.WriteLine($"[{step.Name}] task {index}: the stage planned {plan.TaskCount} task(s); nothing to do");
                    return 0;
                }
                throw new DataPipeException($"stage '{step.Name}' has tasks 0..{plan.TaskCount - 1}; task {index} does not exist");
            }
            var record = await new LocalStageExecutor().RunOneTaskAsync(built, step.OutputDir, index, parse.GetValue(attempts) ?? def.Executor.Attempts, ct).ConfigureAwait(false);
            Console.WriteLine($"[{step.Name}] task {index}/{plan.TaskCount}: {record.RowsIn:N0} rows in, {record.RowsOut:N0} out, {record.Seconds:F1} s (attempt {record.Attempt}, {record.Host})");
            return 0;
        });
        return command;
    }
}
