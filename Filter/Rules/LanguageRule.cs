using DataPipe.Core.Documents;
using DataPipe.Core.Options;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Rules;

/// <summary>Options of <see cref="LanguageRule"/>.</summary>
public sealed record LanguageRuleOptions
{
    /// <summary>Language codes to keep (as Ingest writes them in the <c>lang</c> column).</summary>
    public IReadOnlyList<string> Languages { get; init; } = ["en"];

    /// <summary>
    /// Least detector confidence (<c>lang_score</c>) to keep a document. 0.65 is the English threshold FineWeb used with
    /// fastText language id (Penedo et al. 2024, "The FineWeb Datasets", section 3.2); GPT-3 kept English only.
    /// </summary>
    public float MinScore { get; init; } = 0.65f;
}

/// <summary>
/// Keeps documents whose detected language (Ingest's <c>lang</c>, <c>lang_score</c>) is one of the configured
/// languages with at least the configured confidence. Reasons: <c>other_language</c>, <c>low_confidence</c>.
/// </summary>
public sealed class LanguageRule(LanguageRuleOptions options) : IDocumentRule
{
    private readonly HashSet<string> _languages = new(options.Languages, StringComparer.OrdinalIgnoreCase);

    /// <summary>YAML <c>rules: { language: ... }</c>; runs first (two column reads).</summary>
    public static readonly FilterRuleDefinition<LanguageRuleOptions> Definition = new("language", 10,
        new OptionSchema<LanguageRuleOptions>("language rule options")
            .StringList("languages", "Language codes to keep (lang column)", o => o.Languages, (o, v) => o with { Languages = v })
            .Double("min_score", "Least language confidence (lang_score) to keep", o => o.MinScore, (o, v) => o with { MinScore = (float)v }, min: 0, max: 1),
        o => new LanguageRule(o));

    public string Name => Definition.Name;

    public LanguageRuleOptions Options { get; } = options;

    public string? Check(Document doc, Counters counters)
    {
        if (!_languages.Contains(doc.Lang)) return "other_language";
        if (doc.LangScore < Options.MinScore) return "low_confidence";
        return null;
    }
}
