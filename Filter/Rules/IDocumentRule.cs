using DataPipe.Core.Documents;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Rules;

/// <summary>
/// One heuristic rule set of the filter stage (language, Gopher quality, Gopher repetition, C4 lines). A rule looks at
/// one document and either keeps it (null) or names why it is dropped; a line-level rule may also rewrite the text.
/// The stage counts a drop as <c>dropped.{Name}.{reason}</c>, so every removed document is attributed to one rule.
/// </summary>
public interface IDocumentRule
{
    /// <summary>The rule set's name in counters and rejected rows: "language", "gopher_quality", ...</summary>
    string Name { get; }

    /// <summary>
    /// Null to keep the document, else the reason within this rule ("word_count"). May change <see cref="Document.Text"/>
    /// (line-level cleaning) and count what it changed in <paramref name="counters"/>.
    /// </summary>
    string? Check(Document doc, Counters counters);
}
