using System.Text.Json;

namespace DataPipe.Bench.Harness;

/// <summary>
/// One line of bench/REPORT.md: a headline figure, our number, the peer's (or "—"), the ratio with its target, and the
/// physical limit that bounds the figure on this machine. Benchmarks call <see cref="Add"/>; when <c>bench report</c>
/// runs them it sets <see cref="EnvironmentVariable"/> to a file and collects the rows from it, otherwise the row is
/// only printed.
/// </summary>
internal sealed record ReportRow(string Figure, string Ours, string Peer, string Ratio, string Target, string Verdict, string Limit)
{
    public const string EnvironmentVariable = "DATAPIPE_BENCH_ROWS";

    /// <summary>"met", or "missed by N%" of the target, for a figure where higher is better.</summary>
    public static string Judge(double value, double target) =>
        double.IsNaN(value) ? "not measured" : value >= target ? "met" : $"missed by {100 * (1 - value / target):F0}%";

    /// <summary>"met", or "missed by N%", for a figure where lower is better (memory, time).</summary>
    public static string JudgeAtMost(double value, double limit) =>
        double.IsNaN(value) ? "not measured" : value <= limit ? "met" : $"missed by {100 * (value / limit - 1):F0}%";

    public static void Add(ReportRow row)
    {
        Console.WriteLine($"REPORT | {row.Figure} | ours {row.Ours} | peer {row.Peer} | {row.Ratio} | target {row.Target}: {row.Verdict} | limit {row.Limit}");
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } file)
            File.AppendAllText(file, JsonSerializer.Serialize(row) + "\n");
    }
}
