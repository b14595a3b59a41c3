using DataPipe.Core.Stages;
using DataPipe.Filter.Rules;

namespace DataPipe.Tests.Filter;

public class LanguageRuleTests
{
    private readonly LanguageRule _rule = new(new LanguageRuleOptions());

    [Fact]
    public void English_above_the_confidence_threshold_is_kept()
        => Assert.Null(_rule.Check(CraftedText.Doc(CraftedText.Prose, "en", 0.65f), new Counters()));

    [Fact]
    public void Another_language_is_dropped_as_other_language()
        => Assert.Equal("other_language", _rule.Check(CraftedText.Doc(CraftedText.Prose, "de", 0.99f), new Counters()));

    [Fact]
    public void English_below_the_confidence_threshold_is_dropped_as_low_confidence()
        => Assert.Equal("low_confidence", _rule.Check(CraftedText.Doc(CraftedText.Prose, "en", 0.64f), new Counters()));

    [Fact]
    public void Configured_languages_and_threshold_replace_the_defaults()
    {
        var rule = new LanguageRule(new LanguageRuleOptions { Languages = ["de", "fr"], MinScore = 0.3f });
        Assert.Null(rule.Check(CraftedText.Doc(CraftedText.Prose, "fr", 0.31f), new Counters()));
        Assert.Equal("other_language", rule.Check(CraftedText.Doc(CraftedText.Prose, "en", 0.99f), new Counters()));
    }
}
