namespace DataPipe.Train.Data;

/// <summary>
/// How a <see cref="BatchLoader"/> reads a split: <paramref name="Batch"/> windows of <paramref name="Context"/> tokens
/// per batch; with <paramref name="Shuffle"/>, row groups and the documents inside each are read in an order drawn from
/// <paramref name="Seed"/> and the epoch; with <paramref name="Repeat"/>, the stream starts a new epoch at the end
/// instead of ending. Token ids must be below <paramref name="Vocab"/>.
/// </summary>
public sealed record BatchLoaderOptions(string Split, int Batch, int Context, int Vocab, long Seed, bool Shuffle = true, bool Repeat = true, int Prefetch = 2);
