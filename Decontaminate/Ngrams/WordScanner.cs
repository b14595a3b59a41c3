using System.Globalization;
using System.Runtime.CompilerServices;

namespace DataPipe.Decontaminate.Ngrams;

/// <summary>
/// The words of a text as GPT-3's contamination check compares them (Brown et al. 2020, appendix C: n-grams of words,
/// "ignoring case and punctuation"): a word is a run of letters, digits and combining marks, lower-cased; every other
/// character (space, punctuation, symbol) ends it. Apostrophes and invisible characters (soft hyphen, zero-width
/// spaces) are skipped inside a word, so "don't", "don’t" and "dont" are one word, and a word split by an invisible
/// character is still one word. Each word gets a 64-bit hash and its character range in the original text, so a match
/// found on words maps back to the text it covers without building a normalised copy.
/// <para>This is the hot path of decontamination: one pass over the chars, an ASCII table in front of the Unicode
/// rules, no string per word. Buffers grow and are reused across texts.</para>
/// </summary>
public sealed class WordScanner
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    private int[] _starts = new int[1024];
    private int[] _ends = new int[1024];
    private ulong[] _hashes = new ulong[1024];

    /// <summary>Words found by the last <see cref="Scan"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Index of each word's first char in the text.</summary>
    public ReadOnlySpan<int> Starts => _starts.AsSpan(0, Count);

    /// <summary>Index one past each word's last char.</summary>
    public ReadOnlySpan<int> Ends => _ends.AsSpan(0, Count);

    /// <summary>Each word's 64-bit hash (of its lower-cased letters and digits).</summary>
    public ReadOnlySpan<ulong> Hashes => _hashes.AsSpan(0, Count);

    private enum CharClass : byte { Separator, Word, Upper, Skip }

    private static readonly CharClass[] Ascii = BuildAscii();

    private static CharClass[] BuildAscii()
    {
        var t = new CharClass[128];
        for (int c = 0; c < 128; c++)
        {
            t[c] = c is >= 'a' and <= 'z' or >= '0' and <= '9' ? CharClass.Word
                : c is >= 'A' and <= 'Z' ? CharClass.Upper
                : c == '\'' ? CharClass.Skip
                : CharClass.Separator;
        }
        return t;
    }

    /// <summary>Splits <paramref name="text"/> into words; read them through <see cref="Starts"/>, <see cref="Ends"/>, <see cref="Hashes"/>.</summary>
    public void Scan(ReadOnlySpan<char> text)
    {
        int count = 0;
        bool inWord = false;
        int start = 0, end = 0;
        ulong h = FnvOffset;
        var ascii = Ascii;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            CharClass cls;
            if (c < 128)
            {
                cls = ascii[c];
                if (cls == CharClass.Upper)
                {
                    c = (char)(c | 0x20);
                    cls = CharClass.Word;
                }
            }
            else
            {
                cls = Classify(ref c);
            }
            if (cls == CharClass.Word)
            {
                if (!inWord)
                {
                    inWord = true;
                    start = i;
                    h = FnvOffset;
                }
                h = (h ^ c) * FnvPrime;
                end = i + 1;
            }
            else if (cls == CharClass.Separator && inWord)
            {
                if (count == _starts.Length) Grow();
                _starts[count] = start;
                _ends[count] = end;
                _hashes[count] = Mix(h);
                count++;
                inWord = false;
            }
        }
        if (inWord)
        {
            if (count == _starts.Length) Grow();
            _starts[count] = start;
            _ends[count] = end;
            _hashes[count] = Mix(h);
            count++;
        }
        Count = count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CharClass Classify(ref char c)
    {
        switch (c)
        {
            case '\u2019' or '\u02BC' or '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF':
                return CharClass.Skip;
        }
        if (char.IsSurrogate(c)) return CharClass.Separator;
        if (char.IsLetterOrDigit(c))
        {
            c = char.ToLowerInvariant(c);
            return CharClass.Word;
        }
        var cat = char.GetUnicodeCategory(c);
        return cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark ? CharClass.Word : CharClass.Separator;
    }

    private void Grow()
    {
        int n = _starts.Length * 2;
        Array.Resize(ref _starts, n);
        Array.Resize(ref _ends, n);
        Array.Resize(ref _hashes, n);
    }

    /// <summary>
    /// The text as the comparison sees it: words lower-cased, apostrophes and invisible chars dropped, one space
    /// between words. For reports and tests; the matcher never builds it.
    /// </summary>
    public static string Normalize(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length);
        var scanner = new WordScanner();
        scanner.Scan(text);
        for (int w = 0; w < scanner.Count; w++)
        {
            if (w > 0) sb.Append(' ');
            for (int i = scanner._starts[w]; i < scanner._ends[w]; i++)
            {
                char c = text[i];
                CharClass cls = c < 128 ? Ascii[c] : Classify(ref c);
                if (cls == CharClass.Upper) sb.Append((char)(c | 0x20));
                else if (cls == CharClass.Word) sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>MurmurHash3's 64-bit finaliser: spreads every input bit over the output, so top bits index buckets evenly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb93fe53ad34fUL;
        k ^= k >> 33;
        return k;
    }
}
