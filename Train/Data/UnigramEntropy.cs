using DataPipe.Tokenize.Shards;

namespace DataPipe.Train.Data;

/// <summary>
/// Unigram baselines in nats per token: the entropy of a split's tokens, H = −Σ p(t)·ln p(t), and the validation loss
/// of a unigram model fitted to the training split. A language model has learned something beyond token frequencies
/// only once its validation loss falls below the latter; the trainer records it beside the final validation loss.
/// </summary>
public static class UnigramEntropy
{
    /// <summary>
    /// The loss on <paramref name="evalSplit"/> of the unigram model fitted to <paramref name="fitSplit"/> (token
    /// frequencies with add-½ smoothing, so a token unseen in training costs a finite amount): the validation loss of
    /// the best model that ignores context and learns only from the training tokens. Unlike the plug-in entropy of a
    /// small validation split, it is not biased low by tokens that happen to occur once. Null when either split is empty.
    /// </summary>
    public static async Task<double?> CrossEntropyAsync(string shardsDir, TokenManifest manifest, string fitSplit = "train", string evalSplit = "validation", CancellationToken ct = default)
    {
        var (fit, nFit) = await CountAsync(shardsDir, manifest, fitSplit, ct).ConfigureAwait(false);
        var (eval, nEval) = await CountAsync(shardsDir, manifest, evalSplit, ct).ConfigureAwait(false);
        if (nFit == 0 || nEval == 0) return null;
        double denominator = nFit + 0.5 * fit.Length;
        double loss = 0;
        for (int t = 0; t < eval.Length; t++)
        {
            if (eval[t] == 0) continue;
            loss -= eval[t] * Math.Log((fit[t] + 0.5) / denominator);
        }
        return loss / nEval;
    }

    /// <summary>Nats per token over every token of <paramref name="split"/> (plug-in estimate); null when the split holds no tokens.</summary>
    public static async Task<double?> OfSplitAsync(string shardsDir, TokenManifest manifest, string split, CancellationToken ct = default)
    {
        var (counts, n) = await CountAsync(shardsDir, manifest, split, ct).ConfigureAwait(false);
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

    private static async Task<(long[] Counts, long N)> CountAsync(string shardsDir, TokenManifest manifest, string split, CancellationToken ct)
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
        return (counts, n);
    }
}
