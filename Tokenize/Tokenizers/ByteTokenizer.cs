using System.Security.Cryptography;
using System.Text;
using DataPipe.Tokenize.Shards;

namespace DataPipe.Tokenize.Tokenizers;

/// <summary>
/// The simplest lossless tokenizer: one token per UTF-8 byte (ids 0..255) and end-of-text as 256. Useful for tests
/// and for tiny character-level models; text that is not valid UTF-16 is encoded with replacement characters.
/// </summary>
public sealed class ByteTokenizer : ITextTokenizer
{
    public const string Kind = "byte";
    public const int EndOfText = 256;

    public static readonly ByteTokenizer Instance = new();

    public TokenizerIdentity Identity { get; } = new()
    {
        Kind = Kind,
        Name = "utf8-bytes",
        VocabHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("utf8-bytes:256+eot"))),
        VocabSize = 257,
        EotId = EndOfText,
    };

    public int[] Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var ids = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) ids[i] = bytes[i];
        return ids;
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length);
        foreach (int id in ids)
            if (id is >= 0 and < 256) bytes.Add((byte)id);
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
