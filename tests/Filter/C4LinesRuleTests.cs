using DataPipe.Core.Stages;
using DataPipe.Filter.Rules;

namespace DataPipe.Tests.Filter;

public class C4LinesRuleTests
{
    private readonly C4LinesRule _rule = new(new C4LinesOptions());

    [Fact]
    public void Ordinary_prose_is_kept_unchanged()
    {
        var doc = CraftedText.Doc(CraftedText.Prose);
        Assert.Null(_rule.Check(doc, new Counters()));
        Assert.Equal(CraftedText.Prose, doc.Text);
    }

    [Fact]
    public void Menu_lines_and_short_lines_are_removed_and_counted_by_reason()
    {
        var doc = CraftedText.Doc("Home\nAbout us\nContact\n\n" + CraftedText.Prose + "\n\nShare this:\nSo good!");
        var counters = new Counters();
        Assert.Null(_rule.Check(doc, counters));
        Assert.Equal(CraftedText.Prose, doc.Text);
        Assert.Equal(4, counters["c4_lines.removed_lines.no_terminal_punctuation"]);
        Assert.Equal(1, counters["c4_lines.removed_lines.too_few_words"]);
    }

    [Fact]
    public void Javascript_and_policy_lines_are_removed()
    {
        var doc = CraftedText.Doc(CraftedText.Prose + "\nPlease enable JavaScript in your browser to see this page.\nBy using this site you agree to our Privacy Policy and terms.");
        var counters = new Counters();
        Assert.Null(_rule.Check(doc, counters));
        Assert.Equal(CraftedText.Prose, doc.Text);
        Assert.Equal(1, counters["c4_lines.removed_lines.javascript"]);
        Assert.Equal(1, counters["c4_lines.removed_lines.policy"]);
    }

    [Fact]
    public void Lorem_ipsum_drops_the_page()
        => Assert.Equal("lorem_ipsum", _rule.Check(CraftedText.Doc(CraftedText.Prose + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit."), new Counters()));

    [Fact]
    public void A_curly_bracket_drops_the_page()
        => Assert.Equal("curly_bracket", _rule.Check(CraftedText.Doc(CraftedText.Prose + "\nfunction show() { return the value of the box; }."), new Counters()));

    [Fact]
    public void A_curly_bracket_on_a_line_removed_anyway_does_not_drop_the_page()
        => Assert.Null(_rule.Check(CraftedText.Doc(CraftedText.Prose + "\nvar x = {"), new Counters()));

    [Fact]
    public void Fewer_than_three_sentences_after_cleaning_drops_the_page()
        => Assert.Equal("too_few_sentences", _rule.Check(CraftedText.Doc("Menu\nThe river town grew slowly around the old stone bridge.\nLogin\nFarmers brought their grain to the market on Saturdays.\nFooter"), new Counters()));
}
