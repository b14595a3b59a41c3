using System.Globalization;
using DataPipe.Jobs.Commands;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe realweb-classifier</c> prints, within <see cref="TextWrap.Columns"/> columns: per subset of the
/// evaluation sites, first how the classifier separates reference text from boilerplate (counts, AUC, median scores),
/// then what GPT-3's Pareto rule keeps (the raw references, the expectation, the share the filter's rules drop, and what
/// survives rules and draw together); two tables, each row one subset.
/// </summary>
public static class RealWebClassifierText
{
    public static IReadOnlyList<string> Lines(IReadOnlyList<RealWebClassifierCommand.Summary> summaries, string reportPath)
    {
        var ci = CultureInfo.InvariantCulture;
        var scores = new TextTable().Column("subset").Column("refs", right: true).Column("boilerplate", right: true)
            .Column("AUC", right: true).Column("median ref", right: true).Column("median boilerplate", right: true);
        var kept = new TextTable().Column("subset").Column("kept", right: true).Column("E[kept]", right: true)
            .Column("rules drop", right: true).Column("rules then kept", right: true);
        foreach (var s in summaries)
        {
            string subset = TextWrap.Shorten(s.Subset, 16);
            scores.Row(subset, s.References.ToString("N0", ci), s.Boilerplates.ToString("N0", ci), s.Auc.ToString("F4", ci),
                s.MedianReferenceScore.ToString("F3", ci), s.MedianBoilerplateScore.ToString("F3", ci));
            kept.Row(subset, s.KeptFraction.ToString("P1", ci), s.ExpectedKeptFraction.ToString("P1", ci),
                s.DroppedByRulesFraction.ToString("P1", ci), s.PipelineKeptFraction.ToString("P1", ci));
        }
        var lines = new List<string> { "reference text against boilerplate (scores)" };
        lines.AddRange(scores.Lines());
        lines.Add("");
        lines.Add("references kept by the Pareto rule (raw; after the filter's rules)");
        lines.AddRange(kept.Lines());
        lines.AddRange(TextWrap.Wrap("report: " + reportPath));
        return lines;
    }
}
