namespace DataPipe.Train.Metrics;

/// <summary>
/// One evaluation on the validation split, one line of <c>metrics.jsonl</c> (kind "eval"): mean cross-entropy in nats
/// per token, its perplexity, and bits per UTF-8 byte of the text the targets decode to (comparable across
/// tokenizers). <see cref="Sample"/> is a continuation of the configured prompt, when there is one.
/// </summary>
public sealed record EvalMetric
{
    public string Kind { get; init; } = "eval";
    public int Step { get; init; }
    public double ValLoss { get; init; }
    public double Perplexity { get; init; }
    public double BitsPerByte { get; init; }
    public long ValTokens { get; init; }
    public long ValBytes { get; init; }
    public string? Sample { get; init; }
}
