namespace DataPipe.Core.Stages;

/// <summary>
/// A stage with one step that runs once after all its tasks are done, before <c>_SUCCESS.json</c> is written: a summary
/// that needs every task's output (Tokenize's <c>manifest.json</c>). Executors call it from
/// <see cref="Execution.StageRunner.TryFinalize"/>, so it runs on whichever process completes the stage (a cluster's last
/// task too). It must be idempotent and write atomically: a crash before <c>_SUCCESS.json</c> reruns it.
/// </summary>
public interface IFinalizingStage : IStage
{
    /// <summary>Writes the stage-level outputs into <paramref name="outputDir"/> from the tasks' completion records, in task order.</summary>
    void FinalizeStage(string outputDir, IReadOnlyList<TaskRecord> tasks);
}
