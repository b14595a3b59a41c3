namespace DataPipe.Train.Data;

/// <summary>
/// One micro-batch: <see cref="Rows"/> windows of <see cref="Context"/> inputs and the same number of targets (the
/// inputs shifted by one token), row-major. <see cref="After"/> is the loader's state once this batch is consumed;
/// <see cref="Epoch"/> the pass over the data its last token came from (0: every token is seen for the first time).
/// </summary>
public sealed record TokenBatch(long[] Inputs, long[] Targets, int Rows, int Context, int Epoch, LoaderState After)
{
    public int Tokens => Rows * Context;
}
