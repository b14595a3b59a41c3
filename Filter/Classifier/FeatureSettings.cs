namespace DataPipe.Filter.Classifier;

/// <summary>
/// How a text becomes features, saved with the model so training and scoring agree: lower-cased words (runs of
/// letters and digits) and, when <see cref="Bigrams"/>, pairs of adjacent words, each hashed into one of
/// 2^<see cref="HashBits"/> buckets. GPT-3's classifier used hashed word features the same way (Brown et al. 2020,
/// appendix A: Spark's HashingTF with a logistic regression). With <see cref="Style"/>, topic-blind features of how the
/// text is written go into the same buckets (<see cref="StyleFeatures"/>); <see cref="Words"/> false leaves only those.
/// </summary>
public sealed record FeatureSettings
{
    /// <summary>log2 of the number of buckets: 18..22 (2^20 = 1,048,576 by default).</summary>
    public int HashBits { get; init; } = 20;

    /// <summary>Also hash adjacent word pairs.</summary>
    public bool Bigrams { get; init; } = true;

    /// <summary>Hash the words (and, with <see cref="Bigrams"/>, word pairs); false leaves only the style features.</summary>
    public bool Words { get; init; } = true;

    /// <summary>Also hash topic-blind features of how the text is written (<see cref="StyleFeatures"/>).</summary>
    public bool Style { get; init; }

    /// <summary>Only the first this many characters of a document are read (long documents cost no more than this).</summary>
    public int MaxChars { get; init; } = 100_000;

    public int Buckets => 1 << HashBits;

    public void Validate(string where)
    {
        if (HashBits is < 10 or > 24) throw new Core.Errors.DataPipeException($"{where}: hash_bits must be 10..24, is {HashBits}");
        if (!Words && !Style) throw new Core.Errors.DataPipeException($"{where}: no features: words and style are both off");
        if (MaxChars < 1) throw new Core.Errors.DataPipeException($"{where}: max_chars must be positive, is {MaxChars}");
    }
}
