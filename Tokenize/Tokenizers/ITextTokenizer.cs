using DataPipe.Tokenize.Shards;

namespace DataPipe.Tokenize.Tokenizers;

/// <summary>
/// What the pipeline needs of a tokenizer: encode text to ids, decode ids to text, the end-of-text id, and an
/// identity (kind, name, vocabulary hash) recorded in the shard manifest and in checkpoints.
/// </summary>
public interface ITextTokenizer
{
    TokenizerIdentity Identity { get; }

    int EotId => Identity.EotId;

    int VocabSize => Identity.VocabSize;

    /// <summary>Token ids of <paramref name="text"/>, without end-of-text. Never throws on odd input.</summary>
    int[] Encode(string text);

    /// <summary>A document as the shards hold it: the ids of <paramref name="text"/> followed by end-of-text.</summary>
    int[] EncodeDocument(string text)
    {
        var ids = Encode(text);
        var row = new int[ids.Length + 1];
        ids.CopyTo(row, 0);
        row[^1] = EotId;
        return row;
    }

    /// <summary>Text of <paramref name="ids"/>; end-of-text ids decode to nothing.</summary>
    string Decode(ReadOnlySpan<int> ids);
}
