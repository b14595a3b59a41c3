using DataPipe.Core.Errors;
using DataPipe.Filter.Classifier;

namespace DataPipe.Tests.Filter;

public class StyleFeaturesTests
{
    private static readonly FeatureSettings StyleOnly = new() { HashBits = 18, Words = false, Style = true };
    private static readonly FeatureSettings WordsOnly = new() { HashBits = 18 };

    private static List<int> Features(string text, FeatureSettings settings)
    {
        var buckets = new List<int>();
        HashedFeatures.Extract(text, settings, buckets);
        return buckets;
    }

    [Fact]
    public void Texts_that_differ_only_in_content_words_have_the_same_style_features_and_different_word_features()
    {
        const string a = "The harbour was rebuilt in 1854, and the town grew around it.\nIts trade never recovered.";
        const string b = "The cathedral was restored in 1921, and the city spread beyond it.\nIts choir never returned.";
        Assert.Equal(Features(a, StyleOnly), Features(b, StyleOnly));
        Assert.NotEqual(Features(a, WordsOnly), Features(b, WordsOnly));
    }

    [Fact]
    public void Function_words_punctuation_and_line_ends_change_the_style_features()
    {
        const string sentence = "The harbour was rebuilt in 1854, and the town grew around it.";
        Assert.NotEqual(Features(sentence, StyleOnly), Features(sentence.Replace(" and ", " but "), StyleOnly));
        Assert.NotEqual(Features(sentence, StyleOnly), Features(sentence.Replace(",", ""), StyleOnly));
        Assert.NotEqual(Features(sentence, StyleOnly), Features(sentence.TrimEnd('.'), StyleOnly));
        Assert.NotEqual(Features(sentence, StyleOnly), Features(sentence.Replace(" the town", "\nthe town"), StyleOnly));
    }

    [Fact]
    public void Style_features_are_added_after_the_word_features_when_both_are_on()
    {
        const string text = "A menu line\nAnother line of prose, with a comma.";
        var both = Features(text, WordsOnly with { Style = true });
        Assert.Equal([.. Features(text, WordsOnly), .. Features(text, StyleOnly)], both);
    }

    [Fact]
    public void Settings_with_neither_words_nor_style_are_refused()
    {
        var e = Assert.Throws<DataPipeException>(() => new FeatureSettings { Words = false }.Validate("classifier"));
        Assert.Contains("words and style are both off", e.Message);
    }
}
