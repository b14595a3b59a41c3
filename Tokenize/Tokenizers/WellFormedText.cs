using System.Text;

namespace DataPipe.Tokenize.Tokenizers;

/// <summary>
/// Makes a string valid UTF-16 before it is encoded to UTF-8 bytes: each lone surrogate becomes U+FFFD, which is what
/// UTF-8 encoders (and so tiktoken) do. Microsoft.ML.Tokenizers would otherwise encode a lone surrogate as three bytes
/// that are not UTF-8. Strings without surrogates (nearly all) are returned as they are, without a copy.
/// </summary>
internal static class WellFormedText
{
    public static string Of(string text)
    {
        var span = text.AsSpan();
        int first = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0 || !HasLoneSurrogate(span[first..])) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes()) sb.Append(rune.ToString());
        return sb.ToString();
    }

    private static bool HasLoneSurrogate(ReadOnlySpan<char> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }
}
