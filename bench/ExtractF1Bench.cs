using System.Globalization;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Bench;

/// <summary>
/// <c>extract-f1 [--pages DIR] [--all]</c>: mean token precision, recall and F1 of each extractor on the 130 pages of
/// ../shared/data/html-extraction against Readability's expected output, side by side, with the five worst pages
/// of each (every page with <c>--all</c>).
/// </summary>
internal static class ExtractF1Bench
{
    public static Task<int> RunAsync(string[] args)
    {
        string set = ExtractPeers.TestSet(args);
        bool all = args.Contains("--all");
        Console.WriteLine($"test set: {set}");
        var reports = new List<ExtractionReport>();
        foreach (var extractor in ExtractPeers.All())
        {
            var report = ExtractionEvaluation.Evaluate(extractor, set);
            reports.Add(report);
        }
        Console.WriteLine();
        Console.WriteLine($"{"extractor",-14} {"pages",6} {"P",8} {"R",8} {"F1",8} {"F1<0.9",7} {"seconds",8}");
        foreach (var r in reports)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Extractor,-14} {r.Pages.Count,6} {r.MeanPrecision,8:F4} {r.MeanRecall,8:F4} {r.MeanF1,8:F4} {r.Pages.Count(p => p.Score.F1 < 0.9),7} {r.TotalSeconds,8:F2}"));
        foreach (var r in reports)
        {
            Console.WriteLine();
            Console.WriteLine(all ? $"{r.Extractor}: every page" : $"{r.Extractor}: worst 5 pages");
            foreach (var p in all ? r.Pages : r.Worst(5))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Page,-48} {p.Score}"));
        }
        return Task.FromResult(0);
    }
}
