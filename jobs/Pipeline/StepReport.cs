using DataPipe.Core.Stages;
using DataPipe.Jobs.Execution;

namespace DataPipe.Jobs.Pipeline;

/// <summary>
/// What a step adds to the run's summary beyond rows and counters, read back from its finished folder by the kind that
/// made it (<see cref="PipelineStep.Report"/>): tokens where the step counts them, the classifier's or the GPT's numbers
/// for <c>summary.json</c>, and the lines printed under the summary table. The summary never asks which kind a step is.
/// </summary>
public sealed record StepReport
{
    public static readonly StepReport Empty = new();

    /// <summary>Tokens the step wrote or trained on; null when it does not deal in tokens.</summary>
    public long? Tokens { get; init; }

    public ClassifierSummary? Classifier { get; init; }

    public TrainingSummary? Training { get; init; }

    public StepContamination? Contamination { get; init; }

    /// <summary>Sentences a person reads after the table, one per line, each whole on its own (no table wrapping).</summary>
    public IReadOnlyList<string> Lines { get; init; } = [];
}

/// <summary>Reads a finished step's folder into its <see cref="StepReport"/>.</summary>
public delegate StepReport StepReporter(PipelineStep step, SuccessRecord success);
