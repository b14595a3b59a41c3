using System.Diagnostics;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// Runs a pipeline's steps in order on this machine, each on the <see cref="LocalStageExecutor"/>'s worker pool. A step whose
/// <c>_SUCCESS.json</c> matches its configuration is reused; a changed step reruns, and so does every step after it,
/// because each step's configuration hash includes its inputs' hashes. Completed tasks of an interrupted step are kept.
/// </summary>
public sealed class LocalPipelineExecutor(int workers, int attempts, LocalPipelineExecutor.StageRun? runStage = null) : IPipelineExecutor
{
    /// <summary>Runs one stage and returns its result; the CLI passes one that draws progress and a summary.</summary>
    public delegate Task<StageResult> StageRun(IStage stage, string outputDir, StageRunOptions options, CancellationToken ct);

    public string Kind => "local";

    public async Task<IReadOnlyList<StepOutcome>> RunAsync(PipelineDefinition pipeline, IReadOnlyList<PipelineStep> steps, CancellationToken ct = default)
    {
        var run = runStage ?? ((stage, dir, options, token) => new LocalStageExecutor().RunAsync(stage, dir, options, token));
        var record = new PipelineRecord
        {
            Pipeline = pipeline.Name,
            File = pipeline.File,
            Executor = "local",
            Workers = workers,
            StartedAt = DateTime.UtcNow,
        };
        try
        {
            Directory.CreateDirectory(pipeline.OutputRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Core.Errors.DataPipeException($"{pipeline.OutputRoot}: cannot create the output root ({e.Message})", e);
        }
        var wall = Stopwatch.StartNew();
        var results = new List<StepOutcome>();
        try
        {
            foreach (var step in steps)
            {
                ct.ThrowIfCancellationRequested();
                var stepWall = Stopwatch.StartNew();
                var stage = await step.Build(ct).ConfigureAwait(false);
                var result = await run(stage, step.OutputDir, new StageRunOptions { Workers = workers, MaxAttempts = attempts }, ct).ConfigureAwait(false);
                results.Add(new StepOutcome(step.Name, result.OutputDir, result.Success, result.Skipped));
                record.Steps.Add(new StepRecord
                {
                    Step = step.Name,
                    OutputDir = step.OutputDir,
                    Tasks = result.Success.TaskCount,
                    Reused = result.Skipped,
                    RowsIn = result.Success.RowsIn,
                    RowsOut = result.Success.RowsOut,
                    WallSeconds = Math.Round(stepWall.Elapsed.TotalSeconds, 3),
                });
            }
            record = record with { State = "succeeded" };
            return results;
        }
        catch (Exception e)
        {
            record = record with { State = e is OperationCanceledException ? "interrupted" : "failed", Error = e.Message };
            throw;
        }
        finally
        {
            record = record with { FinishedAt = DateTime.UtcNow, WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 3) };
            try
            {
                record.Save(pipeline.OutputRoot);
            }
            catch (Core.Errors.DataPipeException)
            {
                // The run's own error (e.g. a full disk) is the one to report; the record is a convenience.
            }
        }
    }
}
