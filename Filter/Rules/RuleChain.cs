using DataPipe.Core.Documents;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Rules;

/// <summary>One rule that runs, by its registered name, with its options (plain data: hashed into the stage's config hash).</summary>
public sealed record ConfiguredRule(string Name, object Options);

/// <summary>Which rules run, with their thresholds. The default is every rule that is on by default, with its defaults.</summary>
public sealed record FilterRulesOptions
{
    public IReadOnlyList<ConfiguredRule> Enabled { get; init; } = FilterRuleRegistry.Defaults();

    /// <summary>No rule at all.</summary>
    public static FilterRulesOptions None => new() { Enabled = [] };

    /// <summary>These options without the named rules.</summary>
    public FilterRulesOptions Without(params string[] names) => this with { Enabled = [.. Enabled.Where(r => !names.Contains(r.Name))] };

    /// <summary>
    /// These options with the named rule running with <paramref name="options"/>, kept in chain order so that the same
    /// rules and options always hash the same.
    /// </summary>
    public FilterRulesOptions With(string name, object options) => this with
    {
        Enabled = [.. Without(name).Enabled.Append(new ConfiguredRule(name, options)).OrderBy(r => FilterRuleRegistry.Get(r.Name).Order).ThenBy(r => r.Name, StringComparer.Ordinal)],
    };
}

/// <summary>
/// The configured rules in their registered order, cheap first: language (two column reads), Gopher quality (one pass
/// over the words), Gopher repetition (hashing lines, paragraphs and n-grams), then C4's line cleaning, which rewrites
/// the text the later stages see. The first rule that drops a document is the one it is counted under.
/// </summary>
public sealed class RuleChain
{
    public RuleChain(FilterRulesOptions options)
    {
        var twice = options.Enabled.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"filter rule '{twice.Key}' is configured twice");
        Rules = [.. options.Enabled
            .Select(r => (Definition: FilterRuleRegistry.Get(r.Name), r.Options))
            .OrderBy(r => r.Definition.Order).ThenBy(r => r.Definition.Name, StringComparer.Ordinal)
            .Select(r => r.Definition.Create(r.Options))];
    }

    public IReadOnlyList<IDocumentRule> Rules { get; }

    /// <summary>Null when every rule keeps the document, else "{rule}.{reason}" of the first rule that drops it.</summary>
    public string? Apply(Document doc, Counters counters)
    {
        foreach (var rule in Rules)
        {
            if (rule.Check(doc, counters) is { } reason) return $"{rule.Name}.{reason}";
        }
        return null;
    }
}
