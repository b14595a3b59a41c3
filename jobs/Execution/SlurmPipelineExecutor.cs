using System.Diagnostics;
using System.Text;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// Runs a pipeline on Slurm: each step is one job array (<c>sbatch --array=0-(N-1)</c>) whose elements run
/// <c>datapipe task PIPELINE --stage STEP --task $SLURM_ARRAY_TASK_ID</c>, chained with <c>--dependency=afterok</c>
/// so a step starts only when every task of the previous one succeeded. The launcher then watches <c>squeue</c> and
/// the steps' folders until the last step completes; interrupting it cancels the jobs (<c>scancel</c>). Steps already
/// complete when the run starts are not submitted. Tasks claim their work through the same lock files as local
/// workers, so a Slurm task and a local one never run the same task at once.
/// </summary>
public sealed class SlurmPipelineExecutor(SlurmClient client, string datapipeCommand, TextWriter log) : IPipelineExecutor
{
    public string Kind => "slurm";

    /// <summary>The command that starts this program on a node: the apphost when there is one, else <c>dotnet datapipe.dll</c>.</summary>
    public static string SelfCommand()
    {
        string process = Environment.ProcessPath ?? "dotnet";
        string entry = System.Reflection.Assembly.GetEntryAssembly()?.Location ?? "";
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? $"{Quote(process)} {Quote(entry)}" : Quote(process);
    }

    public async Task<IReadOnlyList<StepOutcome>> RunAsync(PipelineDefinition pipeline, IReadOnlyList<PipelineStep> steps, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        string slurmDir = Path.Combine(pipeline.OutputRoot, "_slurm");
        Directory.CreateDirectory(slurmDir);
        var record = new PipelineRecord { Pipeline = pipeline.Name, File = pipeline.File, Executor = "slurm", StartedAt = DateTime.UtcNow };
        var submitted = new List<(PipelineStep Step, string JobId)>();
        string? previous = null;
        bool upstreamComplete = true;
        try
        {
            foreach (var step in steps)
            {
                // While every step so far is complete, a step can be built and checked now; after the first submitted
                // one, its inputs do not exist yet, so later steps are submitted and their tasks check themselves.
                int arraySize = step.Tasks;
                if (upstreamComplete)
                {
                    var stage = await step.Build(ct).ConfigureAwait(false);
                    if (StageRunner.IsComplete(step.OutputDir, stage))
                    {
                        log.WriteLine($"[{step.Name}] already complete for this configuration, reused");
                        record.Steps.Add(new StepRecord { Step = step.Name, OutputDir = step.OutputDir, Tasks = step.Tasks, Reused = true });
                        continue;
                    }
                    // Its inputs exist, so its real plan is known (e.g. one task per input file): size the array by it.
                    arraySize = (await stage.PlanAsync(ct).ConfigureAwait(false)).TaskCount;
                    upstreamComplete = false;
                }
                string script = WriteScript(slurmDir, pipeline, step, pipeline.Executor.Attempts);
                string id = await client.SubmitAsync(new SlurmSubmission
                {
                    JobName = $"{pipeline.Name}.{step.Name}",
                    Script = script,
                    ArraySize = arraySize,
                    Resources = step.Resources,
                    AfterOk = previous,
                    Account = pipeline.Executor.Slurm.Account,
                    ExtraArgs = pipeline.Executor.Slurm.ExtraArgs,
                    OutputPattern = Path.Combine(slurmDir, $"{step.Name}-%A_%a.out"),
                    WorkDir = pipeline.OutputRoot,
                }, ct).ConfigureAwait(false);
                log.WriteLine($"[{step.Name}] submitted job array {id} ({arraySize} task(s){(previous is null ? "" : $", after {previous}")})");
                submitted.Add((step, id));
                record.Steps.Add(new StepRecord { Step = step.Name, OutputDir = step.OutputDir, Tasks = arraySize, SlurmJobId = id });
                previous = id;
            }
            record.Save(pipeline.OutputRoot);

            await WatchAsync(pipeline, submitted, ct).ConfigureAwait(false);
            record = record with { State = "succeeded" };
        }
        catch (Exception e)
        {
            // Interrupted or failed: nothing of this run may keep running behind the user's back.
            await client.CancelAsync([.. submitted.Select(s => s.JobId)]).ConfigureAwait(false);
            record = record with { State = e is OperationCanceledException ? "interrupted" : "failed", Error = e.Message };
            throw;
        }
        finally
        {
            record = record with { FinishedAt = DateTime.UtcNow, WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 3) };
            for (int i = 0; i < record.Steps.Count; i++)
            {
                if (DatasetFolder.ReadSuccess(record.Steps[i].OutputDir) is { } s)
                    record.Steps[i] = record.Steps[i] with { RowsIn = s.RowsIn, RowsOut = s.RowsOut, WallSeconds = s.WallSeconds };
            }
            try { record.Save(pipeline.OutputRoot); } catch (DataPipeException) { }
        }
        return [.. steps.Select(s => new StepOutcome(s.Name, s.OutputDir, DatasetFolder.ReadSuccess(s.OutputDir)!,
            record.Steps.FirstOrDefault(r => r.Step == s.Name)?.Reused ?? false))];
    }

    private async Task WatchAsync(PipelineDefinition pipeline, List<(PipelineStep Step, string JobId)> submitted, CancellationToken ct)
    {
        var poll = TimeSpan.FromSeconds(pipeline.Executor.Slurm.PollSeconds);
        var lastLine = new Dictionary<string, string>();
        var pending = new List<(PipelineStep Step, string JobId)>(submitted);
        while (pending.Count > 0)
        {
            var queue = await client.QueueAsync([.. pending.Select(p => p.JobId)], ct).ConfigureAwait(false);
            foreach (var (step, id) in pending.ToList())
            {
                var states = queue[id];
                var status = PipelineStatus.ReadStep(step);
                string line = $"[{step.Name}] job {id}: {SlurmClient.Describe(states)}; tasks {status.Done}/{status.Tasks} done, rows {status.RowsIn:N0} in, {status.RowsOut:N0} out{LostText(status)}";
                if (lastLine.GetValueOrDefault(step.Name) != line)
                {
                    log.WriteLine(line);
                    lastLine[step.Name] = line;
                }
                if (states.Count > 0) continue;

                // The array left the queue: the folder says whether it succeeded.
                var success = DatasetFolder.ReadSuccess(step.OutputDir);
                var plan = DatasetFolder.ReadStagePlan(step.OutputDir);
                if (success is not null && plan is not null && success.ConfigHash == plan.ConfigHash)
                {
                    pending.Remove((step, id));
                    continue;
                }
                var final = await client.FinalStatesAsync(id, ct).ConfigureAwait(false);
                // A task that failed while running wrote its error record; one that never started (the node could not
                // start the program) left only Slurm's output file, which is named for the person to read.
                string where = status.FailedLog is not null
                    ? $"task log: {status.FailedLog}"
                    : $"Slurm output: {Path.Combine(pipeline.OutputRoot, "_slurm", $"{step.Name}-{id}_*.out")}";
                throw new DataPipeException(
                    $"step '{step.Name}' (Slurm job {id}) ended without completing ({(final.Count > 0 ? SlurmClient.Describe(final) : "final state no longer known")}; " +
                    $"{status.Done}/{status.Tasks} tasks done, {status.Failed} failed){(status.FailedError is null ? "" : $": {status.FailedError}")}; {where}");
            }
            if (pending.Count > 0) await Task.Delay(poll, ct).ConfigureAwait(false);
        }
    }

    /// <summary>"; task 1 lost on node2, rerun on node3" for each attempt whose node died under it.</summary>
    private static string LostText(StepStatus status) => string.Concat(status.Lost.Select(l =>
        $"; task {l.Task} lost on {l.Host}, {(l.RerunOn is null ? "waiting for its rerun" : $"rerun on {l.RerunOn}")}"));

    private string WriteScript(string slurmDir, PipelineDefinition pipeline, PipelineStep step, int attempts)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"# datapipe pipeline '{pipeline.Name}', step '{step.Name}': one array element per task.\n");
        sb.Append("set -euo pipefail\n");
        string sets = string.Concat(pipeline.Overrides.Select(o => $" --set {Quote(o)}"));
        sb.Append($"exec {datapipeCommand} task {Quote(pipeline.File)} --stage {Quote(step.Name)} --task \"$SLURM_ARRAY_TASK_ID\" --attempts {attempts}{sets}\n");
        string path = Path.Combine(slurmDir, $"{step.Name}.sh");
        AtomicFile.WriteAllText(path, sb.ToString());
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    /// <summary>Single-quotes a word for bash.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
