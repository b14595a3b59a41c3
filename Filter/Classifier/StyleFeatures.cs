namespace DataPipe.Filter.Classifier;

/// <summary>
/// Features of how a text is written rather than what it is about, hashed into the same buckets as the word features
/// (<see cref="FeatureSettings.Style"/>). Word features let a classifier separate curated from raw text by topic: the
/// sites and subjects of its positives. These are topic-blind:
/// <list type="bullet">
/// <item>trigrams of the text with every word that is not an English function word replaced by its shape (capitalised,
/// lower case, all capitals, number, mixed) and every punctuation mark kept: "the [lower] of [Cap] ," — the grammar of
/// running prose against the "[Cap] | [Cap] | [Cap]" of a menu (the text-distortion idea of Stamatatos 2017, "Authorship
/// attribution using text distortion");</item>
/// <item>one feature per line: its length in words (bucketed) with the class of its last character, so that a page of
/// short lines ending without punctuation reads differently from paragraphs ending in full stops.</item>
/// </list>
/// Each feature is one occurrence, as the word features are; all of a document's features share one weight.
/// </summary>
public static class StyleFeatures
{
    private const ulong TrigramSalt = 0xD1B54A32D192ED03UL;
    private const ulong LineSalt = 0x8CB92BA72F3D8DD7UL;

    // Word shapes: small numbers that cannot collide with a function word's 64-bit hash in practice.
    private const ulong ShapeLower = 1, ShapeCapital = 2, ShapeUpper = 3, ShapeNumber = 4, ShapeMixed = 5;

    /// <summary>English function words (articles, pronouns, prepositions, conjunctions, auxiliaries, common adverbs).</summary>
    private static readonly string[] FunctionWords =
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
        "does", "doing", "down", "during", "each", "either", "even", "ever", "every", "few", "for", "from", "further",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
        "i", "if", "in", "into", "is", "it", "its", "itself", "just", "less", "may", "me", "might", "more", "most", "much",
        "must", "my", "myself", "neither", "never", "no", "nor", "not", "now", "of", "off", "often", "on", "once", "only",
        "or", "other", "our", "ours", "ourselves", "out", "over", "own", "perhaps", "rather", "same", "shall", "she",
        "should", "since", "so", "some", "still", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
        "then", "there", "therefore", "these", "they", "this", "those", "though", "through", "thus", "to", "too", "under",
        "until", "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where", "whether", "which", "while",
        "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours",
        "yourself", "yourselves",
    ];

    private static readonly HashSet<ulong> FunctionWordHashes = [.. FunctionWords.Select(w => HashWord(w))];

    /// <summary>Appends the bucket of every style feature of <paramref name="text"/>; returns how many.</summary>
    public static int Extract(ReadOnlySpan<char> text, int mask, List<int> buckets)
    {
        int before = buckets.Count;
        ulong t1 = 0, t2 = 0; // the two previous tokens of the distorted text
        int seen = 0;
        int lineWords = 0;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (HashedFeatures.IsWordChar(c))
            {
                ulong h = HashedFeatures.FnvOffset;
                bool upperFirst = char.IsUpper(c), allUpper = true, allDigit = true, anyUpperLater = false;
                int start = i;
                for (; i < text.Length && HashedFeatures.IsWordChar(text[i]); i++)
                {
                    char w = text[i];
                    bool digit = (uint)(w - '0') <= 9;
                    bool upper = char.IsUpper(w);
                    allDigit &= digit;
                    allUpper &= upper || digit;
                    if (i > start && upper) anyUpperLater = true;
                    h = (h ^ HashedFeatures.Lower(w)) * HashedFeatures.FnvPrime;
                }
                ulong word = HashedFeatures.Mix(h);
                ulong token = FunctionWordHashes.Contains(word) ? word
                    : allDigit ? ShapeNumber
                    : allUpper && i - start > 1 ? ShapeUpper
                    : upperFirst && !anyUpperLater ? ShapeCapital
                    : !upperFirst && !anyUpperLater ? ShapeLower
                    : ShapeMixed;
                Push(token, ref t1, ref t2, ref seen, mask, buckets);
                lineWords++;
                continue;
            }
            if (c == '\n')
            {
                Line(lineWords, LastClass(text[..i]), mask, buckets);
                lineWords = 0;
                // A line break is a token too, so trigrams see where lines end.
                Push(10, ref t1, ref t2, ref seen, mask, buckets);
            }
            else if (!char.IsWhiteSpace(c))
            {
                Push(HashedFeatures.Mix(0x5000UL + c), ref t1, ref t2, ref seen, mask, buckets);
            }
            i++;
        }
        if (lineWords > 0) Line(lineWords, LastClass(text), mask, buckets);
        return buckets.Count - before;
    }

    private static void Push(ulong token, ref ulong t1, ref ulong t2, ref int seen, int mask, List<int> buckets)
    {
        if (seen >= 2) buckets.Add((int)(HashedFeatures.Mix(((t2 * 31 + t1) * 31 + token) ^ TrigramSalt) & (ulong)mask));
        t2 = t1;
        t1 = token;
        seen++;
    }

    private static void Line(int words, int lastClass, int mask, List<int> buckets)
    {
        int length = words switch { 0 => 0, 1 => 1, 2 => 2, <= 5 => 3, <= 10 => 4, <= 20 => 5, <= 40 => 6, _ => 7 };
        buckets.Add((int)(HashedFeatures.Mix(LineSalt + (ulong)(length * 8 + lastClass)) & (ulong)mask));
    }

    /// <summary>The class of the last non-space character of a line: 0 letter, 1 '.', 2 '!' or '?', 3 ':', 4 digit, 5 other.</summary>
    private static int LastClass(ReadOnlySpan<char> upToLineEnd)
    {
        int k = upToLineEnd.Length - 1;
        while (k >= 0 && upToLineEnd[k] != '\n' && char.IsWhiteSpace(upToLineEnd[k])) k--;
        if (k < 0 || upToLineEnd[k] == '\n') return 5;
        char c = upToLineEnd[k];
        return c == '.' ? 1 : c is '!' or '?' ? 2 : c == ':' ? 3 : char.IsDigit(c) ? 4 : char.IsLetter(c) ? 0 : 5;
    }

    private static ulong HashWord(string word)
    {
        ulong h = HashedFeatures.FnvOffset;
        foreach (char c in word) h = (h ^ c) * HashedFeatures.FnvPrime;
        return HashedFeatures.Mix(h);
    }
}
