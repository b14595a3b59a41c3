using System.Globalization;
using DataPipe.Core.Documents;
using DataPipe.Core.Stages;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// A fault point for the multi-node Slurm tests, so they can crash a node while it holds a task at a point they choose
/// instead of racing a timer. Off unless <c>DATAPIPE_TASK_HOLD</c> is set (the tests pass it to the array through
/// <c>sbatch --export</c>): a ';'-separated list of <c>STEP:TASK:POINT</c>, POINT being <c>start</c> (before the
/// stage's code runs) or <c>before-commit</c> (after it wrote its outputs to the task's temp folder, before they are
/// renamed into place). The first attempt of that task to reach the point creates
/// <c>$DATAPIPE_TASK_HOLD_DIR/STEP.TASK.POINT.held</c> holding "HOST pid PID" and waits until
/// <c>STEP.TASK.POINT.release</c> appears there; every later attempt (the rerun of a task whose node died) finds the
/// held file and goes on.
/// </summary>
public static class TaskHold
{
    public const string Variable = "DATAPIPE_TASK_HOLD";
    public const string DirVariable = "DATAPIPE_TASK_HOLD_DIR";

    public static readonly string[] Points = ["start", "before-commit"];

    /// <summary>The stage as it is, or wrapped so the tasks of <paramref name="step"/> named in the variable stop at their points.</summary>
    public static IStage Wrap(IStage stage, string step)
        => Wrap(stage, step, Environment.GetEnvironmentVariable(Variable), Environment.GetEnvironmentVariable(DirVariable));

    /// <summary><see cref="Wrap(IStage, string)"/> with the two variables' values given.</summary>
    public static IStage Wrap(IStage stage, string step, string? spec, string? holdDir)
    {
        if (string.IsNullOrWhiteSpace(spec)) return stage;
        string dir = holdDir is { Length: > 0 } d
            ? d : throw new InvalidOperationException($"{Variable} is set but {DirVariable} (where the held/release files go) is not");
        var holds = new List<(int Task, string Point)>();
        foreach (var entry in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int task) || !Points.Contains(parts[2]))
                throw new InvalidOperationException($"{Variable}: '{entry}' is not STEP:TASK:POINT with POINT one of {string.Join(", ", Points)}");
            if (parts[0] == step) holds.Add((task, parts[2]));
        }
        return holds.Count == 0 ? stage : new HeldStage(stage, step, holds, dir);
    }

    /// <summary>The file a held task creates, and the one that releases it.</summary>
    public static (string Held, string Release) Files(string dir, string step, int task, string point)
    {
        string stem = Path.Combine(dir, $"{step}.{task}.{point}");
        return (stem + ".held", stem + ".release");
    }

    private static async Task HoldAsync(string dir, string step, int task, string point, Action<string> log, CancellationToken ct)
    {
        var (held, release) = Files(dir, step, task, point);
        try
        {
            await using var marker = new FileStream(held, FileMode.CreateNew, FileAccess.Write);
            await using var writer = new StreamWriter(marker);
            await writer.WriteAsync($"{Environment.MachineName} pid {Environment.ProcessId}\n").ConfigureAwait(false);
        }
        catch (IOException) when (File.Exists(held))
        {
            return; // an earlier attempt already stopped here: this is the rerun
        }
        log($"held at {point} by {Variable} until {release} exists");
        while (!File.Exists(release)) await Task.Delay(100, ct).ConfigureAwait(false);
    }

    /// <summary>The stage with its tasks' code bracketed by the hold points; everything else is the stage's own.</summary>
    private sealed class HeldStage(IStage inner, string step, List<(int Task, string Point)> holds, string dir) : IFinalizingStage
    {
        public string Name => inner.Name;

        public string ConfigHash => inner.ConfigHash;

        public IReadOnlyList<ColumnDescription>? OutputSchema => inner.OutputSchema;

        public Task<StagePlan> PlanAsync(CancellationToken ct) => inner.PlanAsync(ct);

        public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
        {
            if (holds.Contains((ctx.TaskIndex, "start"))) await Hold(ctx, "start", ct).ConfigureAwait(false);
            await inner.RunTaskAsync(ctx, ct).ConfigureAwait(false);
            if (holds.Contains((ctx.TaskIndex, "before-commit"))) await Hold(ctx, "before-commit", ct).ConfigureAwait(false);
        }

        // Only a stage that has a final step gets one; for the others this is the executor's "no final step".
        public void FinalizeStage(string outputDir, IReadOnlyList<TaskRecord> tasks)
        {
            if (inner is IFinalizingStage finalizing) finalizing.FinalizeStage(outputDir, tasks);
        }

        private async Task Hold(StageTaskContext ctx, string point, CancellationToken ct)
        {
            await HoldAsync(dir, step, ctx.TaskIndex, point, ctx.Log, ct).ConfigureAwait(false);
        }
    }
}
