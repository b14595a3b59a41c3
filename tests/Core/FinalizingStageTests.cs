using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Core;

public class FinalizingStageTests
{
    /// <summary>Each task writes one text file; the final step writes their concatenation and notes whether _SUCCESS.json existed.</summary>
    private sealed class ConcatStage(int tasks) : IFinalizingStage
    {
        public int FinalizeCalls { get; private set; }
        public bool SuccessExistedAtFinalize { get; private set; }
        public IReadOnlyList<int> TasksSeen { get; private set; } = [];

        public string Name => "concat";
        public string ConfigHash => "c1";
        public IReadOnlyList<ColumnDescription>? OutputSchema => null;

        public Task<StagePlan> PlanAsync(CancellationToken ct) => Task.FromResult(new StagePlan(tasks));

        public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
        {
            await File.WriteAllTextAsync(ctx.CreateOutput($"piece-{ctx.TaskIndex}.txt"), $"{ctx.TaskIndex};", ct);
        }

        public void FinalizeStage(string outputDir, IReadOnlyList<TaskRecord> records)
        {
            FinalizeCalls++;
            SuccessExistedAtFinalize = File.Exists(Path.Combine(outputDir, DatasetFolder.SuccessFile));
            TasksSeen = [.. records.Select(r => r.Task)];
            var all = string.Concat(records.SelectMany(r => r.Outputs).Select(o => File.ReadAllText(Path.Combine(outputDir, o.Path))));
            AtomicFile.WriteAllText(Path.Combine(outputDir, "all.txt"), all);
        }
    }

    [Fact]
    public async Task The_final_step_runs_once_after_every_task_and_before_SUCCESS()
    {
        using var dir = new TempDir();
        var stage = new ConcatStage(4);
        await new LocalStageExecutor().RunAsync(stage, dir.Path, new StageRunOptions { Workers = 2 });

        Assert.Equal(1, stage.FinalizeCalls);
        Assert.False(stage.SuccessExistedAtFinalize);
        Assert.Equal([0, 1, 2, 3], stage.TasksSeen);
        Assert.Equal("0;1;2;3;", File.ReadAllText(dir["all.txt"]));
        Assert.NotNull(DatasetFolder.ReadSuccess(dir.Path));
    }

    [Fact]
    public async Task The_final_step_runs_when_the_last_single_task_completes_the_stage()
    {
        using var dir = new TempDir();
        var stage = new ConcatStage(2);
        var executor = new LocalStageExecutor();
        await executor.RunOneTaskAsync(stage, dir.Path, 1, maxAttempts: 1);
        Assert.Equal(0, stage.FinalizeCalls);
        await executor.RunOneTaskAsync(stage, dir.Path, 0, maxAttempts: 1);
        Assert.Equal(1, stage.FinalizeCalls);
        Assert.Equal("0;1;", File.ReadAllText(dir["all.txt"]));
    }
}
