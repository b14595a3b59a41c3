using DataPipe.Core.Stages;
using DataPipe.Filter.Rules;

namespace DataPipe.Tests.Filter;

public class GopherRepetitionRuleTests
{
    private readonly GopherRepetitionRule _rule = new(new GopherRepetitionOptions());

    private string? Check(string text) => _rule.Check(CraftedText.Doc(text), new Counters());

    private static readonly string[] Lines = CraftedText.Prose.Split("\n\n").SelectMany(p => p.Split(". ")).ToArray();

    [Fact]
    public void Ordinary_prose_is_kept() => Assert.Null(Check(CraftedText.Prose));

    [Fact]
    public void A_third_of_the_lines_repeated_is_dropped_for_duplicate_lines()
    {
        var lines = Lines.Take(10).Concat(Lines.Take(5)).ToArray();
        Assert.Equal("duplicate_lines", Check(string.Join('\n', lines)));
    }

    [Fact]
    public void A_quarter_of_the_lines_repeated_is_under_the_line_count_threshold_but_over_the_characters_threshold()
    {
        var lines = Lines.Take(9).Concat(Lines.Take(3)).ToArray();
        Assert.Equal("duplicate_line_chars", Check(string.Join('\n', lines)));
    }

    [Fact]
    public void Repeated_paragraphs_are_dropped_for_duplicate_paragraphs()
    {
        var paragraphs = CraftedText.Prose.Split("\n\n");
        Assert.Equal("duplicate_paragraphs", Check(string.Join("\n\n", paragraphs.Concat(paragraphs.Take(2)))));
    }

    [Fact]
    public void One_bigram_making_up_most_of_the_text_is_dropped_for_top_2gram()
        => Assert.Equal("top_2gram", Check(string.Join(' ', CraftedText.DistinctWords(40).Select(w => $"{w} new york"))));

    [Fact]
    public void A_sentence_repeated_inside_a_line_is_dropped_for_duplicate_5gram()
    {
        const string sentence = "the quick brown fox jumps over the lazy sleeping dog";
        var words = CraftedText.DistinctWords(70).ToArray();
        string text = string.Join(' ', words[..25]) + " " + sentence + " " + string.Join(' ', words[25..50]) + " " + sentence + " " + string.Join(' ', words[50..]) + " " + sentence;
        Assert.Equal("duplicate_5gram", Check(text));
    }

    [Fact]
    public void Thresholds_are_options()
    {
        var lenient = new GopherRepetitionRule(new GopherRepetitionOptions
        {
            MaxDuplicateLineFraction = 0.5,
            MaxDuplicateLineCharFraction = 0.5,
            MaxDuplicateNGramCharFraction = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        });
        var lines = Lines.Take(10).Concat(Lines.Take(5)).ToArray();
        Assert.Null(lenient.Check(CraftedText.Doc(string.Join('\n', lines)), new Counters()));
    }
}
