using DataPipe.Core.Text;

namespace DataPipe.Tests.Core;

public class TextNormalizerTests
{
    [Fact]
    public void Case_punctuation_digits_and_spacing_do_not_change_the_normalized_text()
    {
        Assert.Equal(TextNormalizer.Normalize("Hello, World! Posted 2024-05-01."), TextNormalizer.Normalize("hello   world\n\nposted 1999/12/31"));
    }

    [Fact]
    public void Compatibility_forms_fold_to_the_same_letters()
    {
        Assert.Equal("fine", TextNormalizer.Normalize("ﬁne"));
        Assert.Equal(TextNormalizer.Normalize("Ｆｕｌｌｗｉｄｔｈ"), TextNormalizer.Normalize("fullwidth"));
    }

    [Fact]
    public void Content_hash_is_equal_for_equal_normalized_text_and_differs_otherwise()
    {
        Assert.Equal(ContentHash.Of("A cat sat."), ContentHash.Of("a CAT   sat"));
        Assert.NotEqual(ContentHash.Of("a cat sat"), ContentHash.Of("a dog sat"));
    }

    [Fact]
    public void Empty_and_whitespace_text_normalize_to_empty()
    {
        Assert.Equal("", TextNormalizer.Normalize(""));
        Assert.Equal("", TextNormalizer.Normalize(" \n\t ..."));
    }
}
