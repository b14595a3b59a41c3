using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using DataPipe.Bench.Harness;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Ingest;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.RealWeb;
using DataPipe.Ingest.Warc;

namespace DataPipe.Bench.Ingest;

/// <summary>
/// <c>bench ingest [--mb 300 | --warc FILE | --realweb] [--extractors density[,smartreader]] [--runs 2] [--skip-peer] [--skip-full] [--breakdown-pages 300]</c>:
/// builds a ~N MB WARC from real pages (<see cref="WarcCorpus"/>) or takes a given one (the real-web WARC), then
/// measures on one core (a) record parsing alone (WarcReader + HTTP status line and headers), wall and CPU seconds,
/// rates on decompressed bytes, beside inflate-only floors (GZipStream, libdeflate) and the npm peer warcio.js as its
/// users run it, with its default pako and with node's zlib piped in front, alternated with ours run by run (installed
/// into bench/.peers by this benchmark), and (b) the
/// full ingest stage (HTTP decoding, charset, extraction, language id, Parquet) on one worker in a child process, once
/// per extractor named (SmartReader beside ours): documents per CPU-second and the child's peak working set. The targets: parsing ≥ 150 MB/s per core, full ingest
/// ≥ 400 documents/s per core, peak working set &lt; 500 MB on the 300 MB file.
/// </summary>
public static class IngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "--child") return await ChildAsync(args[1], args[2], args[3], warmRun: args.Length < 5 || args[4] != "cold-only").ConfigureAwait(false);
        int mb = IntArg(args, "--mb", 300);
        int runs = IntArg(args, "--runs", 2);
        string[] extractors = StringArg(args, "--extractors", StringArg(args, "--extractor", ExtractorCatalog.Default)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        string extractor = extractors[0];
        bool skipPeer = args.Contains("--skip-peer");
        bool skipFull = args.Contains("--skip-full");
        string root = WarcCorpus.FindRoot();
        string data = Path.Combine(root, "bench", "out", "ingest");
        string? given = StringArg(args, "--warc", "") is { Length: > 0 } w ? Path.GetFullPath(w) : null;
        if (args.Contains("--realweb")) given = RealWebWarc(root);
        string file = given ?? Path.Combine(data, $"corpus-{mb}mb.warc.gz");
        string label = StringArg(args, "--label", given is null ? $"synthetic {mb} MB" : args.Contains("--realweb") ? "real-web WARC" : Path.GetFileName(given));

        var sw = Stopwatch.StartNew();
        if (given is null)
        {
            long pages = WarcCorpus.Build(file, (long)mb << 20);
            Console.WriteLine($"corpus: {file}: {new FileInfo(file).Length / 1e6:F1} MB, {pages:N0} pages ({pages * 2:N0} records), ready in {sw.Elapsed.TotalSeconds:F1} s");
        }
        else if (!File.Exists(given)) throw new FileNotFoundException($"--warc {given}: no such file");
        else Console.WriteLine($"corpus: {file}: {new FileInfo(file).Length / 1e6:F1} MB (given with --warc)");
        long size = new FileInfo(file).Length;
        Console.WriteLine($"cores: {Environment.ProcessorCount}; numbers are single-core (one thread / one worker)");
        string loadBefore = SideBySide.PrintLoad("before");

        // Warm the file cache and the JIT on a first pass.
        Parse(file, maxRecords: 2000);

        // zlib floor: inflating the file with GZipStream, nothing else (wall, and this thread's CPU time: the figure
        // the parse rates per CPU-second compare with).
        sw.Restart();
        double floorCpu0 = SideBySide.ThreadCpuSeconds();
        long inflated = 0;
        using (var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress))
        {
            var buf = new byte[1 << 20];
            int n;
            while ((n = gz.Read(buf)) > 0) inflated += n;
        }
        double floorSeconds = sw.Elapsed.TotalSeconds, floorCpu = SideBySide.ThreadCpuSeconds() - floorCpu0;
        Console.WriteLine($"zlib floor (GZipStream, inflate only): {size / 1e6 / floorSeconds:F1} MB/s compressed, {inflated / 1e6 / floorSeconds:F1} MB/s decompressed wall; {inflated / 1e6 / floorCpu:F1} MB decompressed per CPU-s");
        double libdeflateMbps = double.NaN;
        if (LibdeflateFloor.Measure(file) is { } ld)
        {
            libdeflateMbps = ld.Inflated / 1e6 / ld.CpuSeconds;
            Console.WriteLine($"libdeflate floor (libdeflate0, whole members from memory, inflate only): {size / 1e6 / ld.Seconds:F1} MB/s compressed, {ld.Inflated / 1e6 / ld.Seconds:F1} MB/s decompressed wall; {libdeflateMbps:F1} MB decompressed per CPU-s ({ld.Members:N0} members)");
        }
        else
            Console.WriteLine("libdeflate floor: libdeflate.so.0 not installed (apt-get install libdeflate0), skipped");

        // (a) Parsing, ours and warcio.js alternated (ours, warcio over node's zlib, warcio with pako, ours, ...): wall
        //     and CPU seconds of each; rates on decompressed bytes, the work both sides do whatever the compression.
        string? peers = skipPeer ? null : EnsureWarcio(root);
        ParseResult? parse = null;
        double bestOursWall = double.MaxValue, bestOursCpu = double.MaxValue;
        var peerBest = new Dictionary<string, (double Wall, double Cpu, long Records)>();
        for (int r = 0; r < runs; r++)
        {
            var (p, t) = SideBySide.Measure(() => Parse(file, maxRecords: long.MaxValue));
            parse = p;
            bestOursWall = Math.Min(bestOursWall, t.WallSeconds);
            bestOursCpu = Math.Min(bestOursCpu, t.CpuSeconds);
            Console.WriteLine($"  run {r + 1} ours (WarcReader + HTTP head): {p.Records:N0} records, {t.WallSeconds:F2} s wall, {t.CpuSeconds:F2} CPU-s: {p.Decompressed / 1e6 / t.CpuSeconds:F1} MB decompressed per CPU-s; load {SideBySide.LoadAverage()}");
            if (peers is null) continue;
            foreach (string mode in new[] { "zlib", "pako" })
            {
                var child = SideBySide.Run("node", [Path.Combine(peers, "warcio-parse.mjs"), file, mode], peers);
                var j = child.LastJson();
                double wall = j.GetProperty("seconds").GetDouble(), cpu = j.GetProperty("cpuSeconds").GetDouble();
                long records = j.GetProperty("records").GetInt64();
                peerBest[mode] = peerBest.TryGetValue(mode, out var b) ? (Math.Min(b.Wall, wall), Math.Min(b.Cpu, cpu), records) : (wall, cpu, records);
                Console.WriteLine($"  run {r + 1} warcio.js {mode,-4}: {records:N0} records, {wall:F2} s wall, {cpu:F2} CPU-s (process.cpuUsage; whole node process by rusage {child.CpuSeconds:F2} CPU-s): {p.Decompressed / 1e6 / cpu:F1} MB decompressed per CPU-s; load {SideBySide.LoadAverage()}");
            }
        }
        double dec = parse!.Decompressed / 1e6;
        Console.WriteLine($"(a) parse (WarcReader + HTTP head), best of {runs}: {parse.Records:N0} records, {dec:F0} MB decompressed: {dec / bestOursWall:F1} MB/s decompressed wall ({size / 1e6 / bestOursWall:F1} MB/s compressed), {dec / bestOursCpu:F1} MB per CPU-s, {parse.Records / bestOursWall:N0} records/s");
        if (peerBest.Count > 0)
        {
            Console.WriteLine($"    warcio.js {WarcioVersion(peers!)} (node {Run("node", ["--version"], peers!).Output.Trim()}), best of {runs}:");
            foreach (var (mode, b) in peerBest)
                Console.WriteLine($"      {(mode == "zlib" ? "over node's zlib (createGunzip piped in front)" : "with pako (its default)"),-48}: {dec / b.Wall:F1} MB/s decompressed wall, {dec / b.Cpu:F1} MB per CPU-s; ratio DataPipe / warcio = {b.Wall / bestOursWall:F2}x wall, {b.Cpu / bestOursCpu:F2}x CPU");
            if (peerBest.Any(b => b.Value.Records != parse.Records))
                Console.WriteLine($"    note: warcio counted {string.Join(", ", peerBest.Select(b => $"{b.Value.Records:N0} ({b.Key})"))} records, ours {parse.Records:N0}");
            var z = peerBest.GetValueOrDefault("zlib");
            var pk = peerBest.GetValueOrDefault("pako");
            ReportRow.Add(new ReportRow($"Parse WARC ({label}): decompressed MB per CPU-second, one core",
                $"{dec / bestOursCpu:F0} MB/CPU-s ({dec / bestOursWall:F0} MB/s wall)",
                $"warcio.js + node zlib {dec / z.Cpu:F0} MB/CPU-s ({dec / z.Wall:F0} wall); with pako {dec / pk.Cpu:F0}",
                $"{z.Cpu / bestOursCpu:F2}x CPU, {z.Wall / bestOursWall:F2}x wall (vs pako {pk.Cpu / bestOursCpu:F1}x)", "≥ 1.5x vs node zlib", ReportRow.Judge(z.Cpu / bestOursCpu, 1.5),
                $"inflate alone, one thread: GZipStream (zlib) {inflated / 1e6 / floorCpu:F0}, libdeflate {libdeflateMbps:F0} MB decompressed per CPU-s"));
        }

        Breakdown(file, extractor, pages: IntArg(args, "--breakdown-pages", 300));

        if (!skipFull)
        {
            var perCpu = new Dictionary<string, ChildResult>();
            foreach (string ex in extractors)
            {
                // The first extractor is ours, measured cold and warm; the others are peers, measured cold only.
                var r = FullIngest(file, Path.Combine(data, $"ingest-{Path.GetFileNameWithoutExtension(file)}-{ex}"), ex, size, warmRun: ex == extractor);
                perCpu[ex] = r;
            }
            var ours = perCpu[extractor];
            var others = perCpu.Where(kv => kv.Key != extractor).ToList();
            ReportRow.Add(new ReportRow($"Full ingest ({label}, extractor {extractor}): documents per CPU-second, one worker",
                $"{ours.Documents / ours.CpuSeconds:N0} docs/CPU-s (warm {ours.WarmDocuments / ours.WarmCpuSeconds:N0}; {ours.Documents:N0} docs)",
                others.Count == 0 ? "—" : string.Join("; ", others.Select(o => $"same ingest with {o.Key} {o.Value.Documents / o.Value.CpuSeconds:N0} docs/CPU-s")),
                others.Count == 0 ? "—" : string.Join("; ", others.Select(o => $"{ours.Documents / ours.CpuSeconds / (o.Value.Documents / o.Value.CpuSeconds):F1}x {o.Key}")),
                given is null ? "—" : "≥ 600",
                given is null ? "(synthetic: no target)" : $"cold {ReportRow.Judge(ours.Documents / ours.CpuSeconds, 600)}; warm {ReportRow.Judge(ours.WarmDocuments / ours.WarmCpuSeconds, 600)} (cold pays the JIT once per process: {ours.CpuSeconds - ours.WarmCpuSeconds:F1} CPU-s more than warm; {ours.JitMethods:N0} methods compiled)",
                $"peak {ours.PeakWorkingSetBytes / 1e6:F0} MB; parse alone {parse.Responses / bestOursCpu:N0} responses/CPU-s; {_breakdownSummary}"));
        }
        SideBySide.PrintLoad("after");
        Console.WriteLine($"(load before was {loadBefore})");
        return 0;
    }

    private static string _breakdownSummary = "";

    /// <summary>
    /// The real-web WARC: every real page under ../shared/data (extraction benchmarks, Readability's pages, the crawl
    /// samples) with its served or declared charset, written once by <see cref="RealWebCorpus"/> into one file with no
    /// site held out, under bench/out/realweb.
    /// </summary>
    internal static string RealWebWarc(string root)
    {
        string dir = Path.Combine(root, "bench", "out", "realweb");
        string file = Path.Combine(dir, RealWebCorpus.CrawlFolder, "CC-REALWEB-00000.warc.gz");
        if (!File.Exists(file))
        {
            var summary = RealWebCorpus.Write(dir, new RealWebOptions { SharedData = WarcCorpus.SharedData, Files = 1, EvalPercent = 0, PositivePercent = 0 });
            Console.WriteLine($"real-web WARC written: {summary.Pages:N0} pages from {summary.Sites:N0} sites -> {file}");
        }
        return file;
    }

    /// <summary>The full ingest stage on one worker in a child process (its own working set and CPU time), printed.</summary>
    private static ChildResult FullIngest(string file, string outDir, string extractor, long size, bool warmRun)
    {
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        // The child is this bench again: through its apphost, or through `dotnet DataPipe.Bench.dll` when started that way.
        string self = Environment.ProcessPath!;
        string[] childArgs = ["ingest", "--child", file, outDir, extractor, warmRun ? "cold-and-warm" : "cold-only"];
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") childArgs = [typeof(IngestBench).Assembly.Location, .. childArgs];
        // The child runs under the garbage collector settings of the datapipe CLI (jobs/DataPipe.Jobs.csproj:
        // workstation, non-concurrent), which is what `datapipe ingest` runs with; the bench process itself keeps
        // the default concurrent collector, whose background gen-2 marking of the language models' heap cost the
        // child ~10% more CPU time in a side-by-side run.
        var child = SideBySide.Run(self, childArgs, environment: new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_gcConcurrent"] = "0" });
        var r = JsonSerializer.Deserialize<ChildResult>(child.Stdout.Trim().Split('\n')[^1])!;
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        Console.WriteLine($"(b) full ingest, 1 worker, extractor {extractor}: {r.Documents:N0} documents from {r.Records:N0} records in {r.Seconds:F1} s: {r.Documents / r.Seconds:N0} documents/s per core, {size / 1e6 / r.Seconds:F1} MB/s compressed");
        Console.WriteLine($"    CPU time of the ingest process {r.CpuSeconds:F1} s: {r.Documents / r.CpuSeconds:N0} documents per CPU-second (less sensitive to other load than wall time)");
        if (warmRun)
            Console.WriteLine($"    the same again in the same process (models loaded, JIT warm, as for a task's later files): {r.WarmDocuments:N0} documents in {r.WarmSeconds:F1} s: {r.WarmDocuments / r.WarmSeconds:N0} documents/s per core, {r.WarmDocuments / r.WarmCpuSeconds:N0} per CPU-second");
        Console.WriteLine($"    peak working set of the ingest process over both runs: {r.PeakWorkingSetBytes / 1e6:F0} MB (includes the .NET runtime and the language models); whole child by rusage {child.CpuSeconds:F1} CPU-s, {child.WallSeconds:F1} s wall");
        Console.WriteLine($"    JIT: {r.JitMethods:N0} methods compiled in the cold run, {r.JitSeconds:F2} s inside the JIT (wall time on all threads, tier-1 recompilation included: inflated by other load; cold minus warm CPU is the cost to trust), {r.WarmJitSeconds:F2} s in the warm run");
        Console.WriteLine($"    garbage collections (first run) gen0/gen1/gen2: {string.Join("/", r.Collections)}, paused {r.GcPauseSeconds:F1} s; allocated {r.AllocatedBytes / 1e9:F1} GB ({r.AllocatedBytes / Math.Max(1, r.Documents) / 1e3:F0} KB per document)");
        Console.WriteLine($"    counters: {string.Join(", ", r.Counters.Where(kv => kv.Key.StartsWith("skipped", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value}"))}; load {SideBySide.LoadAverage()}");
        return r;
    }

    /// <summary>Where a page's time goes, one core, on the first <paramref name="pages"/> pages (after a warm-up on 100 of them): decode, extract, language id, hash; each call timed on this thread's CPU clock, so other load does not inflate it.</summary>
    private static void Breakdown(string file, string extractorName, int pages)
    {
        double cold0 = SideBySide.ThreadCpuSeconds();
        var extractor = ExtractorCatalog.Create(extractorName);
        double coldExtractor = SideBySide.ThreadCpuSeconds() - cold0;
        cold0 = SideBySide.ThreadCpuSeconds();
        var language = DataPipe.Ingest.Language.LanguageIdentifier.For();
        double coldBuild = SideBySide.ThreadCpuSeconds() - cold0;
        cold0 = SideBySide.ThreadCpuSeconds();
        // Lingua loads a language's n-gram model on the first text that needs it: a Latin-script sample needs all the
        // Latin-script languages of the set.
        language.IdentifyWithLingua("warm up the language models with a sentence of English text");
        double coldModels = SideBySide.ThreadCpuSeconds() - cold0;
        Console.WriteLine($"(c0) one-time costs in this process, thread CPU: extractor created {coldExtractor:F2} s, language identifier built {coldBuild:F2} s, first Lingua call (models of the Latin-script languages loaded) {coldModels:F2} s");
        var decoder = new HttpPayloadDecoder();
        var htmls = new List<(string Html, string Url)>();
        var t = new double[5];
        double c0 = SideBySide.ThreadCpuSeconds();
        using (var reader = new WarcReader(File.OpenRead(file)))
        {
            while (htmls.Count < pages && reader.TryRead(out var rec))
            {
                if (rec.Type != "response") continue;
                c0 = SideBySide.ThreadCpuSeconds();
                if (!HttpResponseHead.TryParse(rec.Block.Span, 65536, out var head, out _)) continue;
                if (!decoder.Decode(head.Headers, head.Body, out var payload).IsOk) continue;
                string html = DataPipe.Ingest.Charset.HtmlCharset.Decode(payload, MediaType.Charset(head.ContentType));
                t[0] += SideBySide.ThreadCpuSeconds() - c0;
                htmls.Add((html, rec.TargetUri));
            }
        }
        long hash = 0;
        int unsettled = 0, agree = 0;
        // Warm-up (JIT to its optimised tier, first-use costs) on the same pages and calls, untimed.
        foreach (var (html, url) in htmls.Take(100))
        {
            string text = extractor.Extract(html, url);
            hash ^= language.Identify(text).Lang.Length + language.IdentifyWithLingua(text).Lang.Length;
        }
        foreach (var (html, url) in htmls)
        {
            c0 = SideBySide.ThreadCpuSeconds();
            string text = extractor.Extract(html, url);
            t[1] += SideBySide.ThreadCpuSeconds() - c0;
            c0 = SideBySide.ThreadCpuSeconds();
            var (lang, _) = language.Identify(text);
            t[2] += SideBySide.ThreadCpuSeconds() - c0;
            if (language.IdentifyWithFirstPass(text) is null) unsettled++;
            c0 = SideBySide.ThreadCpuSeconds();
            var (alone, _) = language.IdentifyWithLingua(text);
            t[4] += SideBySide.ThreadCpuSeconds() - c0;
            if (alone == lang) agree++;
            c0 = SideBySide.ThreadCpuSeconds();
            hash ^= DataPipe.Core.Text.ContentHash.Of(text) + lang.Length;
            t[3] += SideBySide.ThreadCpuSeconds() - c0;
        }
        GC.KeepAlive(hash);
        double total = t[..4].Sum();
        string[] names = ["HTTP decode + charset", $"extract ({extractorName})", "language id", "normalize + hash"];
        Console.WriteLine($"(c) per-page breakdown over {htmls.Count} pages, one core: {htmls.Count / total:N0} pages per CPU-second without reading and Parquet");
        for (int i = 0; i < 4; i++) Console.WriteLine($"    {names[i],-24} {t[i] * 1000 / htmls.Count,8:F2} ms CPU/page  {100 * t[i] / total,5:F1}%");
        _breakdownSummary = $"per page: extract {t[1] * 1000 / htmls.Count:F2} ms, language id {t[2] * 1000 / htmls.Count:F2} ms, decode {t[0] * 1000 / htmls.Count:F2} ms";
        Console.WriteLine($"    (peer: Lingua alone on the same samples {t[4] * 1000 / htmls.Count:F2} ms CPU/page: the first pass makes language id {t[4] / t[2]:F1}x faster; it leaves {unsettled} of {htmls.Count} pages to Lingua; same language as Lingua alone on {agree} of {htmls.Count})");
    }

    private sealed record ParseResult(long Records, long Responses, long Decompressed, double Seconds);

    private static ParseResult Parse(string file, long maxRecords)
    {
        var sw = Stopwatch.StartNew();
        long records = 0, responses = 0;
        long statusSum = 0;
        using var reader = new WarcReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
        while (records < maxRecords && reader.TryRead(out var rec))
        {
            records++;
            if (rec.Type != "response") continue;
            responses++;
            if (HttpResponseHead.TryParse(rec.Block.Span, 65536, out var head, out _))
                statusSum += head.StatusCode + (head.ContentType?.Length ?? 0);
        }
        GC.KeepAlive(statusSum);
        return new ParseResult(records, responses, reader.DecompressedBytesRead, sw.Elapsed.TotalSeconds);
    }

    /// <summary>bench/.peers with warcio.js installed (npm, on first use) and the peer script copied beside it; null when npm fails.</summary>
    private static string? EnsureWarcio(string root)
    {
        string peers = Path.Combine(root, "bench", ".peers");
        string module = Path.Combine(peers, "node_modules", "warcio", "package.json");
        if (!File.Exists(module))
        {
            Console.WriteLine("    installing warcio.js into bench/.peers (npm install warcio@2) ...");
            Directory.CreateDirectory(peers);
            if (Run("npm", ["install", "--prefix", peers, "--no-audit", "--no-fund", "warcio@2"], peers).Code != 0 || !File.Exists(module))
            {
                Console.WriteLine("    warcio.js could not be installed (npm failed); peer skipped. Install it with: npm install --prefix bench/.peers warcio@2");
                return null;
            }
        }
        File.Copy(Path.Combine(root, "bench", "peers", "warcio-parse.mjs"), Path.Combine(peers, "warcio-parse.mjs"), overwrite: true);
        return peers;
    }

    private static string WarcioVersion(string peers) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(peers, "node_modules", "warcio", "package.json"))).RootElement.GetProperty("version").GetString() ?? "?";

    private static (int Code, string Output) Run(string exe, string[] args, string cwd)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + (p.ExitCode != 0 ? err.Result : ""));
    }

    private sealed record ChildResult(long Records, long Documents, double Seconds, double CpuSeconds, long PeakWorkingSetBytes, SortedDictionary<string, long> Counters, int[] Collections, double GcPauseSeconds, long AllocatedBytes, double WarmSeconds, double WarmCpuSeconds, long WarmDocuments,
        double JitSeconds, long JitMethods, double WarmJitSeconds);

    /// <summary>
    /// The measured full ingest, alone in its process so that its peak working set is its own. The stage runs twice:
    /// first from a cold start (the language models load and the JIT compiles during the run, as for the first file of
    /// a task), then again on the same file into a second folder (as for every later file of a task that holds
    /// several); both are reported.
    /// </summary>
    private static async Task<int> ChildAsync(string file, string outDir, string extractor, bool warmRun)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var jit0 = System.Runtime.JitInfo.GetCompilationTime();
        long methods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
        var (result, seconds) = await IngestOnceAsync(file, outDir, extractor).ConfigureAwait(false);
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        // Time spent inside the JIT during the cold run (wall time summed over threads, tiered re-compilation included).
        double jitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalSeconds;
        long jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - methods0;
        var jitWarm0 = System.Runtime.JitInfo.GetCompilationTime();
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        double pause = GC.GetTotalPauseDuration().TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes();

        string warmDir = outDir + "-warm";
        if (Directory.Exists(warmDir)) Directory.Delete(warmDir, recursive: true);
        var (warm, warmSeconds) = warmRun ? await IngestOnceAsync(file, warmDir, extractor).ConfigureAwait(false) : (result, 0.0);
        if (Directory.Exists(warmDir)) Directory.Delete(warmDir, recursive: true);
        using var me = Process.GetCurrentProcess();
        me.Refresh();
        var r = new ChildResult(result.RowsIn, result.RowsOut, seconds, (cpu1 - cpu0).TotalSeconds, me.PeakWorkingSet64, result.Counters,
            collections, pause, allocated, warmSeconds, (me.TotalProcessorTime - cpu1).TotalSeconds, warm.RowsOut,
            jitSeconds, jitMethods, (System.Runtime.JitInfo.GetCompilationTime() - jitWarm0).TotalSeconds);
        Console.WriteLine(JsonSerializer.Serialize(r));
        return 0;
    }

    /// <summary>One ingest of <paramref name="file"/> into <paramref name="outDir"/> on one worker; the stage's success record and the wall seconds it took.</summary>
    private static async Task<(SuccessRecord Success, double Seconds)> IngestOnceAsync(string file, string outDir, string extractor)
    {
        var stage = await IngestStage.CreateAsync(new IngestOptions { Inputs = [file], Extractor = extractor }).ConfigureAwait(false);
        var sw = Stopwatch.StartNew();
        var result = await new LocalStageExecutor().RunAsync(stage, outDir, new StageRunOptions { Workers = 1, MaxAttempts = 1 }).ConfigureAwait(false);
        return (result.Success, sw.Elapsed.TotalSeconds);
    }

    internal static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int v) ? v : fallback;
    }

    internal static string StringArg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
