using DataPipe.Core.Stages;
using DataPipe.Filter.Rules;

namespace DataPipe.Tests.Filter;

public class GopherQualityRuleTests
{
    private readonly GopherQualityRule _rule = new(new GopherQualityOptions());

    private string? Check(string text) => _rule.Check(CraftedText.Doc(text), new Counters());

    [Fact]
    public void Ordinary_prose_is_kept() => Assert.Null(Check(CraftedText.Prose));

    [Fact]
    public void Fewer_than_50_words_is_dropped_for_word_count()
        => Assert.Equal("word_count", Check("The bridge held, but the lower streets were flooded for a week."));

    [Fact]
    public void More_than_the_maximum_words_is_dropped_for_word_count()
    {
        var rule = new GopherQualityRule(new GopherQualityOptions { MaxWords = 100 });
        Assert.Equal("word_count", rule.Check(CraftedText.Doc(CraftedText.Prose), new Counters()));
    }

    [Fact]
    public void Very_long_words_are_dropped_for_mean_word_length()
        => Assert.Equal("mean_word_length", Check(string.Join(' ', Enumerable.Repeat("the antidisestablishmentarianism of", 40))));

    [Fact]
    public void Very_short_words_are_dropped_for_mean_word_length()
        => Assert.Equal("mean_word_length", Check(string.Join(' ', Enumerable.Repeat("a b to of c d e", 20))));

    [Fact]
    public void Many_hash_symbols_are_dropped_for_hash_ratio()
        => Assert.Equal("hash_ratio", Check(CraftedText.Prose + "\n\n" + string.Join(' ', Enumerable.Repeat("#news", 25))));

    [Fact]
    public void Many_ellipses_are_dropped_for_ellipsis_ratio()
        => Assert.Equal("ellipsis_ratio", Check(string.Join(' ', Enumerable.Repeat("the river rose... and the bridge held", 12))));

    [Fact]
    public void Mostly_bulleted_lines_are_dropped_for_bullet_lines()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $"• The item number {i} is one of the things that the shop has in stock with care");
        Assert.Equal("bullet_lines", Check(string.Join('\n', lines)));
    }

    [Fact]
    public void Many_lines_ending_in_an_ellipsis_are_dropped_for_ellipsis_lines()
    {
        var lines = Enumerable.Range(0, 10).Select(i => i % 2 == 0
            ? $"Read the whole story of the town and the river and the bridge in part {i} of our long series..."
            : $"The council met again to talk about the wall and the bridge for the {i}th time this year.");
        Assert.Equal("ellipsis_lines", Check(string.Join('\n', lines)));
    }

    [Fact]
    public void Mostly_numeric_words_are_dropped_for_alphabetic_words()
        => Assert.Equal("alphabetic_words", Check("The table of the values with the data: " + string.Join(' ', Enumerable.Range(1000, 60))));

    [Fact]
    public void Text_without_two_different_stop_words_is_dropped_for_stop_words()
        => Assert.Equal("stop_words", Check(string.Join(' ', CraftedText.DistinctWords(60)) + " the the the"));

    [Fact]
    public void Two_different_stop_words_are_enough()
        => Assert.Null(Check(string.Join(' ', CraftedText.DistinctWords(60)) + " the with"));
}
