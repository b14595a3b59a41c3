using System.Diagnostics;
using System.Globalization;
using DataPipe.Bench.Harness;
using DataPipe.Bench.Ingest;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Core.Text;
using DataPipe.Dedup;
using DataPipe.Dedup.Evaluation;
using DataPipe.Dedup.Stages;
using DataPipe.Ingest;
using DataPipe.Ingest.Warc;

namespace DataPipe.Bench.Dedup;

/// <summary>
/// <c>dedup-real [--copies 400] [--threshold 0.8] [--survey] [--show URL,URL]</c>: dedup quality on real pages, with the hard negatives a
/// crawl has, scored against labels fixed before the run.
///
/// The documents are what ingest makes of the real-web WARC (every real page under ../shared/data, through
/// <see cref="PageProcessor"/>: HTTP decoding, charset, main text, language), so they include distinct pages of one site
/// that share its template, and Readability's test pages that carry the same lorem-ipsum text in different markup.
/// To them are added near-duplicates made by editing the real text of a seeded sample of pages
/// (<see cref="NearDuplicateGenerator.Variant"/>: words substituted, inserted, deleted, boilerplate added, paragraphs
/// moved) at set edit levels.
///
/// Labels come from how each pair was made, or from the checked-in file <c>bench/Dedup/real-pages-labels.tsv</c>,
/// never from the run: two documents are duplicates when one is a copy of the other made with light edits (edit level
/// ≥ 0.85), an exact copy, or a capture of the same URL, or when the label file says so (pages a person read and
/// found to carry the same text); distinct when they are different pages (different URLs, not listed as duplicates),
/// or a copy edited down to level 0.5 (half its shingles changed). Copies at level 0.7 are left unlabelled. Duplicate
/// labels are closed transitively (a duplicate group); a pair is scored only when labelled.
///
/// Recall: labelled duplicate pairs that the run put in one cluster. Precision: of labelled pairs the run put in one
/// cluster, the share labelled duplicate; false merges are counted by kind (same site, lorem ipsum, other pages,
/// heavily edited copy). Targets: recall ≥ 0.95, precision ≥ 0.99. <c>--survey</c> prints the pairs of real pages
/// whose exact shingle Jaccard is ≥ 0.5, the list a person reads to write the label file.
/// </summary>
public static class DedupRealPagesBench
{
    private static readonly double[] PositiveLevels = [1.0, 0.95, 0.9, 0.85];
    private const double GreyLevel = 0.7;
    private const double NegativeLevel = 0.5;

    private enum Kind { Page, Copy }

    /// <summary>One input document and where it came from: its page's index, and for a copy the level it was edited to.</summary>
    private sealed record Item(Document Doc, int Page, Kind Kind, double Level);

    public static async Task<int> RunAsync(string[] args)
    {
        int copies = DedupQualityBench.IntArg(args, "--copies", 400);
        int tasks = DedupQualityBench.IntArg(args, "--tasks", 2);
        double threshold = double.Parse(DedupQualityBench.Arg(args, "--threshold") ?? "0.8", CultureInfo.InvariantCulture);
        string root = WarcCorpus.FindRoot();
        var sw = Stopwatch.StartNew();
        var pages = IngestRealWeb(IngestBench.RealWebWarc(root));
        Console.WriteLine($"real pages: {pages.Count:N0} documents from the real-web WARC (ingested in {sw.Elapsed.TotalSeconds:F1} s)");
        var g = DedupBenchData.Generator();

        if (DedupQualityBench.Arg(args, "--show") is { } show)
        {
            foreach (var url in show.Split(','))
                foreach (var d in pages.Where(p => p.Url == url))
                    Console.WriteLine($"==== {url} ({d.Text.Length} chars)\n{(d.Text.Length > 1500 ? d.Text[..1500] + " ..." : d.Text)}");
            return 0;
        }
        if (args.Contains("--survey"))
        {
            Survey(pages, g);
            return 0;
        }

        // 1. The labels, before anything runs: duplicate groups (union-find over page and copy indices) and the
        //    pairs that are known distinct.
        var labels = LabelFile.Load(Path.Combine(root, "bench", "Dedup", "real-pages-labels.tsv"));
        var items = pages.Select((d, i) => new Item(d, i, Kind.Page, 1.0)).ToList();
        var random = new Random(20);
        var eligible = Enumerable.Range(0, pages.Count).Where(i => WordCount(pages[i].Text) >= 150).ToList();
        var sample = eligible.OrderBy(_ => random.Next()).Take(copies).Order().ToList();
        foreach (int p in sample)
            foreach (double level in (double[])[.. PositiveLevels, GreyLevel, NegativeLevel])
            {
                var (text, _) = g.Variant(pages[p].Text, level, random);
                string tag = $"#copy-{level.ToString(CultureInfo.InvariantCulture)}";
                var doc = pages[p].Clone();
                doc.Url += tag;
                doc.Id += tag;
                doc.Text = text;
                doc.ContentHash = ContentHash.Of(text);
                items.Add(new Item(doc, p, Kind.Copy, level));
            }
        var group = new int[items.Count];
        for (int i = 0; i < group.Length; i++) group[i] = i;
        int Find(int x) { while (group[x] != x) x = group[x] = group[group[x]]; return x; }
        void Union(int a, int b) { a = Find(a); b = Find(b); if (a != b) group[Math.Max(a, b)] = Math.Min(a, b); }
        var byUrl = new Dictionary<string, int>(StringComparer.Ordinal);
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pages.Count; i++)
        {
            byKey[pages[i].Url] = i;
            if (byUrl.TryGetValue(pages[i].Url, out int first)) Union(first, i); else byUrl[pages[i].Url] = i;
        }
        int listedDuplicates = 0, listedDistinct = 0, unknownKeys = 0;
        var listedDistinctPairs = new HashSet<(int, int)>();
        foreach (var (a, b, duplicate) in labels)
        {
            if (!byKey.TryGetValue(a, out int ia) || !byKey.TryGetValue(b, out int ib)) { unknownKeys++; continue; }
            if (duplicate) { Union(ia, ib); listedDuplicates++; }
            else { listedDistinctPairs.Add((Math.Min(ia, ib), Math.Max(ia, ib))); listedDistinct++; }
        }
        for (int i = pages.Count; i < items.Count; i++)
            if (PositiveLevels.Contains(items[i].Level)) Union(items[i].Page, i);
        Console.WriteLine($"labels: {sample.Count} pages copied at levels {string.Join(", ", PositiveLevels)} (duplicates), {GreyLevel} (unlabelled), {NegativeLevel} (distinct); label file: {listedDuplicates} duplicate and {listedDistinct} distinct page pairs{(unknownKeys > 0 ? $", {unknownKeys} naming pages not in the corpus" : "")}");

        // Label of a pair of item indices: true duplicate, false distinct, null unlabelled.
        bool? Label(int a, int b)
        {
            if (Find(a) == Find(b)) return true;
            bool greyA = items[a].Kind == Kind.Copy && items[a].Level == GreyLevel, greyB = items[b].Kind == Kind.Copy && items[b].Level == GreyLevel;
            // A lightly edited copy's relation to a grey or heavy copy of the same page is not fixed by construction.
            if (items[a].Page == items[b].Page && (items[a].Kind == Kind.Copy || items[b].Kind == Kind.Copy))
            {
                if (greyA || greyB) return null;
                bool aDupOfPage = items[a].Kind == Kind.Page || PositiveLevels.Contains(items[a].Level);
                bool bDupOfPage = items[b].Kind == Kind.Page || PositiveLevels.Contains(items[b].Level);
                return aDupOfPage && bDupOfPage ? null : (aDupOfPage || bDupOfPage ? false : null);
            }
            if (greyA || greyB)
            {
                // A grey copy is distinct from every other page's documents unless its own page is a labelled duplicate of them.
                int pa = items[a].Page, pb = items[b].Page;
                return Find(pa) == Find(pb) ? null : false;
            }
            return false;
        }

        // 2. The run: the pipeline's dedup, default options but the threshold.
        string work = Path.Combine(Path.GetTempPath(), $"datapipe-dedup-real-{Guid.NewGuid():N}");
        try
        {
            string input = Path.Combine(work, "in");
            await InputDataset.WriteAsync(input, items.Select(i => i.Doc), items.Count, tasks, "dedup-real", 1000).ConfigureAwait(false);
            var options = new DedupOptions { Tasks = tasks, Threshold = threshold };
            var pipeline = new DedupPipeline(options, input, Path.Combine(work, "out"));
            string loadBefore = SideBySide.PrintLoad("before dedup");
            var (stats, t) = SideBySide.Measure(() => pipeline.RunAsync(new StageRunOptions { Workers = Environment.ProcessorCount }).GetAwaiter().GetResult());
            Console.WriteLine($"dedup of {items.Count:N0} documents: {t.WallSeconds:F1} s wall, {t.CpuSeconds:F1} CPU-s; {stats.DocumentsOut:N0} out (exact {stats.ExactDuplicates:N0}, near {stats.NearDuplicates:N0}); verify {options.Verify.ToString().ToLowerInvariant()}, {options.Banding.Bands} bands x {options.Banding.Rows} rows, threshold {threshold}");

            // 3. Scoring against the labels.
            var cluster = ClusterStage.ReadAssignments(pipeline.ClustersDir).ToDictionary(a => (int)a.Doc, a => a.Cluster);
            var members = cluster.GroupBy(kv => kv.Value).Select(gr => gr.Select(kv => kv.Key).Order().ToArray()).Where(m => m.Length > 1).ToList();
            long mergedPositive = 0, mergedNegative = 0, mergedUnlabelled = 0;
            var falseByKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var examples = new List<string>();
            foreach (var m in members)
                for (int x = 0; x < m.Length; x++)
                    for (int y = x + 1; y < m.Length; y++)
                    {
                        switch (Label(m[x], m[y]))
                        {
                            case true: mergedPositive++; break;
                            case null: mergedUnlabelled++; break;
                            default:
                                mergedNegative++;
                                string kind = KindOf(items[m[x]], items[m[y]]);
                                falseByKind[kind] = falseByKind.GetValueOrDefault(kind) + 1;
                                if (examples.Count < 8) examples.Add($"{kind}: {items[m[x]].Doc.Url} ~ {items[m[y]].Doc.Url}");
                                break;
                        }
                    }
            // Every labelled duplicate pair: all pairs within each duplicate group.
            var groups = Enumerable.Range(0, items.Count).GroupBy(Find).Select(gr => gr.ToArray()).Where(gr => gr.Length > 1).ToList();
            long positives = 0, found = 0;
            var missedByKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
            bool Together(int a, int b) => cluster.TryGetValue(a, out long ca) && cluster.TryGetValue(b, out long cb) && ca == cb;
            foreach (var gr in groups)
                for (int x = 0; x < gr.Length; x++)
                    for (int y = x + 1; y < gr.Length; y++)
                    {
                        positives++;
                        if (Together(gr[x], gr[y])) { found++; continue; }
                        string kind = items[gr[x]].Kind == Kind.Copy || items[gr[y]].Kind == Kind.Copy
                            ? $"copy at {Math.Min(items[gr[x]].Level, items[gr[y]].Level).ToString(CultureInfo.InvariantCulture)}"
                            : "labelled real pair";
                        missedByKind[kind] = missedByKind.GetValueOrDefault(kind) + 1;
                    }
            double recall = positives == 0 ? double.NaN : (double)found / positives;
            double precision = mergedPositive + mergedNegative == 0 ? 1 : (double)mergedPositive / (mergedPositive + mergedNegative);
            long sameSiteNegatives = CountSameSitePairs(items);
            Console.WriteLine($"recall: {found:N0} of {positives:N0} labelled duplicate pairs in one cluster = {recall:F4} (target 0.95){(missedByKind.Count > 0 ? "; missed: " + string.Join(", ", missedByKind.Select(kv => $"{kv.Key} {kv.Value}")) : "")}");
            Console.WriteLine($"precision: {mergedPositive:N0} duplicate of {mergedPositive + mergedNegative:N0} labelled pairs put in one cluster = {precision:F4} (target 0.99); {mergedUnlabelled:N0} unlabelled pairs merged (not scored)");
            Console.WriteLine($"hard negatives present: {sameSiteNegatives:N0} pairs of distinct pages on one site (real host); false merges by kind: {(falseByKind.Count == 0 ? "none" : string.Join(", ", falseByKind.Select(kv => $"{kv.Key} {kv.Value}")))}");
            foreach (var e in examples) Console.WriteLine($"  false merge {e}");
            string loadAfter = SideBySide.PrintLoad("after");
            ReportRow.Add(new ReportRow($"Dedup quality on real pages ({pages.Count:N0} ingested real pages + {items.Count - pages.Count:N0} edited copies), labels fixed before the run",
                $"recall {recall:F3}, precision {precision:F4}", "—", "—", "recall ≥ 0.95, precision ≥ 0.99",
                $"recall {ReportRow.Judge(recall, 0.95)}, precision {ReportRow.Judge(precision, 0.99)}",
                $"LSH {options.Banding.Bands}x{options.Banding.Rows} S-curve at J=0.85: {options.Banding.CandidateProbability(0.85):F3}; {sameSiteNegatives:N0} same-site page pairs; load {loadBefore} → {loadAfter}"));
            return 0;
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The documents ingest makes of a WARC file (default ingest options, the default extractor), in file order.</summary>
    internal static List<Document> IngestRealWeb(string warc)
    {
        var processor = new PageProcessor(new IngestOptions { Inputs = [warc] });
        var docs = new List<Document>();
        using var reader = new WarcReader(File.OpenRead(warc));
        while (reader.TryRead(out var record))
            if (processor.Process(record, warc).Document is { } d) docs.Add(d);
        return docs;
    }

    private static string KindOf(Item a, Item b)
    {
        if (a.Page == b.Page) return "heavily edited copy";
        bool lorem = IsLorem(a.Doc.Text) && IsLorem(b.Doc.Text);
        if (lorem) return "lorem ipsum pages";
        if (RealHost(a.Doc) is { } ha && ha == RealHost(b.Doc)) return "same site";
        return "other pages";
    }

    private static bool IsLorem(string text) => text.Contains("lorem ipsum", StringComparison.OrdinalIgnoreCase);

    /// <summary>The page's host when its URL is real (the real-web corpus gives pages with no known URL a host under .invalid).</summary>
    private static string? RealHost(Document d) => d.Host is { Length: > 0 } h && !h.EndsWith(".invalid", StringComparison.Ordinal) ? h : null;

    private static long CountSameSitePairs(List<Item> items) =>
        items.Where(i => i.Kind == Kind.Page && RealHost(i.Doc) is not null).GroupBy(i => RealHost(i.Doc)).Sum(gr => (long)gr.Count() * (gr.Count() - 1) / 2);

    private static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Pairs of real pages with exact shingle Jaccard ≥ 0.5 (candidates from shared shingles), for a person to label.</summary>
    private static void Survey(List<Document> pages, NearDuplicateGenerator g)
    {
        var sets = pages.Select(p => g.ShingleSet(p.Text)).ToList();
        var postings = new Dictionary<ulong, List<int>>();
        for (int i = 0; i < sets.Count; i++)
            foreach (var h in sets[i])
                (postings.TryGetValue(h, out var l) ? l : postings[h] = []).Add(i);
        var shared = new Dictionary<(int, int), int>();
        foreach (var l in postings.Values)
        {
            if (l.Count > 300) continue;
            for (int x = 0; x < l.Count; x++)
                for (int y = x + 1; y < l.Count; y++)
                    shared[(l[x], l[y])] = shared.GetValueOrDefault((l[x], l[y])) + 1;
        }
        foreach (var ((a, b), n) in shared.OrderBy(kv => kv.Key))
        {
            if (n < 0.5 * Math.Min(sets[a].Count, sets[b].Count)) continue;
            double j = NearDuplicateGenerator.Jaccard(sets[a], sets[b]);
            if (j < 0.5) continue;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{pages[a].Url}\t{pages[b].Url}\t{j:F3}\t{sets[a].Count}\t{sets[b].Count}"));
        }
    }

    /// <summary>bench/Dedup/real-pages-labels.tsv: "urlA TAB urlB TAB duplicate|distinct TAB why" per line; # starts a comment.</summary>
    private static class LabelFile
    {
        public static List<(string A, string B, bool Duplicate)> Load(string path)
        {
            var rows = new List<(string, string, bool)>();
            int line = 0;
            foreach (var raw in File.ReadLines(path))
            {
                line++;
                if (raw.Length == 0 || raw.StartsWith('#')) continue;
                var f = raw.Split('\t');
                if (f.Length < 3 || f[2] is not ("duplicate" or "distinct"))
                    throw new InvalidDataException($"{path}:{line}: expected 'urlA<TAB>urlB<TAB>duplicate|distinct<TAB>why'");
                rows.Add((f[0], f[1], f[2] == "duplicate"));
            }
            return rows;
        }
    }
}
