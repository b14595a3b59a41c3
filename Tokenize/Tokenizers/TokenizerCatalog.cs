using DataPipe.Core.Errors;
using DataPipe.Tokenize.Shards;

namespace DataPipe.Tokenize.Tokenizers;

/// <summary>
/// Makes tokenizers from the names a user types (<c>cl100k_base</c>, <c>o200k_base</c>, <c>bpe:DIR</c>, <c>byte</c>),
/// and finds the tokenizer that made a set of shards (from the manifest's identity and the shard folder, which holds the
/// files of a trained tokenizer), checking that it is the same vocabulary, by hash.
/// </summary>
public static class TokenizerCatalog
{
    /// <summary>Where a shard folder keeps a copy of the trained tokenizer that made it.</summary>
    public const string ShardTokenizerDir = "tokenizer";

    /// <summary>What <see cref="Create"/> accepts, for help texts.</summary>
    public const string SpecHelp = "cl100k_base | o200k_base | bpe:DIR (a trained tokenizer folder) | byte";

    /// <summary>The tokenizer named by <paramref name="spec"/>; <c>cl100k</c> and <c>o200k</c> are accepted for the tiktoken encodings.</summary>
    public static ITextTokenizer Create(string spec)
    {
        spec = spec.Trim();
        if (spec.StartsWith("bpe:", StringComparison.Ordinal))
            return ByteLevelBpeTokenizer.Load(spec[4..]);
        return spec switch
        {
            "cl100k_base" or "cl100k" => TiktokenTextTokenizer.Get(TiktokenTextTokenizer.Cl100kBase),
            "o200k_base" or "o200k" => TiktokenTextTokenizer.Get(TiktokenTextTokenizer.O200kBase),
            ByteTokenizer.Kind => ByteTokenizer.Instance,
            _ => throw new DataPipeException($"unknown tokenizer '{spec}' (use {SpecHelp})"),
        };
    }

    public static ITextTokenizer ForShards(string shardDir, TokenManifest manifest)
    {
        var id = manifest.Tokenizer;
        string manifestPath = Path.Combine(shardDir, TokenManifest.FileName);
        ITextTokenizer tokenizer = id.Kind switch
        {
            ByteTokenizer.Kind => ByteTokenizer.Instance,
            TiktokenTextTokenizer.Kind => TiktokenTextTokenizer.Names.Contains(id.Name, StringComparer.Ordinal)
                ? TiktokenTextTokenizer.Get(id.Name)
                : throw new DataPipeException($"{manifestPath}: unknown tiktoken encoding '{id.Name}'"),
            ByteLevelBpeTokenizer.Kind => ByteLevelBpeTokenizer.Load(Path.Combine(shardDir, ShardTokenizerDir)),
            _ => throw new DataPipeException($"{manifestPath}: unknown tokenizer kind '{id.Kind}'"),
        };
        if (tokenizer.Identity.VocabHash != id.VocabHash)
            throw new DataPipeException($"{manifestPath}: tokenizer '{id.Name}' has vocabulary hash {tokenizer.Identity.VocabHash}, the manifest says {id.VocabHash}");
        return tokenizer;
    }
}
