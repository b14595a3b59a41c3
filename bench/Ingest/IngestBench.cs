using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Ingest;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Warc;

namespace DataPipe.Bench.Ingest;

/// <summary>
/// <c>bench ingest [--mb 300] [--extractor NAME] [--skip-peer] [--skip-full] [--breakdown-pages 300]</c>: builds a ~N MB WARC from real pages
/// (<see cref="WarcCorpus"/>), then measures on one core (a) record parsing alone (WarcReader + HTTP status line and
/// headers) in MB/s compressed and decompressed, beside a zlib-only floor (GZipStream over the same file) and the npm
/// peer warcio.js parsing the same bytes in the same run (installed into bench/.peers by this benchmark), and (b) the
/// full ingest stage (HTTP decoding, charset, extraction, language id, Parquet) on one worker in a child process:
/// documents/s per core and the child's peak working set. Issue 2's targets: parsing ≥ 150 MB/s per core, full ingest
/// ≥ 400 documents/s per core, peak working set &lt; 500 MB on the 300 MB file.
/// </summary>
public static class IngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "--child") return await ChildAsync(args[1], args[2], args[3]).ConfigureAwait(false);
        int mb = IntArg(args, "--mb", 300);
        string extractor = StringArg(args, "--extractor", ExtractorCatalog.Default);
        bool skipPeer = args.Contains("--skip-peer");
        bool skipFull = args.Contains("--skip-full");
        string root = WarcCorpus.FindRoot();
        string data = Path.Combine(root, "bench", "out", "ingest");
        string file = Path.Combine(data, $"corpus-{mb}mb.warc.gz");

        var sw = Stopwatch.StartNew();
        long pages = WarcCorpus.Build(file, (long)mb << 20);
        long size = new FileInfo(file).Length;
        Console.WriteLine($"corpus: {file}: {size / 1e6:F1} MB, {pages:N0} pages ({pages * 2:N0} records), ready in {sw.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"cores: {Environment.ProcessorCount}; numbers are single-core (one thread / one worker)");

        // Warm the file cache and the JIT on a first pass.
        Parse(file, maxRecords: 2000);

        // zlib floor: inflating the file with GZipStream, nothing else.
        sw.Restart();
        long inflated = 0;
        using (var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress))
        {
            var buf = new byte[1 << 20];
            int n;
            while ((n = gz.Read(buf)) > 0) inflated += n;
        }
        double floorSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"zlib floor (GZipStream, inflate only): {size / 1e6 / floorSeconds:F1} MB/s compressed, {inflated / 1e6 / floorSeconds:F1} MB/s decompressed");
        if (LibdeflateFloor.Measure(file) is { } ld)
            Console.WriteLine($"libdeflate floor (libdeflate0, whole members from memory, inflate only): {size / 1e6 / ld.Seconds:F1} MB/s compressed, {ld.Inflated / 1e6 / ld.Seconds:F1} MB/s decompressed ({ld.Members:N0} members)");
        else
            Console.WriteLine("libdeflate floor: libdeflate.so.0 not installed (apt-get install libdeflate0), skipped");

        var parse = Parse(file, maxRecords: long.MaxValue);
        Console.WriteLine($"(a) parse (WarcReader + HTTP head): {parse.Records:N0} records in {parse.Seconds:F2} s: {size / 1e6 / parse.Seconds:F1} MB/s compressed, {parse.Decompressed / 1e6 / parse.Seconds:F1} MB/s decompressed, {parse.Records / parse.Seconds:N0} records/s");

        Breakdown(file, extractor, pages: IntArg(args, "--breakdown-pages", 300));

        if (!skipPeer)
        {
            var peer = RunWarcio(root, file);
            if (peer is { } p)
            {
                Console.WriteLine($"    warcio.js {p.Version} (node {p.Node}): {p.Records:N0} records in {p.Seconds:F2} s: {size / 1e6 / p.Seconds:F1} MB/s compressed");
                Console.WriteLine($"    ratio DataPipe / warcio.js = {p.Seconds / parse.Seconds:F1}x");
            }
        }

        if (!skipFull)
        {
            string outDir = Path.Combine(data, $"ingest-{mb}mb-{extractor}");
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
            // The child is this bench again: through its apphost, or through `dotnet DataPipe.Bench.dll` when started that way.
            string self = Environment.ProcessPath!;
            string[] childArgs = ["ingest", "--child", file, outDir, extractor];
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") childArgs = [typeof(IngestBench).Assembly.Location, .. childArgs];
            // The child runs under the garbage collector settings of the datapipe CLI (jobs/DataPipe.Jobs.csproj:
            // workstation, non-concurrent), which is what `datapipe ingest` runs with; the bench process itself keeps
            // the default concurrent collector, whose background gen-2 marking of the language models' heap cost the
            // child ~10% more CPU time in a side-by-side run.
            var psi = new ProcessStartInfo(self, childArgs) { RedirectStandardOutput = true };
            psi.Environment["DOTNET_gcServer"] = "0";
            psi.Environment["DOTNET_gcConcurrent"] = "0";
            var child = Process.Start(psi)!;
            string output = await child.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await child.WaitForExitAsync().ConfigureAwait(false);
            var r = JsonSerializer.Deserialize<ChildResult>(output.Trim().Split('\n')[^1])!;
            Console.WriteLine($"(b) full ingest, 1 worker, extractor {extractor}: {r.Documents:N0} documents from {r.Records:N0} records in {r.Seconds:F1} s: {r.Documents / r.Seconds:N0} documents/s per core, {size / 1e6 / r.Seconds:F1} MB/s compressed");
            Console.WriteLine($"    CPU time of the ingest process {r.CpuSeconds:F1} s: {r.Documents / r.CpuSeconds:N0} documents per CPU-second (less sensitive to other load than wall time)");
            Console.WriteLine($"    the same again in the same process (models loaded, JIT warm, as for a task's later files): {r.WarmDocuments:N0} documents in {r.WarmSeconds:F1} s: {r.WarmDocuments / r.WarmSeconds:N0} documents/s per core, {r.WarmDocuments / r.WarmCpuSeconds:N0} per CPU-second");
            Console.WriteLine($"    peak working set of the ingest process over both runs: {r.PeakWorkingSetBytes / 1e6:F0} MB (includes the .NET runtime and the language models)");
            Console.WriteLine($"    garbage collections (first run) gen0/gen1/gen2: {string.Join("/", r.Collections)}, paused {r.GcPauseSeconds:F1} s; allocated {r.AllocatedBytes / 1e9:F1} GB ({r.AllocatedBytes / Math.Max(1, r.Documents) / 1e3:F0} KB per document)");
            Console.WriteLine($"    counters: {string.Join(", ", r.Counters.Where(kv => kv.Key.StartsWith("skipped", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value}"))}");
        }
        return 0;
    }

    /// <summary>Where a page's time goes, one core, on the first <paramref name="pages"/> pages (after a warm-up on 100 of them): decode, extract, language id, hash.</summary>
    private static void Breakdown(string file, string extractorName, int pages)
    {
        var extractor = ExtractorCatalog.Create(extractorName);
        var language = DataPipe.Ingest.Language.LanguageIdentifier.For();
        language.Identify("warm up the language models with a sentence of English text");
        var decoder = new HttpPayloadDecoder();
        var htmls = new List<(string Html, string Url)>();
        var t = new double[5];
        var sw = Stopwatch.StartNew();
        using (var reader = new WarcReader(File.OpenRead(file)))
        {
            while (htmls.Count < pages && reader.TryRead(out var rec))
            {
                if (rec.Type != "response") continue;
                sw.Restart();
                if (!HttpResponseHead.TryParse(rec.Block.Span, 65536, out var head, out _)) continue;
                if (!decoder.Decode(head.Headers, head.Body, out var payload).IsOk) continue;
                string html = DataPipe.Ingest.Charset.HtmlCharset.Decode(payload, MediaType.Charset(head.ContentType));
                t[0] += sw.Elapsed.TotalSeconds;
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
            sw.Restart();
            string text = extractor.Extract(html, url);
            t[1] += sw.Elapsed.TotalSeconds;
            sw.Restart();
            var (lang, _) = language.Identify(text);
            t[2] += sw.Elapsed.TotalSeconds;
            if (language.IdentifyWithFirstPass(text) is null) unsettled++;
            sw.Restart();
            var (alone, _) = language.IdentifyWithLingua(text);
            t[4] += sw.Elapsed.TotalSeconds;
            if (alone == lang) agree++;
            sw.Restart();
            hash ^= DataPipe.Core.Text.ContentHash.Of(text) + lang.Length;
            t[3] += sw.Elapsed.TotalSeconds;
        }
        GC.KeepAlive(hash);
        double total = t[..4].Sum();
        string[] names = ["HTTP decode + charset", $"extract ({extractorName})", "language id", "normalize + hash"];
        Console.WriteLine($"(c) per-page breakdown over {htmls.Count} pages, one core: {htmls.Count / total:N0} pages/s without reading and Parquet");
        for (int i = 0; i < 4; i++) Console.WriteLine($"    {names[i],-24} {t[i] * 1000 / htmls.Count,8:F2} ms/page  {100 * t[i] / total,5:F1}%");
        Console.WriteLine($"    (peer: Lingua alone on the same samples {t[4] * 1000 / htmls.Count:F2} ms/page: the first pass makes language id {t[4] / t[2]:F1}x faster; it leaves {unsettled} of {htmls.Count} pages to Lingua; same language as Lingua alone on {agree} of {htmls.Count})");
    }

    private sealed record ParseResult(long Records, long Decompressed, double Seconds);

    private static ParseResult Parse(string file, long maxRecords)
    {
        var sw = Stopwatch.StartNew();
        long records = 0;
        long statusSum = 0;
        using var reader = new WarcReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
        while (records < maxRecords && reader.TryRead(out var rec))
        {
            records++;
            if (rec.Type == "response" && HttpResponseHead.TryParse(rec.Block.Span, 65536, out var head, out _))
                statusSum += head.StatusCode + (head.ContentType?.Length ?? 0);
        }
        GC.KeepAlive(statusSum);
        return new ParseResult(records, reader.DecompressedBytesRead, sw.Elapsed.TotalSeconds);
    }

    private sealed record PeerResult(string Version, string Node, long Records, double Seconds);

    private static PeerResult? RunWarcio(string root, string file)
    {
        string peers = Path.Combine(root, "bench", ".peers");
        string module = Path.Combine(peers, "node_modules", "warcio", "package.json");
        if (!File.Exists(module))
        {
            Console.WriteLine("    installing warcio.js into bench/.peers (npm) ...");
            Directory.CreateDirectory(peers);
            if (Run("npm", ["install", "--prefix", peers, "--no-audit", "--no-fund", "warcio@2"], peers).Code != 0 || !File.Exists(module))
            {
                Console.WriteLine("    warcio.js could not be installed (npm failed); peer skipped");
                return null;
            }
        }
        string script = Path.Combine(peers, "warcio-parse.mjs");
        File.Copy(Path.Combine(root, "bench", "peers", "warcio-parse.mjs"), script, overwrite: true);
        var (code, stdout) = Run("node", [script, file], peers);
        if (code != 0)
        {
            Console.WriteLine($"    warcio.js failed: {stdout}");
            return null;
        }
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        string version = JsonDocument.Parse(File.ReadAllText(module)).RootElement.GetProperty("version").GetString() ?? "?";
        string node = Run("node", ["--version"], peers).Output.Trim();
        return new PeerResult(version, node, json.RootElement.GetProperty("records").GetInt64(), json.RootElement.GetProperty("seconds").GetDouble());
    }

    private static (int Code, string Output) Run(string exe, string[] args, string cwd)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + (p.ExitCode != 0 ? err.Result : ""));
    }

    private sealed record ChildResult(long Records, long Documents, double Seconds, double CpuSeconds, long PeakWorkingSetBytes, SortedDictionary<string, long> Counters, int[] Collections, double GcPauseSeconds, long AllocatedBytes, double WarmSeconds, double WarmCpuSeconds, long WarmDocuments);

    /// <summary>
    /// The measured full ingest, alone in its process so that its peak working set is its own. The stage runs twice:
    /// first from a cold start (the language models load and the JIT compiles during the run, as for the first file of
    /// a task), then again on the same file into a second folder (as for every later file of a task that holds
    /// several); both are reported.
    /// </summary>
    private static async Task<int> ChildAsync(string file, string outDir, string extractor)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var (result, seconds) = await IngestOnceAsync(file, outDir, extractor).ConfigureAwait(false);
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        double pause = GC.GetTotalPauseDuration().TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes();

        string warmDir = outDir + "-warm";
        if (Directory.Exists(warmDir)) Directory.Delete(warmDir, recursive: true);
        var (warm, warmSeconds) = await IngestOnceAsync(file, warmDir, extractor).ConfigureAwait(false);
        Directory.Delete(warmDir, recursive: true);
        using var me = Process.GetCurrentProcess();
        me.Refresh();
        var r = new ChildResult(result.RowsIn, result.RowsOut, seconds, (cpu1 - cpu0).TotalSeconds, me.PeakWorkingSet64, result.Counters,
            collections, pause, allocated, warmSeconds, (me.TotalProcessorTime - cpu1).TotalSeconds, warm.RowsOut);
        Console.WriteLine(JsonSerializer.Serialize(r));
        return 0;
    }

    /// <summary>One ingest of <paramref name="file"/> into <paramref name="outDir"/> on one worker; the stage's success record and the wall seconds it took.</summary>
    private static async Task<(SuccessRecord Success, double Seconds)> IngestOnceAsync(string file, string outDir, string extractor)
    {
        var stage = await IngestStage.CreateAsync(new IngestOptions { Inputs = [file], Extractor = extractor }).ConfigureAwait(false);
        var sw = Stopwatch.StartNew();
        var result = await new LocalExecutor().RunAsync(stage, outDir, new ExecutorOptions { Workers = 1, MaxAttempts = 1 }).ConfigureAwait(false);
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
