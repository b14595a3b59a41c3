using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Stages;
using DataPipe.Filter.Rules;
using DataPipe.Jobs.Execution;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Filter;

/// <summary>Options of the test-only rule below.</summary>
public sealed record MinCharsOptions
{
    public int MinChars { get; init; } = 1;
}

/// <summary>A rule that lives outside the Filter assembly, declared in this one file: drops texts shorter than min_chars.</summary>
public sealed class MinCharsRule(MinCharsOptions options) : IDocumentRule
{
    public static readonly FilterRuleDefinition<MinCharsOptions> Definition = new("test_min_chars", 50,
        new OptionSchema<MinCharsOptions>("test_min_chars rule options")
            .Int("min_chars", "Fewest characters", o => o.MinChars, (o, v) => o with { MinChars = v }, min: 1),
        o => new MinCharsRule(o))
    {
        // Off unless a pipeline names it, so that registering it changes no other test's filter.
        DefaultOn = false,
    };

    public string Name => Definition.Name;

    public string? Check(Document doc, Counters counters) => doc.Text.Length < options.MinChars ? "too_short" : null;
}

/// <summary>A rule registered by name is usable from a pipeline file's <c>rules:</c> section, its options checked by its schema.</summary>
public class RulePluginTests
{
    private const string NoBuiltIns = "language: false, gopher_quality: false, gopher_repetition: false, c4_lines: false";

    static RulePluginTests() => FilterRuleRegistry.Register(MinCharsRule.Definition);

    private static string Pipeline(string docs, string rules) => $$"""
        output: out
        inputs: { docs: {{docs}} }
        executor: { workers: 1, attempts: 1 }
        stages:
          - name: filter
            kind: filter
            input: docs
            options:
              rules: { {{rules}} }
        """;

    [Fact]
    public async Task A_registered_rule_named_in_a_pipeline_files_rules_section_drops_by_its_configured_threshold()
    {
        using var dir = new TempDir("rule-plugin");
        // Texts of documents 0-9 are 82 characters long, those of 10-19 are 83.
        string docs = await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 20, parts: 2);
        var p = JobsFixtures.Load(dir.Path, Pipeline(docs, NoBuiltIns + ", test_min_chars: { min_chars: 83 }"));
        await new LocalPipelineExecutor(1, 1).RunAsync(p, p.Steps);

        var counters = DatasetFolder.ReadSuccess(p.Steps[0].OutputDir)!.Counters;
        Assert.Equal(10, counters["dropped.test_min_chars.too_short"]);
        Assert.Equal(10, counters["kept"]);
    }

    [Fact]
    public async Task A_registered_rule_that_is_off_by_default_does_not_run_unless_named()
    {
        using var dir = new TempDir("rule-plugin-off");
        string docs = await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 4, parts: 1);
        var p = JobsFixtures.Load(dir.Path, Pipeline(docs, NoBuiltIns));
        await new LocalPipelineExecutor(1, 1).RunAsync(p, p.Steps);

        var counters = DatasetFolder.ReadSuccess(p.Steps[0].OutputDir)!.Counters;
        Assert.DoesNotContain(counters.Keys, k => k.StartsWith("dropped.", StringComparison.Ordinal));
        Assert.Equal(4, counters["kept"]);
    }

    [Fact]
    public void A_registered_rules_unknown_key_and_out_of_range_threshold_are_refused_naming_the_key()
    {
        using var dir = new TempDir("rule-plugin-keys");
        var unknown = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, Pipeline(dir["docs"], "test_min_chars: { min_charz: 3 }")));
        Assert.Contains("stages[0].options.rules.test_min_chars.min_charz: unknown key", unknown.Message);

        var range = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, Pipeline(dir["docs"], "test_min_chars: { min_chars: 0 }")));
        Assert.Contains("stages[0].options.rules.test_min_chars.min_chars: 0 is out of range", range.Message);

        var unregistered = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, Pipeline(dir["docs"], "test_max_chars: true")));
        Assert.Contains("stages[0].options.rules.test_max_chars: unknown key", unregistered.Message);
    }
}
