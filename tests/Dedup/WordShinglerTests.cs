using DataPipe.Dedup.Shingles;

namespace DataPipe.Tests.Dedup;

public class WordShinglerTests
{
    [Fact]
    public void A_text_of_w_words_has_w_minus_n_plus_one_shingles()
    {
        var s = new WordShingler(3);
        Assert.Equal(4, s.Shingle("one two three four five six").Length);
    }

    [Fact]
    public void Casing_punctuation_digits_and_spacing_do_not_change_shingles()
    {
        var s = new WordShingler(2);
        Assert.Equal(s.Shingle("The cat sat on 12 mats."), s.Shingle("  the CAT, sat on\n\n 99 mats!"));
    }

    [Fact]
    public void Equal_word_runs_hash_equal_wherever_they_occur()
    {
        var s = new WordShingler(2);
        var h = s.Shingle("alpha beta gamma alpha beta");
        Assert.Equal(h[0], h[3]);
        Assert.NotEqual(h[0], h[1]);
    }

    [Fact]
    public void A_text_shorter_than_n_words_is_one_shingle_and_an_empty_text_none()
    {
        var s = new WordShingler(5);
        Assert.Single(s.Shingle("just three words"));
        Assert.Empty(s.Shingle(" .,; "));
        Assert.NotEqual(s.Shingle("just three words")[0], s.Shingle("just three birds")[0]);
    }

    [Fact]
    public void Word_order_matters_within_a_shingle()
    {
        var s = new WordShingler(2);
        Assert.NotEqual(s.Shingle("red blue")[0], s.Shingle("blue red")[0]);
    }
}
