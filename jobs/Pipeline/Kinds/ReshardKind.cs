using DataPipe.Jobs.Stages;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: reshard</c>: rewrites documents datasets (earlier stages or named inputs that are complete dataset folders)
/// as <c>tasks</c> balanced parts. No options.
/// </summary>
public sealed class ReshardKind : IStageKind
{
    public string Kind => "reshard";


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count == 0) throw spec.Section.Error("input", "a reshard stage needs at least one documents dataset as input");
        var dirs = spec.Input.SelectMany(i => context.Resolve(spec.Section, "input", i).Paths).ToList();
        int tasks = spec.TasksOr(context.Executor.Workers);
        return
        [
            new PipelineStep
            {
                StageName = spec.Name,
                Name = spec.Name,
                Kind = Kind,
                OutputDir = spec.OutputDir,
                Tasks = tasks,
                Resources = spec.Resources,
                Build = _ => Task.FromResult<DataPipe.Core.Stages.IStage>(new ReshardStage(spec.Name, dirs, tasks)),
            },
        ];
    }
}
