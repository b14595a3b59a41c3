namespace DataPipe.Train.Metrics;

/// <summary>
/// One optimizer step, one line of <c>metrics.jsonl</c> (kind "step"). <see cref="LossBeforeUpdate"/> is the mean
/// cross-entropy (nats per token) of the step's batch, measured in the forward pass before the update that batch
/// causes: the training loss every trainer logs, and the prequential code length of the batch that the compression
/// report sums (<see cref="Loss"/> holds the same number under the usual name). <see cref="Epoch"/> is the pass over
/// the data the batch's last token came from (0: all its tokens are seen for the first time).
/// </summary>
public sealed record StepMetric
{
    public string Kind { get; init; } = "step";
    public int Step { get; init; }
    public double Loss { get; init; }
    public double LossBeforeUpdate { get; init; }
    /// <summary>Tokens predicted in this step (batch rows · context · accumulation).</summary>
    public long BatchTokens { get; init; }
    /// <summary>Tokens predicted since the start of the run, this step included.</summary>
    public long Tokens { get; init; }
    public int Epoch { get; init; }
    public double Lr { get; init; }
    public double GradNorm { get; init; }
    /// <summary>Wall-clock seconds of this step (forward, backward, update).</summary>
    public double Seconds { get; init; }
    public double TokensPerSecond { get; init; }
    /// <summary>Model FLOPs utilisation (6·N + attention FLOPs per token over the device's peak), GPU only.</summary>
    public double? Mfu { get; init; }
}
