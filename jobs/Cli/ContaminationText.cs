using System.Globalization;
using DataPipe.Decontaminate;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe decontaminate</c> and <c>inspect</c> print about a decontaminate output, within
/// <see cref="TextWrap.Columns"/> columns: one row per benchmark (items, items indexed, items found in the corpus,
/// documents, characters removed, n-gram hits), the corpus totals and the index as sentences under the table, and up
/// to three examples per benchmark, each wrapped under its own first line (its URL shortened in the middle when long;
/// contamination.json has it whole).
/// </summary>
public static class ContaminationText
{
    public static IReadOnlyList<string> Lines(ContaminationReport r, string path)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var lines = new List<string> { $"contamination (action {r.Action})" };
        var table = new TextTable().Column("benchmark").Column("items", right: true).Column("indexed", right: true)
            .Column("found", right: true).Column("docs", right: true).Column("chars cut", right: true).Column("ngram hits", right: true);
        foreach (var b in r.Benchmarks)
            table.Row(b.Name, TextTable.Count(b.Items), TextTable.Count(b.ItemsIndexed), TextTable.Count(b.ItemsFound), TextTable.Count(b.Documents),
                TextTable.Count(b.CharsRemoved), TextTable.Count(b.NgramMatches));
        lines.AddRange(table.Lines());
        lines.AddRange(TextWrap.Wrap($"corpus: {N(r.DocumentsMatched)} of {N(r.DocumentsIn)} documents held benchmark text; {N(r.CharsRemoved)} of {N(r.CharsIn)} chars removed; {N(r.DocumentsDropped)} documents dropped, {N(r.PiecesKept)} pieces kept"));
        if (r.Index is { } ix)
        {
            lines.AddRange(TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
                $"index {ix.Key}: {ix.Ngrams:N0} {ix.Ngram}-grams ({ix.MemoryBytes / 1048576.0:F1} MiB in memory); ignored as common (in > {ix.MaxItemsPerNgram} items): {ix.NgramsIgnoredCommon:N0}, listed: {ix.NgramsIgnoredListed:N0}")));
        }
        foreach (var b in r.Benchmarks.Where(b => b.Examples.Count > 0))
        {
            foreach (var e in b.Examples.Take(3))
                lines.AddRange(TextWrap.Wrap($"{b.Name} item {e.Item} (line {e.ItemLine}) in {TextWrap.Shorten(e.Url, 70)}: \"{Flat(e.MatchedText, 160)}\"", indent: "  "));
        }
        lines.AddRange(TextWrap.Wrap("report: " + path));
        return lines;
    }

    private static string Flat(string s, int max)
    {
        var t = string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return t.Length > max ? t[..max] + "..." : t;
    }
}
