using DataPipe.Core.Documents;
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

    public string Name => "language";

    public LanguageRuleOptions Options { get; } = options;

    public string? Check(Document doc, Counters counters)
    {
        if (!_languages.Contains(doc.Lang)) return "other_language";
        if (doc.LangScore < Options.MinScore) return "low_confidence";
        return null;
    }
}
