using DataPipe.Tokenize.Shards;

namespace DataPipe.Train.Data;

/// <summary>
/// The unigram entropy of a split's tokens, H = −Σ p(t)·ln p(t) in nats per token: the loss of the best model that
/// ignores context. A language model has learned something about its data only once its validation loss falls below
/// this; the trainer records it beside the final validation loss so every run says how far below it got.
/// </summary>
public static class UnigramEntropy
{
    /// <summary>Nats per token over every token of <paramref name="split"/>; null when the split holds no tokens.</summary>
    public static async Task<double?> OfSplitAsync(string shardsDir, TokenManifest manifest, string split, CancellationToken ct = default)
    {
        var counts = new long[manifest.Tokenizer.VocabSize];
        long n = 0;
        foreach (var shard in manifest.ShardsOf(split))
        {
            await foreach (var row in TokenShardReader.ReadAsync(Path.Combine(shardsDir, shard.File), ct).ConfigureAwait(false))
            {
                foreach (int t in row.Tokens)
                {
                    if ((uint)t >= (uint)counts.Length)
                        throw new Core.Errors.DataPipeException($"{Path.Combine(shardsDir, shard.File)}: document {row.DocId} holds token {t}, outside the vocabulary of {counts.Length}");
                    counts[t]++;
                }
                n += row.Tokens.Length;
            }
        }
        if (n == 0) return null;
        double h = 0;
        foreach (long c in counts)
        {
            if (c == 0) continue;
            double p = (double)c / n;
            h -= p * Math.Log(p);
        }
        return h;
    }
}
