namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// A kind of stage a pipeline file can name (<c>kind: filter</c>). It reads the stage's options strictly when the file
/// is loaded, so bad options fail before anything runs, and returns the steps that run the stage; each step builds its
/// <see cref="DataPipe.Core.Stages.IStage"/> only when it is about to run.
/// </summary>
public interface IStageKind
{
    /// <summary>The name used in <c>kind:</c>.</summary>
    string Kind { get; }

    IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context);

    /// <summary>
    /// The kind's options schema, if it has one: <c>datapipe run --set STAGE.OPTION=VALUE</c> checks the option's name
    /// and value against it before the file is read.
    /// </summary>
    IOptionSchema? Options => null;
}
