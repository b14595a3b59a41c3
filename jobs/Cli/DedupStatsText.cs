using System.Globalization;
using DataPipe.Dedup;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe dedup</c> prints, within <see cref="TextWrap.Columns"/> columns: a measure/value table of
/// <c>dedup_stats.json</c> (documents in and out, exact and near duplicates, clusters, pairs checked and rejected, the
/// banding), then the largest clusters, one row each (id, documents), with each example URL on a line of its
/// own under its cluster, shortened in the middle when it is longer than the line (the stats file has it whole).
/// </summary>
public static class DedupStatsText
{
    public static IReadOnlyList<string> Lines(DedupStats s, string statsPath)
    {
        var table = new TextTable().Column("measure").Column("value", right: true);
        table.Row("documents in", TextTable.Count(s.DocumentsIn));
        table.Row("exact duplicates", TextTable.Count(s.ExactDuplicates));
        table.Row("near duplicates", TextTable.Count(s.NearDuplicates));
        table.Row("documents out", TextTable.Count(s.DocumentsOut));
        table.Row("clusters (2+ documents)", TextTable.Count(s.Clusters));
        table.Row("candidate pairs checked", TextTable.Count(s.CandidatePairsChecked));
        table.Row("rejected by verification", TextTable.Count(s.PairsRejectedByVerification));
        table.Row("banding", $"{s.Banding.Bands} x {s.Banding.Rows}, threshold {s.Threshold.ToString(CultureInfo.InvariantCulture)}, verify {s.Verify.ToString().ToLowerInvariant()}");
        var lines = new List<string> { "dedup" };
        lines.AddRange(table.Lines());
        if (s.LargestClusters.Count > 0)
        {
            lines.Add("");
            lines.Add("largest clusters (example URLs under each)");
            var clusters = new TextTable().Column("cluster").Column("size", right: true);
            foreach (var c in s.LargestClusters)
            {
                clusters.Row(c.Cluster.ToString(CultureInfo.InvariantCulture), TextTable.Count(c.Size));
                foreach (var url in c.ExampleUrls) clusters.Note(TextWrap.ShortenPath(url, TextWrap.Columns - 4));
            }
            lines.AddRange(clusters.Lines());
        }
        lines.AddRange(TextWrap.Wrap("stats: " + statsPath));
        return lines;
    }
}
