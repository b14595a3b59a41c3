using DataPipe.Core.Documents;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Rules;

/// <summary>Which heuristic rule sets run, with their thresholds; a null entry turns that rule set off.</summary>
public sealed record FilterRulesOptions
{
    public LanguageRuleOptions? Language { get; init; } = new();
    public GopherQualityOptions? GopherQuality { get; init; } = new();
    public GopherRepetitionOptions? GopherRepetition { get; init; } = new();
    public C4LinesOptions? C4Lines { get; init; } = new();
}

/// <summary>
/// The heuristic rules in the order the filter runs them, cheap first: language (two column reads), Gopher quality
/// (one pass over the words), Gopher repetition (hashing lines, paragraphs and n-grams), then C4's line cleaning, which
/// rewrites the text the later stages see. The first rule that drops a document is the one it is counted under.
/// </summary>
public sealed class RuleChain
{
    public RuleChain(FilterRulesOptions options)
    {
        var rules = new List<IDocumentRule>();
        if (options.Language is { } l) rules.Add(new LanguageRule(l));
        if (options.GopherQuality is { } q) rules.Add(new GopherQualityRule(q));
        if (options.GopherRepetition is { } r) rules.Add(new GopherRepetitionRule(r));
        if (options.C4Lines is { } c) rules.Add(new C4LinesRule(c));
        Rules = rules;
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
