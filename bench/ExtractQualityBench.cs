using System.Diagnostics;
using System.Globalization;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Bench;

/// <summary>
/// <c>extract-quality [--max-pages N] [--sets a,b] [--extractors a,b] [--worst K] [--data DIR] [--write-model PATH]
/// [--trees N] [--tree-depth D] [--tree-rate R] [--pages-out FILE]</c>: every extractor
/// of the catalog (the all-visible-text baseline is the catalog's <c>visible</c>) on every extraction set of ../shared/data (cleaneval, dragnet,
/// trafilatura from their .tar.gz, and html-extraction), in one run.
/// <para>
/// Per set and extractor: micro precision, recall and F1 (token bags of lower-cased words for gold text; trafilatura's
/// snippet protocol for the trafilatura set, see <see cref="PageCounts"/>), pages with empty output (all, and among
/// pages whose reference has at least 50 words), pages per CPU-second of the extractor alone (one thread; the CPU
/// time is the process's, so it includes the GC's), and the K worst pages with their F1.
/// </para>
/// <para>
/// What is learned is never scored on what it learned from: the block scorer is trained, for each set, on the other
/// sets only (leave one set out), and that model extracts the held-out set. These out-of-set figures are the
/// headline; the shipped model (trained on all sets) is scored too, as "in-set", to show the gap.
/// <c>--write-model PATH</c> trains the block scorer on every set and writes the model to PATH instead (the shipped
/// model is written so). <c>--max-pages N</c> keeps an evenly spaced sample of N pages per set (training included).
/// <c>--pages-out FILE</c> writes every page's counts (tab-separated: set, extractor, page, true positives, false
/// positives, false negatives, extracted characters), to find the pages that cost a set the most.
/// </para>
/// </summary>
internal static class ExtractQualityBench
{
    public static Task<int> RunAsync(string[] args)
    {
        int maxPages = int.Parse(Option(args, "--max-pages") ?? int.MaxValue.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int worst = int.Parse(Option(args, "--worst") ?? "10", CultureInfo.InvariantCulture);
        string data = Option(args, "--data") ?? SharedData();
        var sets = (Option(args, "--sets")?.Split(',') ?? ExtractionSets.Names).ToList();
        var wanted = Option(args, "--extractors")?.Split(',');
        var trees = BlockScoreTraining.TreeSettings;
        if (Option(args, "--trees") is { } treeCount) trees = trees with { Trees = int.Parse(treeCount, CultureInfo.InvariantCulture) };
        if (Option(args, "--tree-depth") is { } treeDepth) trees = trees with { Depth = int.Parse(treeDepth, CultureInfo.InvariantCulture) };
        if (Option(args, "--tree-rate") is { } treeRate) trees = trees with { LearningRate = float.Parse(treeRate, CultureInfo.InvariantCulture) };
        BlockScoreTraining.TreeSettings = trees;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"extract-quality: data {data}, sets {string.Join(",", sets)}, max pages per set {(maxPages == int.MaxValue ? "all" : maxPages)}; block scorer trees {trees.Trees} x depth {trees.Depth}, rate {trees.LearningRate}; load average {LoadAverage()}"));
        var loaded = new Dictionary<string, List<ExtractionPage>>(StringComparer.Ordinal);
        // Leave-one-set-out needs every set to train on, even when only some are scored.
        bool training = ExtractorCatalog.Names.Any(n => ExtractorCatalog.Trainer(n) is not null && (wanted is null || wanted.Any(w => n.StartsWith(w, StringComparison.Ordinal))));
        var all = ExtractionSets.Names.Where(s => sets.Contains(s) || training).ToList();
        foreach (var set in all)
        {
            var clock = Stopwatch.StartNew();
            loaded[set] = ExtractionSets.Load(data, set, maxPages);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  loaded {set}: {loaded[set].Count} pages in {clock.Elapsed.TotalSeconds:F1} s"));
        }

        if (Option(args, "--write-model") is { } modelPath)
        {
            var pages = loaded.Values.SelectMany(p => p).ToList();
            var clock = Stopwatch.StartNew();
            var model = BlockScoreTraining.Train(pages);
            using (var writer = new StreamWriter(modelPath))
                model.Write(writer, string.Create(CultureInfo.InvariantCulture,
                    $"block scorer trained on {pages.Count} pages of {string.Join(", ", loaded.Keys)} (max {(maxPages == int.MaxValue ? "all" : maxPages.ToString(CultureInfo.InvariantCulture))} per set); threshold chosen on the same pages"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {modelPath}: trained on {pages.Count} pages in {clock.Elapsed.TotalSeconds:F1} s, threshold {model.Threshold:F3}"));
            return Task.FromResult(0);
        }

        var contestants = Contestants(loaded, wanted);
        var rows = new List<Row>();
        foreach (var set in sets)
        {
            var pages = loaded[set];
            foreach (var (name, make) in contestants)
            {
                var extractor = make(set);
                if (extractor is null) continue;
                var row = Run(name, set, extractor, pages);
                rows.Add(row);
                Console.WriteLine(row.Line());
            }
        }

        if (Option(args, "--pages-out") is { } pagesOut)
        {
            using var writer = new StreamWriter(pagesOut);
            writer.WriteLine("set\textractor\tpage\ttp\tfp\tfn\tchars");
            foreach (var r in rows)
                foreach (var (id, c, chars) in r.PerPage)
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Set}\t{r.Extractor}\t{id}\t{c.TruePositives}\t{c.FalsePositives}\t{c.FalseNegatives}\t{chars}"));
            Console.WriteLine($"wrote every page's counts to {pagesOut}");
        }

        Console.WriteLine();
        Console.WriteLine("results (rows marked out-of-set: trained on the other sets only; in-set: the shipped model, trained on all sets):");
        Console.WriteLine(Row.Header());
        foreach (var r in rows) Console.WriteLine(r.Line());
        foreach (var r in rows)
        {
            Console.WriteLine();
            Console.WriteLine($"{r.Set} / {r.Extractor}: {worst} worst pages (F1, extracted chars)");
            var worstPages = r.PerPage.OrderBy(p => p.Counts.F1).ThenBy(p => p.Id, StringComparer.Ordinal).Take(worst);
            foreach (var (id, counts, chars) in worstPages)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {id,-40} F1={counts.F1:F3} chars={chars}"));
        }
        Console.WriteLine();
        Console.WriteLine($"load average at the end {LoadAverage()} (timings on a shared 2-core machine are noisy)");
        return Task.FromResult(0);
    }

    /// <summary>Extractor name, and a factory given the held-out set (null: skip it there).</summary>
    private static List<(string Name, Func<string, IMainTextExtractor?> Make)> Contestants(Dictionary<string, List<ExtractionPage>> loaded, string[]? wanted)
    {
        var list = new List<(string, Func<string, IMainTextExtractor?>)>();
        foreach (var name in ExtractorCatalog.Names.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (ExtractorCatalog.Trainer(name) is { } train)
            {
                // Out of set: a model trained on the other loaded sets.
                list.Add((name + " (out-of-set)", heldOut =>
                {
                    var pages = loaded.Where(kv => kv.Key != heldOut).SelectMany(kv => kv.Value).ToList();
                    var clock = Stopwatch.StartNew();
                    var extractor = train(pages);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  trained {name} without {heldOut} on {pages.Count} pages in {clock.Elapsed.TotalSeconds:F1} s"));
                    return extractor;
                }));
                list.Add((name + " (shipped, in-set)", _ => ExtractorCatalog.Create(name)));
            }
            else list.Add((name, _ => ExtractorCatalog.Create(name)));
        }
        if (wanted is not null) list.RemoveAll(c => !wanted.Any(w => c.Item1.StartsWith(w, StringComparison.Ordinal)));
        return list;
    }

    private sealed record Row(string Set, string Extractor, int Pages, PageCounts Counts, int Empty, int EmptyLong, int Long, double CpuSeconds, double WallSeconds,
        List<(string Id, PageCounts Counts, int Chars)> PerPage)
    {
        public static string Header() => $"{"set",-16} {"extractor",-28} {"pages",5} {"P",7} {"R",7} {"F1",7} {"empty",6} {"empty/ref>=50w",16} {"pages/cpu-s",11} {"pages/s",8}";

        public string Line() => string.Create(CultureInfo.InvariantCulture,
            $"{Set,-16} {Extractor,-28} {Pages,5} {Counts.Precision,7:F4} {Counts.Recall,7:F4} {Counts.F1,7:F4} {Empty,6} {$"{EmptyLong}/{Long} ({100.0 * EmptyLong / Math.Max(1, Long):F1}%)",16} {Pages / Math.Max(CpuSeconds, 1e-9),11:F0} {Pages / Math.Max(WallSeconds, 1e-9),8:F0}");
    }

    private static Row Run(string name, string set, IMainTextExtractor extractor, List<ExtractionPage> pages)
    {
        // Warm-up on a few pages (JIT), then time the extraction alone; scoring comes after.
        foreach (var p in pages.Take(100)) extractor.Extract(p.Html);
        var outputs = new string[pages.Count];
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < pages.Count; i++) outputs[i] = extractor.Extract(pages[i].Html);
        double wall = clock.Elapsed.TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;

        var total = default(PageCounts);
        int empty = 0, emptyLong = 0, longRefs = 0;
        var perPage = new List<(string, PageCounts, int)>(pages.Count);
        for (int i = 0; i < pages.Count; i++)
        {
            var counts = PageCounts.Score(pages[i], outputs[i]);
            total += counts;
            bool isEmpty = string.IsNullOrWhiteSpace(outputs[i]);
            bool isLong = pages[i].HasSubstantialReference;
            if (isEmpty) empty++;
            if (isLong) longRefs++;
            if (isEmpty && isLong) emptyLong++;
            perPage.Add((pages[i].Id, counts, outputs[i].Length));
        }
        return new Row(set, name, pages.Count, total, empty, emptyLong, longRefs, cpu, wall, perPage);
    }

    private static string? Option(string[] args, string name)
    {
        for (int i = 0; i + 1 < args.Length; i++)
            if (args[i] == name) return args[i + 1];
        return null;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>../shared/data beside the checkout.</summary>
    internal static string SharedData()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "..", "shared", "data");
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln")) && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new DirectoryNotFoundException("../shared/data not found beside the checkout; pass --data DIR");
    }
}
