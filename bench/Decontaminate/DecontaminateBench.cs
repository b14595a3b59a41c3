using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Decontaminate;
using DataPipe.Decontaminate.Benchmarks;
using DataPipe.Decontaminate.Ngrams;

namespace DataPipe.Bench.Decontaminate;

/// <summary>
/// <c>decontaminate [--benchmarks DIR] [--sample DIR] [--speed-mb 40]</c>: the decontamination targets, measured.
/// <list type="number">
/// <item>Index: build time (wall and CPU), distinct n-grams, memory, file size, load time from the file.</item>
/// <item>Planted leaks: every item of every benchmark, whole, inside a real web page (CCNet/Dolma text): found or not.
/// Paraphrased: case, punctuation, quotes and line breaks changed (all must be found); and one word replaced in the
/// middle (found when an unchanged run of N words is left, which is what GPT-3's rule can find; the rest is counted).</item>
/// <item>Clean real text: Gutenberg (50 books), WikiText-2 (valid + test), the sample's deduplicated documents: every
/// match printed with its benchmark, item and text, so each can be judged a real quotation or a false positive.</item>
/// <item>Speed: MB of UTF-8 document text per CPU-second on one thread over Gutenberg in 8 KB documents, against the
/// index of all sets, next to the plain approach (a normalised string per document, a string per n-gram, a 64-bit hash
/// of it in a HashSet) run on the same documents in the same process. Leaves out Parquet reading and writing.</item>
/// </list>
/// </summary>
public static class DecontaminateBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = DataPipe.Bench.Filter.BenchArgs.Parse(args);
        string root = DataPipe.Bench.Filter.BenchArgs.RepoRoot;
        string shared = Path.GetFullPath(Path.Combine(root, "..", "shared", "data"));
        string benchDir = a.List("--benchmarks", [Path.Combine(shared, "benchmarks")])[0];
        string sampleDir = a.List("--sample", [Path.Combine(root, "out", "sample", "dedup", "documents")])[0];
        double speedMb = a.Double("--speed-mb", 40);
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} cores: wall times are noisy, CPU times are this process's");

        // 1. Index.
        var sources = BenchmarkSource.Expand([benchDir]);
        var settings = new NgramSettings();
        var (index, buildWall, buildCpu) = Measure(() => BenchmarkIndex.Build(sources, settings));
        string file = Path.Combine(Path.GetTempPath(), $"datapipe-bench-{Guid.NewGuid():N}.ngram-index");
        index.Save(file);
        var (_, loadWall, loadCpu) = Measure(() => BenchmarkIndex.Load(file));
        long fileBytes = new FileInfo(file).Length;
        File.Delete(file);
        Console.WriteLine();
        Console.WriteLine($"index of {sources.Count} sets, {index.TotalItems:N0} items: {index.Count:N0} distinct {settings.N}-grams (whole passages of {settings.MinWords}-{settings.N - 1} words included)");
        Console.WriteLine($"  build {buildWall:F2} s wall, {buildCpu:F2} s CPU; load from file {loadWall * 1000:F0} ms wall, {loadCpu * 1000:F0} ms CPU; memory {index.MemoryBytes / 1048576.0:F1} MiB; file {fileBytes / 1048576.0:F1} MiB");
        Console.WriteLine($"  ignored as common (in > {settings.MaxItemsPerNgram} items): {index.NgramsIgnoredCommon:N0}");
        Console.WriteLine($"  {"set",-16} {"items",7} {"indexed",8} {"too short",10} {"only common",12} {"n-grams",10}");
        foreach (var b in index.Benchmarks)
            Console.WriteLine($"  {b.Name,-16} {b.Items,7:N0} {b.ItemsIndexed,8:N0} {b.ItemsTooShort,10:N0} {b.ItemsOnlyCommon,12:N0} {b.Ngrams,10:N0}");

        var finder = new ContaminationFinder(index);
        bool speedOnly = args.Contains("--speed-only");
        if (!speedOnly) PlantedAndClean(index, sources, settings, shared, sampleDir, finder);

        // 4. Speed.
        Console.WriteLine();
        var speedDocs = SpeedDocuments(shared, speedMb);
        long bytes = speedDocs.Sum(d => (long)Encoding.UTF8.GetByteCount(d));
        Console.WriteLine($"speed: {speedDocs.Count:N0} documents of ~8 KB from Gutenberg, {bytes / 1e6:F1} MB UTF-8, one thread");
        long hits = 0;
        var (_, ourWall, ourCpu) = MeasureTwice(() => { hits = 0; foreach (var d in speedDocs) hits += finder.Find(d); return hits; });
        Console.WriteLine($"  this finder      {bytes / 1e6 / ourCpu,8:F1} MB per CPU-second ({bytes / 1e6 / ourWall:F1} MB/s wall), {hits:N0} windows matched");
        // Where the time goes: the word scan alone, then with every window hashed, no lookups.
        var scanner = new WordScanner();
        var hasher = new NgramHasher();
        var (_, _, scanCpu) = MeasureTwice(() => { long w = 0; foreach (var d in speedDocs) { scanner.Scan(d); w += scanner.Count; } return w; });
        var (_, _, hashCpu) = MeasureTwice(() =>
        {
            ulong x = 0;
            foreach (var d in speedDocs)
            {
                scanner.Scan(d);
                hasher.Load(scanner.Hashes);
                for (int i = 0; i + settings.N <= scanner.Count; i++) x ^= hasher.Window(i, settings.N);
            }
            return x;
        });
        Console.WriteLine($"  of which: word scan {scanCpu / ourCpu:P0}, scan + window hashes {hashCpu / ourCpu:P0}, the rest index lookups ({bytes / 1e6 / scanCpu:F0} MB/s scan alone, {bytes / 1e6 / hashCpu:F0} MB/s with hashes)");
        if (args.Contains("--no-peer")) return 0;
        var (naive, naiveBuildWall, naiveBuildCpu) = Measure(() => NaiveIndex.Build(sources, settings.N));
        long naiveHits = 0;
        var (_, naiveWall, naiveCpu) = MeasureTwice(() => { naiveHits = 0; foreach (var d in speedDocs) naiveHits += naive.Count(d); return naiveHits; });
        Console.WriteLine($"  string n-grams   {bytes / 1e6 / naiveCpu,8:F1} MB per CPU-second ({bytes / 1e6 / naiveWall:F1} MB/s wall), {naiveHits:N0} windows matched (its {settings.N}-gram set built in {naiveBuildCpu:F1} s CPU, {naive.Size:N0} n-grams; no whole-passage grams)");
        Console.WriteLine($"  ratio            {naiveCpu / ourCpu:F1}x the string approach's CPU-time rate (target: >= 50 MB per CPU-second)");
        await Task.CompletedTask.ConfigureAwait(false);
        return 0;
    }

    private static void PlantedAndClean(BenchmarkIndex index, IReadOnlyList<BenchmarkSource> sources, NgramSettings settings, string shared, string sampleDir, ContaminationFinder finder)
    {
        // 2. Planted leaks.
        var hosts = HostPages(shared);
        Console.WriteLine();
        Console.WriteLine($"planted leaks, each item inside one of {hosts.Count} real web pages (CCNet/Dolma), one document per item:");
        Console.WriteLine($"  {"set",-16} {"indexed",8} {"whole",8} {"reformatted",12} {"1 word changed: eligible",25} {"found",6} {"short (not findable)",21}");
        long totalIndexed = 0, wholeFound = 0, formatFound = 0, eligible = 0, paraFound = 0, notEligible = 0, notEligibleFound = 0;
        var misses = new List<string>();
        for (int b = 0; b < sources.Count; b++)
        {
            var info = index.Benchmarks[b];
            int indexed = 0, whole = 0, format = 0, elig = 0, para = 0, inel = 0, inelFound = 0;
            foreach (var item in BenchmarkReader.Read(sources[b]))
            {
                int global = info.FirstItem + item.Record;
                if (!IsIndexed(index, global)) continue;
                indexed++;
                // The passage that holds n-grams of this item: the first with at least MinWords words.
                string passage = item.Passages.First(p => WordCount(p) >= settings.MinWords);
                string host = hosts[global % hosts.Count];
                if (Finds(finder, index, Embed(host, passage), global)) whole++;
                else misses.Add($"{info.Name} item {item.Record} whole: {Short(passage)}");
                if (Finds(finder, index, Embed(host, Reformat(passage)), global)) format++;
                else misses.Add($"{info.Name} item {item.Record} reformatted: {Short(Reformat(passage))}");
                var (changed, canFind) = ReplaceMiddleWord(passage, settings.N);
                bool found = Finds(finder, index, Embed(host, changed), global);
                if (canFind)
                {
                    elig++;
                    if (found) para++;
                    else misses.Add($"{info.Name} item {item.Record} one word changed: {Short(changed)}");
                }
                else
                {
                    inel++;
                    if (found) inelFound++;
                }
            }
            Console.WriteLine($"  {info.Name,-16} {indexed,8:N0} {whole,8:N0} {format,12:N0} {elig,25:N0} {para,6:N0} {inel,12:N0} ({inelFound} found)");
            totalIndexed += indexed; wholeFound += whole; formatFound += format; eligible += elig; paraFound += para; notEligible += inel; notEligibleFound += inelFound;
        }
        Console.WriteLine($"  {"all",-16} {totalIndexed,8:N0} {wholeFound,8:N0} {formatFound,12:N0} {eligible,25:N0} {paraFound,6:N0} {notEligible,12:N0} ({notEligibleFound} found)");
        Console.WriteLine($"  recall: whole {(double)wholeFound / totalIndexed:P2}, reformatted {(double)formatFound / totalIndexed:P2}, one word changed {(double)paraFound / Math.Max(1, eligible):P2} of the items that keep an unchanged {settings.N}-word run");
        foreach (var m in misses.Take(10)) Console.WriteLine($"  MISS {m}");

        // 3. Clean real text.
        Console.WriteLine();
        Console.WriteLine("clean real text (every match listed; GPT-3's cut applied to count what would be removed):");
        var split = new SplitRule();
        foreach (var (name, docs) in CleanCorpora(shared, sampleDir))
        {
            long chars = 0, matchedDocs = 0, removed = 0, windows = 0;
            var found = new List<string>();
            foreach (var (id, text) in docs)
            {
                chars += text.Length;
                if (finder.Find(text) == 0) continue;
                matchedDocs++;
                windows += finder.Matches.Count;
                var spans = finder.MergedSpans().ToList();
                var r = split.Apply(text.Length, spans);
                removed += r.Drop != SplitDrop.None ? text.Length : text.Length - r.Kept.Sum(k => (long)k.Length);
                foreach (var (s, e) in spans)
                {
                    var m = finder.Matches.First(m => finder.SpanOf(m).Start >= s && finder.SpanOf(m).End <= e);
                    int item = index.ItemsOf(m.Entry)[0];
                    var info = index.Benchmarks[index.BenchmarkOf(item)];
                    found.Add($"{id}: {info.Name} item {item - info.FirstItem} (line {index.LineOf(item)}): \"{Short(text[s..e], 200)}\"");
                }
            }
            Console.WriteLine($"  {name}: {docs.Count:N0} documents, {chars:N0} chars; {matchedDocs:N0} documents with a match ({windows:N0} windows), {removed:N0} chars the cut rule would remove ({(double)removed / Math.Max(1, chars):P3})");
            foreach (var f in found.Take(40)) Console.WriteLine($"    {f}");
            if (found.Count > 40) Console.WriteLine($"    ... {found.Count - 40} more");
        }

    }

    // ------------------------------------------------------------------ planted leaks

    private static bool IsIndexed(BenchmarkIndex index, int global)
    {
        // The index keeps items per n-gram, not n-grams per item; an item is indexed unless too short or only common,
        // which the per-benchmark counts hold in total. Re-derive it per item by scanning its passages in the finder.
        return IndexedItems(index).Contains(global);
    }

    private static HashSet<int>? _indexed;

    private static HashSet<int> IndexedItems(BenchmarkIndex index)
    {
        if (_indexed is not null) return _indexed;
        _indexed = [];
        for (int e = 0; e < index.Count; e++) foreach (int i in index.ItemsOf(e)) _indexed.Add(i);
        return _indexed;
    }

    private static bool Finds(ContaminationFinder finder, BenchmarkIndex index, string text, int global)
    {
        if (finder.Find(text) == 0) return false;
        foreach (var m in finder.Matches)
            if (index.ItemsOf(m.Entry).Contains(global)) return true;
        return false;
    }

    private static int WordCount(string s)
    {
        var w = new WordScanner();
        w.Scan(s);
        return w.Count;
    }

    /// <summary>The passage placed between two paragraphs near the middle of a real page.</summary>
    public static string Embed(string host, string passage)
    {
        int mid = host.IndexOf('\n', host.Length / 2);
        if (mid < 0) mid = host.Length;
        return $"{host[..mid]}\n\n{passage}\n\n{host[mid..]}";
    }

    /// <summary>Same words, other surface: capitals, punctuation, curly quotes and line breaks changed.</summary>
    public static string Reformat(string passage)
    {
        var tokens = passage.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder();
        for (int i = 0; i < tokens.Length; i++)
        {
            string t = tokens[i].Replace('\'', '\u2019').Replace("\"", "\u201C", StringComparison.Ordinal);
            if (i % 3 == 0 && t.Length > 0) t = char.ToUpperInvariant(t[0]) + t[1..];
            if (i % 4 == 1) t = t.ToUpperInvariant();
            if (i % 5 == 2) t += ",";
            if (i % 5 == 3) t = t.TrimEnd('.', ',', '?', '!');
            sb.Append(t).Append(i % 7 == 6 ? "\n" : i % 2 == 0 ? "  " : " ");
        }
        return sb.ToString();
    }

    /// <summary>The middle word replaced by another; also whether an unchanged run of n words is left on either side.</summary>
    public static (string Text, bool CanFind) ReplaceMiddleWord(string passage, int n)
    {
        var tokens = passage.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int mid = tokens.Length / 2;
        string left = string.Join(' ', tokens[..mid]), right = string.Join(' ', tokens[(mid + 1)..]);
        tokens[mid] = "zebra";
        return (string.Join(' ', tokens), WordCount(left) >= n || WordCount(right) >= n);
    }

    private static List<string> HostPages(string shared)
    {
        var pages = new List<string>();
        foreach (string f in Directory.EnumerateFiles(Path.Combine(shared, "text", "ccnet"), "*.gz").Order(StringComparer.Ordinal))
        {
            using var r = new StreamReader(new GZipStream(File.OpenRead(f), CompressionMode.Decompress));
            while (r.ReadLine() is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                string? text = doc.RootElement.TryGetProperty("text", out var t) ? t.GetString()
                    : doc.RootElement.TryGetProperty("raw_content", out var rc) ? rc.GetString() : null;
                if (text is { Length: > 500 }) pages.Add(text);
            }
        }
        return pages;
    }

    // ------------------------------------------------------------------ clean text

    private static IEnumerable<(string Name, List<(string Id, string Text)> Docs)> CleanCorpora(string shared, string sampleDir)
    {
        var books = Directory.EnumerateFiles(Path.Combine(shared, "text", "gutenberg"), "*.txt").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllText(f))).ToList();
        yield return ("Gutenberg (50 books, one document each)", books);
        var wiki = new List<(string, string)>();
        foreach (string split in new[] { "valid", "test" })
        {
            // One document per article ("= Title =" lines start them).
            var sb = new StringBuilder();
            string title = "";
            foreach (string line in File.ReadLines(Path.Combine(shared, "text", "wikitext-2", $"{split}.txt")))
            {
                string t = line.Trim();
                if (t.StartsWith("= ", StringComparison.Ordinal) && !t.StartsWith("= =", StringComparison.Ordinal))
                {
                    if (sb.Length > 0) wiki.Add(($"wikitext-2/{split}/{title}", sb.ToString()));
                    sb.Clear();
                    title = t.Trim('=', ' ');
                }
                sb.AppendLine(line);
            }
            if (sb.Length > 0) wiki.Add(($"wikitext-2/{split}/{title}", sb.ToString()));
        }
        yield return ("WikiText-2 valid + test (one document per article)", wiki);
        if (Directory.Exists(sampleDir) && DatasetFolder.ReadSuccess(sampleDir) is not null)
        {
            var docs = new List<(string, string)>();
            foreach (var part in DatasetFolder.ListParts(sampleDir))
                foreach (var d in DocumentReader.ReadAsync(part).ToBlockingEnumerable()) docs.Add((d.Url, d.Text));
            yield return ($"the sample's deduplicated documents ({sampleDir})", docs);
        }
        else
        {
            Console.WriteLine($"  (the sample's documents are not at {sampleDir}: run the main job first to include them)");
        }
    }

    private static List<string> SpeedDocuments(string shared, double mb)
    {
        var docs = new List<string>();
        long chars = 0;
        foreach (string f in Directory.EnumerateFiles(Path.Combine(shared, "text", "gutenberg"), "*.txt").Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(f);
            for (int i = 0; i < text.Length && chars < mb * 1e6; i += 8192)
            {
                string d = text.Substring(i, Math.Min(8192, text.Length - i));
                docs.Add(d);
                chars += d.Length;
            }
        }
        return docs;
    }

    // ------------------------------------------------------------------ timing

    private static (T Result, double Wall, double Cpu) Measure<T>(Func<T> f)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        T r = f();
        double wall = clock.Elapsed.TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return (r, wall, cpu);
    }

    /// <summary>Runs once to warm up (JIT, caches), then measures the second run.</summary>
    private static (T Result, double Wall, double Cpu) MeasureTwice<T>(Func<T> f)
    {
        f();
        return Measure(f);
    }

    private static string Short(string s, int max = 120)
    {
        var t = string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return t.Length > max ? t[..max] + "..." : t;
    }

    /// <summary>
    /// The plain way to check n-grams, as simple scripts do it: normalise the document to one string, split it into
    /// words, join each run of n words into a string and look its 64-bit hash up in a set built the same way from
    /// the benchmarks. Same normalisation as the finder, so the two count the same windows (bar short passages).
    /// </summary>
    private sealed class NaiveIndex
    {
        private readonly HashSet<ulong> _set;
        private readonly int _n;

        private NaiveIndex(HashSet<ulong> set, int n)
        {
            _set = set;
            _n = n;
        }

        public int Size => _set.Count;

        public static NaiveIndex Build(IReadOnlyList<BenchmarkSource> sources, int n)
        {
            var set = new HashSet<ulong>();
            foreach (var s in sources)
                foreach (var item in BenchmarkReader.Read(s))
                    foreach (string p in item.Passages)
                        foreach (ulong h in Grams(p, n)) set.Add(h);
            return new NaiveIndex(set, n);
        }

        public int Count(string text)
        {
            int c = 0;
            foreach (ulong h in Grams(text, _n)) if (_set.Contains(h)) c++;
            return c;
        }

        private static IEnumerable<ulong> Grams(string text, int n)
        {
            var words = WordScanner.Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i + n <= words.Length; i++)
                yield return XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(string.Join(' ', words, i, n)));
        }
    }
}
