using DataPipe.Core.Stages;
using DataPipe.Filter.Rules;

namespace DataPipe.Tests.Filter;

public class RuleChainTests
{
    [Fact]
    public void The_first_failing_rule_names_the_drop()
    {
        var chain = new RuleChain(new FilterRulesOptions());
        var doc = CraftedText.Doc("too short", "fr", 0.9f);
        Assert.Equal("language.other_language", chain.Apply(doc, new Counters()));
        Assert.Equal("gopher_quality.word_count", chain.Apply(CraftedText.Doc("too short"), new Counters()));
    }

    [Fact]
    public void Prose_passes_every_rule()
        => Assert.Null(new RuleChain(new FilterRulesOptions()).Apply(CraftedText.Doc(CraftedText.Prose), new Counters()));

    [Fact]
    public void A_rule_set_turned_off_does_not_run()
    {
        var chain = new RuleChain(new FilterRulesOptions().Without("language", "gopher_quality"));
        Assert.Equal(["gopher_repetition", "c4_lines"], chain.Rules.Select(r => r.Name));
        Assert.Null(chain.Apply(CraftedText.Doc(CraftedText.Prose, "fr", 0.1f), new Counters()));
    }
}
