using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Bench;

/// <summary>
/// <c>extract-speed [--pages DIR] [--seconds S] [--only NAME]</c>: single-threaded throughput (so: per core) on the same 130 real pages
/// of ../shared/data/html-extraction, in one run: every extractor of the catalog (density, SmartReader), our lite
/// parser alone, and the parse alone of the two maintained .NET HTML parsers, HtmlAgilityPack and AngleSharp. Each
/// method gets a warm-up pass, then whole passes over the pages until S seconds (default 3) have gone by. Prints
/// pages/s, MB/s (UTF-8 bytes of HTML) and the ratio of the density extractor to each. <c>--only</c> keeps the methods
/// whose name starts with NAME (e.g. to profile one of them).
/// </summary>
internal static class ExtractSpeedBench
{
    public static Task<int> RunAsync(string[] args)
    {
        string set = ExtractPeers.TestSet(args);
        double seconds = 3;
        for (int i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--seconds") seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);

        var pages = ExtractionEvaluation.PageFolders(set).Select(p => File.ReadAllText(Path.Combine(p, ExtractionEvaluation.SourceFile))).ToList();
        long bytes = pages.Sum(p => (long)Encoding.UTF8.GetByteCount(p));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pages.Count} pages, {bytes / 1e6:F2} MB of HTML, {seconds} s per method, one thread"));

        var methods = new List<(string Name, Func<string, int> Run)>();
        foreach (var extractor in ExtractPeers.All())
            methods.Add(($"{extractor.Name} (extract)", html => extractor.Extract(html).Length));
        methods.Add(("lite parser (parse only)", html => LiteHtmlParser.Parse(html).Nodes.Length));
        methods.Add(("HtmlAgilityPack (parse only)", html =>
        {
            var doc = new HtmlAgilityPack.HtmlDocument();
            doc.LoadHtml(html);
            return doc.DocumentNode.ChildNodes.Count;
        }));
        var angle = new AngleSharp.Html.Parser.HtmlParser();
        methods.Add(("AngleSharp (parse only)", html => angle.ParseDocument(html).All.Length));

        int only = Array.IndexOf(args, "--only");
        if (only >= 0 && only + 1 < args.Length) methods.RemoveAll(m => !m.Name.StartsWith(args[only + 1], StringComparison.OrdinalIgnoreCase));
        var results = new List<(string Name, double PagesPerSecond, double MBPerSecond)>();
        foreach (var (name, run) in methods)
        {
            long sink = 0;
            foreach (var p in pages) sink += run(p); // warm-up: JIT, caches
            GC.Collect();
            int passes = 0;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            do
            {
                foreach (var p in pages) sink += run(p);
                passes++;
            } while (clock.Elapsed.TotalSeconds < seconds);
            double secs = clock.Elapsed.TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            double pps = passes * pages.Count / secs;
            double mbps = passes * bytes / 1e6 / secs;
            results.Add((name, pps, mbps));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-30} {pps,9:F1} pages/s {mbps,8:F2} MB/s  {passes * pages.Count / cpu,9:F1} pages per CPU-second  ({passes} passes, {secs:F1} s, check {sink % 1000})"));
        }

        if (results.FirstOrDefault(r => r.Name.StartsWith(ExtractorCatalog.Default, StringComparison.Ordinal)) is not { Name: not null } density) return Task.FromResult(0);
        Console.WriteLine();
        Console.WriteLine($"{"method",-30} {"pages/s",9} {"MB/s",8} {"density is x faster",20}");
        foreach (var r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-30} {r.PagesPerSecond,9:F1} {r.MBPerSecond,8:F2} {density.PagesPerSecond / r.PagesPerSecond,20:F2}"));
        return Task.FromResult(0);
    }
}
