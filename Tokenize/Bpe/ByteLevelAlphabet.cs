namespace DataPipe.Tokenize.Bpe;

/// <summary>
/// GPT-2's byte-level alphabet (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners", section
/// 2.2): every byte 0..255 is shown as one printable Unicode character, so a byte string is a text string and
/// <c>vocab.json</c>/<c>merges.txt</c> can hold any token. Printable Latin-1 bytes (<c>!</c>..<c>~</c>,
/// <c>¡</c>..<c>¬</c>, <c>®</c>..<c>ÿ</c>) stand for themselves; the other 68 bytes take the characters U+0100.. in byte
/// order (so a space, 0x20, is <c>Ġ</c>). This is the mapping Microsoft.ML.Tokenizers applies for a byte-level BPE.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    public static char CharOf(byte b) => ByteToChar[b];

    /// <summary>The alphabet form of a byte string.</summary>
    public static string ToText(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (dest, src) =>
        {
            for (int i = 0; i < src.Length; i++) dest[i] = ByteToChar[src[i]];
        });
    }

    private static char[] Build()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }
}
