using System.Security.Cryptography;
using DataPipe.Core.Errors;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Tokenize.Shards;

/// <summary>What <see cref="TokenShardVerifier"/> checked.</summary>
public sealed record TokenShardReport(int Shards, long Rows, long Tokens, TokenizerIdentity Tokenizer, string SampleDocId, string SampleText);

/// <summary>
/// Re-reads a token shard folder and checks it against its <c>manifest.json</c>: the tokenizer is the one the manifest
/// names (same vocabulary hash), every shard's SHA-256, row count and token count match, every token id is below the
/// vocabulary size, every row ends with end-of-text, the totals add up, and a sample document decodes back to text.
/// The first difference is an error naming the shard.
/// </summary>
public static class TokenShardVerifier
{
    public static async Task<TokenShardReport> VerifyAsync(string dir, CancellationToken ct = default)
    {
        dir = Path.GetFullPath(dir);
        var manifest = TokenManifest.Load(dir);
        var tokenizer = TokenizerCatalog.ForShards(dir, manifest);
        int vocab = manifest.Tokenizer.VocabSize, eot = manifest.Tokenizer.EotId;
        long rows = 0, tokens = 0;
        string sampleId = "", sampleText = "";
        foreach (var shard in manifest.Shards)
        {
            string path = Path.Combine(dir, shard.File);
            if (!File.Exists(path)) throw new DataPipeException($"{path}: shard listed in the manifest is missing");
            string sha;
            await using (var fs = File.OpenRead(path))
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(fs, ct).ConfigureAwait(false));
            if (sha != shard.Sha256) throw new DataPipeException($"{path}: SHA-256 is {sha}, the manifest says {shard.Sha256}");
            long shardRows = 0, shardTokens = 0;
            await foreach (var row in TokenShardReader.ReadAsync(path, ct).ConfigureAwait(false))
            {
                shardRows++;
                shardTokens += row.Tokens.Length;
                foreach (int id in row.Tokens)
                    if ((uint)id >= (uint)vocab) throw new DataPipeException($"{path}: document {row.DocId} has token id {id}, outside the vocabulary of {vocab}");
                if (row.Tokens.Length == 0 || row.Tokens[^1] != eot)
                    throw new DataPipeException($"{path}: document {row.DocId} does not end with end-of-text ({eot})");
                if (sampleId.Length == 0)
                {
                    sampleId = row.DocId;
                    sampleText = tokenizer.Decode(row.Tokens);
                }
            }
            if (shardRows != shard.Rows) throw new DataPipeException($"{path}: {shardRows} rows, the manifest says {shard.Rows}");
            if (shardTokens != shard.Tokens) throw new DataPipeException($"{path}: {shardTokens} tokens, the manifest says {shard.Tokens}");
            rows += shardRows;
            tokens += shardTokens;
        }
        var manifestPath = Path.Combine(dir, TokenManifest.FileName);
        foreach (var (split, totals) in new[] { ("train", manifest.Train), ("validation", manifest.Validation) })
        {
            long r = manifest.ShardsOf(split).Sum(s => s.Rows), t = manifest.ShardsOf(split).Sum(s => s.Tokens);
            if (r != totals.Rows || t != totals.Tokens)
                throw new DataPipeException($"{manifestPath}: {split} totals say {totals.Rows} rows / {totals.Tokens} tokens, its shards hold {r} / {t}");
        }
        return new TokenShardReport(manifest.Shards.Count, rows, tokens, manifest.Tokenizer, sampleId, sampleText);
    }
}
