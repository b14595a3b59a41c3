using DataPipe.Core.Errors;
using DataPipe.Tokenize.Shards;

namespace DataPipe.Tokenize.Tokenizers;

/// <summary>
/// Finds the tokenizer that made a set of shards (from the manifest's identity and the shard folder, which holds the
/// files of a trained tokenizer) and checks that it is the same vocabulary, by hash.
/// </summary>
public static class TokenizerCatalog
{
    public static ITextTokenizer ForShards(string shardDir, TokenManifest manifest)
    {
        var id = manifest.Tokenizer;
        ITextTokenizer tokenizer = id.Kind switch
        {
            ByteTokenizer.Kind => ByteTokenizer.Instance,
            _ => throw new DataPipeException($"{Path.Combine(shardDir, TokenManifest.FileName)}: unknown tokenizer kind '{id.Kind}'"),
        };
        if (tokenizer.Identity.VocabHash != id.VocabHash)
            throw new DataPipeException($"{Path.Combine(shardDir, TokenManifest.FileName)}: tokenizer '{id.Name}' has vocabulary hash {tokenizer.Identity.VocabHash}, the manifest says {id.VocabHash}");
        return tokenizer;
    }
}
