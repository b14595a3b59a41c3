using System.Diagnostics;
using System.Globalization;
using DataPipe.Bench.Harness;
using DataPipe.Tokenize.Bpe;
using static DataPipe.Bench.Harness.SideBySide;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Bench.Tokenize;

/// <summary>
/// <c>tokenize-vs-tiktoken [--docs DIR]... [--passes 3] [--runs 2] [--bpe-vocab 8192] [--skip-bpe]</c>: on every real document
/// (<see cref="TokenizeBenchCorpus"/>), in one run,
/// <list type="bullet">
/// <item>exactness: our cl100k_base and o200k_base ids against OpenAI's tiktoken (npm) for every document: documents
/// compared, mismatches (target 0), the first mismatch shown;</item>
/// <item>speed per core: tokens per CPU-second (and per wall second) single-threaded for ours and tiktoken's on the same
/// documents, encoded one call per document and as one joined string (best of N passes after a warm-up, runs
/// alternated ours, tiktoken, ours, tiktoken), and the ratios (target ≥ 3x per document on CPU time); one core's
/// streaming read rate beside them as the memory-bandwidth limit; ours on all cores too; our trained BPE's rate
/// (trained in the run on the same corpus, or loaded with <c>--bpe DIR</c>);</item>
/// <item>round trip: decode(encode(text)) == text for every document, for each tokenizer.</item>
/// </list>
/// </summary>
internal static class TokenizeVsTiktokenBench
{
    public static Task<int> RunAsync(string[] args)
    {
        int passes = int.Parse(TokenizeBenchCorpus.Option(args, "--passes") ?? "3", CultureInfo.InvariantCulture);
        int runs = int.Parse(TokenizeBenchCorpus.Option(args, "--runs") ?? "2", CultureInfo.InvariantCulture);
        bool skipBpe = args.Contains("--skip-bpe");
        var docs = TokenizeBenchCorpus.Load(args);
        var texts = docs.Select(d => d.Text).ToList();
        string joined = string.Join("\n\n", texts);
        long bytes = texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t));
        Console.WriteLine($"corpus: {docs.Count:N0} documents, {bytes / 1e6:F1} MB UTF-8; {Environment.ProcessorCount} cores");
        string loadBefore = SideBySide.PrintLoad("before");
        var (readGBps, readGBpsCpu) = StreamingReadGBps();
        Console.WriteLine($"memory: one-core streaming read of a 512 MiB buffer: {readGBps:F1} GB/s wall, {readGBpsCpu:F1} GB per CPU-s (the bound on any single-pass reader of the text)");
        string work = Path.Combine(Path.GetTempPath(), $"datapipe-bench-tok-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        int failures = 0;
        try
        {
            string docsPath = TiktokenPeer.WriteDocuments(texts, work);
            var rows = new List<string[]>();
            double cl100kPeerRate = 0;
            foreach (var encoding in TiktokenTextTokenizer.Names)
            {
                var ours = TiktokenTextTokenizer.Get(encoding);
                // Alternated: ours, tiktoken, ours, tiktoken; each side's best pass of its best run, on CPU time and wall.
                TiktokenPeer.Result? peer = null;
                List<int[]>? peerIds = null;
                Timing oursDocs = new(double.MaxValue, double.MaxValue), oursOne = new(double.MaxValue, double.MaxValue);
                Timing peerDocs = new(double.MaxValue, double.MaxValue), peerOne = new(double.MaxValue, double.MaxValue);
                long tokens = 0, oneTokens = 0;
                int[][] ids = [];
                for (int r = 0; r < runs; r++)
                {
                    var (tDocs, tk, oursIds) = Time(ours, texts, passes);
                    var (tOne, oneTk) = TimeOne(ours, joined, passes);
                    (tokens, oneTokens, ids) = (tk, oneTk, oursIds);
                    oursDocs = Best(oursDocs, tDocs);
                    oursOne = Best(oursOne, tOne);
                    peer = TiktokenPeer.Encode(docsPath, texts.Count, encoding, passes, work, withIds: r == 0);
                    peerIds ??= peer.Ids;
                    peerDocs = Best(peerDocs, new Timing(peer.Seconds, peer.CpuSeconds));
                    peerOne = Best(peerOne, new Timing(peer.OneStringSeconds, peer.OneStringCpuSeconds));
                    Console.WriteLine($"  {encoding} run {r + 1}: per document ours {tk / tDocs.CpuSeconds:N0} tok/CPU-s ({tk / tDocs.WallSeconds:N0} wall), tiktoken {peer.Tokens / peer.CpuSeconds:N0} tok/CPU-s ({peer.Tokens / peer.Seconds:N0} wall); one string ours {oneTk / tOne.CpuSeconds:N0}, tiktoken {peer.OneStringTokens / peer.OneStringCpuSeconds:N0} tok/CPU-s; load {SideBySide.LoadAverage()}");
                }
                int mismatches = 0;
                for (int i = 0; i < docs.Count; i++)
                {
                    if (ids[i].AsSpan().SequenceEqual(peerIds![i])) continue;
                    if (mismatches++ == 0) Console.WriteLine($"  first mismatch ({encoding}): {docs[i].Id}: {Diff(ids[i], peerIds[i])}");
                }
                failures += mismatches;
                int roundTrip = RoundTripFailures(ours, texts, ids);
                failures += roundTrip;
                double parallel = ParallelTokensPerSecond(ours, texts, tokens);
                double oursRate = tokens / oursDocs.CpuSeconds, peerRate = peer!.Tokens / peerDocs.CpuSeconds;
                double oursOneRate = oneTokens / oursOne.CpuSeconds, peerOneRate = peer.OneStringTokens / peerOne.CpuSeconds;
                if (encoding == TiktokenTextTokenizer.Cl100kBase) cl100kPeerRate = peerRate;
                Console.WriteLine($"{encoding}: {docs.Count:N0} documents compared with tiktoken, {mismatches} mismatches; round trip failures {roundTrip}; one string: ours {oneTokens:N0} tokens, tiktoken {peer.OneStringTokens:N0}");
                rows.Add([encoding + " per doc", F(oursRate), F(peerRate), $"{oursRate / peerRate:F2}x", $"{tokens / oursDocs.WallSeconds / (peer.Tokens / peerDocs.WallSeconds):F2}x", F(parallel), tokens.ToString("N0", CultureInfo.InvariantCulture)]);
                rows.Add([encoding + " 1 string", F(oursOneRate), F(peerOneRate), $"{oursOneRate / peerOneRate:F2}x", $"{oneTokens / oursOne.WallSeconds / (peer.OneStringTokens / peerOne.WallSeconds):F2}x", "", oneTokens.ToString("N0", CultureInfo.InvariantCulture)]);
                double mbPerCpu = bytes / 1e6 / oursDocs.CpuSeconds;
                ReportRow.Add(new ReportRow($"Tokenize {encoding}: tokens per CPU-second, one thread, per document ({docs.Count:N0} real documents)",
                    $"{oursRate / 1e6:F2} M tok/CPU-s ({mbPerCpu:F0} MB/CPU-s); one string {oursOneRate / 1e6:F2} M",
                    $"tiktoken (npm, WASM) {peerRate / 1e6:F2} M per doc; one string {peerOneRate / 1e6:F2} M",
                    $"{oursRate / peerRate:F2}x per doc, {oursOneRate / peerOneRate:F2}x one string (wall {tokens / oursDocs.WallSeconds / (peer.Tokens / peerDocs.WallSeconds):F2}x)",
                    "≥ 3x per doc (CPU)", ReportRow.Judge(oursRate / peerRate, 3.0),
                    $"streaming read {readGBpsCpu:F1} GB/CPU-s: ours reads text at {100 * mbPerCpu / 1e3 / readGBpsCpu:F1}% of it; ids identical on {docs.Count - mismatches:N0}/{docs.Count:N0}"));
            }

            if (!skipBpe)
            {
                var bpe = LoadOrTrainBpe(args, texts, work);
                var (bt, btokens, bids) = Time(bpe, texts, passes);
                int bpeRoundTrip = RoundTripFailures(bpe, texts, bids);
                failures += bpeRoundTrip;
                Console.WriteLine($"bpe ({bpe.Identity.VocabSize} tokens): round trip failures {bpeRoundTrip}; {bytes / (double)btokens:F2} bytes per token");
                rows.Add([$"bpe-{bpe.Identity.VocabSize}", F(btokens / bt.CpuSeconds), F(cl100kPeerRate) + " (cl100k)", $"{btokens / bt.CpuSeconds / cl100kPeerRate:F2}x", "", F(ParallelTokensPerSecond(bpe, texts, btokens)), btokens.ToString("N0", CultureInfo.InvariantCulture)]);
            }

            Console.WriteLine();
            Console.WriteLine($"{"tokenizer",-18} {"ours tok/CPU-s",16} {"tiktoken tok/CPU-s",20} {"ratio CPU",10} {"ratio wall",11} {"ours tok/s all cores",21} {"tokens",12}");
            foreach (var r in rows) Console.WriteLine($"{r[0],-18} {r[1],16} {r[2],20} {r[3],10} {r[4],11} {r[5],21} {r[6],12}");
            SideBySide.PrintLoad("after");
            Console.WriteLine($"(load before was {loadBefore})");
            Console.WriteLine(failures == 0 ? "result: exact and lossless on every document" : $"result: {failures} failures");
            return Task.FromResult(failures == 0 ? 0 : 1);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Timing Best(Timing a, Timing b) => new(Math.Min(a.WallSeconds, b.WallSeconds), Math.Min(a.CpuSeconds, b.CpuSeconds));

    /// <summary>Best of <paramref name="passes"/> single-threaded passes after a warm-up pass (wall and CPU taken separately); the ids of the last pass.</summary>
    private static (Timing Best, long Tokens, int[][] Ids) Time(ITextTokenizer tokenizer, List<string> texts, int passes)
    {
        var ids = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++) ids[i] = tokenizer.Encode(texts[i]);
        var best = new Timing(double.MaxValue, double.MaxValue);
        long tokens = 0;
        for (int p = 0; p < passes; p++)
        {
            var (n, t) = SideBySide.Measure(() =>
            {
                long count = 0;
                for (int i = 0; i < texts.Count; i++)
                {
                    ids[i] = tokenizer.Encode(texts[i]);
                    count += ids[i].Length;
                }
                return count;
            });
            tokens = n;
            best = Best(best, t);
        }
        return (best, tokens, ids);
    }

    /// <summary>The whole corpus as one string, encoded once per pass after a warm-up.</summary>
    private static (Timing Best, long Tokens) TimeOne(ITextTokenizer tokenizer, string text, int passes)
    {
        tokenizer.Encode(text);
        var best = new Timing(double.MaxValue, double.MaxValue);
        long tokens = 0;
        for (int p = 0; p < passes; p++)
        {
            var (n, t) = SideBySide.Measure(() => (long)tokenizer.Encode(text).Length);
            tokens = n;
            best = Best(best, t);
        }
        return (best, tokens);
    }

    /// <summary>
    /// One core reading a 512 MiB buffer once from start to end (256-bit loads summed, best of 3): the memory
    /// bandwidth that bounds any tokenizer that must read its input once, in GB per wall second and per CPU second.
    /// </summary>
    internal static (double Wall, double Cpu) StreamingReadGBps()
    {
        var buffer = GC.AllocateUninitializedArray<long>(64 << 20);
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan()));
        double bestWall = 0, bestCpu = 0;
        for (int round = 0; round < 3; round++)
        {
            var (sum, t) = SideBySide.Measure(() =>
            {
                var v = System.Runtime.InteropServices.MemoryMarshal.Cast<long, System.Runtime.Intrinsics.Vector256<long>>(buffer.AsSpan());
                var a0 = System.Runtime.Intrinsics.Vector256<long>.Zero;
                var a1 = a0;
                for (int i = 0; i + 1 < v.Length; i += 2)
                {
                    a0 += v[i];
                    a1 += v[i + 1];
                }
                return System.Runtime.Intrinsics.Vector256.Sum(a0 + a1);
            });
            GC.KeepAlive(sum);
            double gb = buffer.Length * 8.0 / 1e9;
            bestWall = Math.Max(bestWall, gb / t.WallSeconds);
            bestCpu = Math.Max(bestCpu, gb / t.CpuSeconds);
        }
        return (bestWall, bestCpu);
    }

    private static double ParallelTokensPerSecond(ITextTokenizer tokenizer, List<string> texts, long tokens)
    {
        var sw = Stopwatch.StartNew();
        Parallel.For(0, texts.Count, i => tokenizer.Encode(texts[i]));
        return tokens / sw.Elapsed.TotalSeconds;
    }

    private static int RoundTripFailures(ITextTokenizer tokenizer, List<string> texts, int[][] ids)
    {
        int failures = 0;
        for (int i = 0; i < texts.Count; i++)
            if (tokenizer.Decode([.. ids[i], tokenizer.EotId]) != texts[i]) failures++;
        return failures;
    }

    private static ITextTokenizer LoadOrTrainBpe(string[] args, List<string> texts, string work)
    {
        if (TokenizeBenchCorpus.Option(args, "--bpe") is { } dir) return ByteLevelBpeTokenizer.Load(dir);
        int vocab = int.Parse(TokenizeBenchCorpus.Option(args, "--bpe-vocab") ?? "8192", CultureInfo.InvariantCulture);
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabSize = vocab });
        var sw = Stopwatch.StartNew();
        trainer.Count(texts);
        var vocabulary = trainer.Train();
        Console.WriteLine($"trained a {vocabulary.Size}-token BPE on the same corpus in {sw.Elapsed.TotalSeconds:F1} s");
        string bpeDir = Path.Combine(work, "bpe");
        vocabulary.Save(bpeDir);
        return ByteLevelBpeTokenizer.Load(bpeDir);
    }

    private static string Diff(int[] ours, int[] theirs)
    {
        int k = 0;
        while (k < ours.Length && k < theirs.Length && ours[k] == theirs[k]) k++;
        return $"at token {k}: ours [{string.Join(",", ours.Skip(k).Take(8))}] tiktoken [{string.Join(",", theirs.Skip(k).Take(8))}] ({ours.Length} vs {theirs.Length} tokens)";
    }

    private static string F(double rate) => rate.ToString("N0", CultureInfo.InvariantCulture);

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
