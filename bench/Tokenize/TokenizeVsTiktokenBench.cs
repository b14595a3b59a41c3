using System.Diagnostics;
using System.Globalization;
using DataPipe.Tokenize.Bpe;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Bench.Tokenize;

/// <summary>
/// <c>tokenize-vs-tiktoken [--docs DIR]... [--passes 3] [--bpe-vocab 8192]</c>: on every real document
/// (<see cref="TokenizeBenchCorpus"/>), in one run,
/// <list type="bullet">
/// <item>exactness: our cl100k_base and o200k_base ids against OpenAI's tiktoken (npm) for every document: documents
/// compared, mismatches (target 0), the first mismatch shown;</item>
/// <item>speed per core: tokens/s single-threaded for ours and tiktoken's on the same documents (best of N passes after a
/// warm-up), and the ratio (target ≥ 1.5x); ours on all cores too; our trained BPE's tokens/s (trained in the run on the
/// same corpus, or loaded with <c>--bpe DIR</c>);</item>
/// <item>round trip: decode(encode(text)) == text for every document, for each tokenizer.</item>
/// </list>
/// </summary>
internal static class TokenizeVsTiktokenBench
{
    public static Task<int> RunAsync(string[] args)
    {
        int passes = int.Parse(TokenizeBenchCorpus.Option(args, "--passes") ?? "3", CultureInfo.InvariantCulture);
        var docs = TokenizeBenchCorpus.Load(args);
        var texts = docs.Select(d => d.Text).ToList();
        long bytes = texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t));
        Console.WriteLine($"corpus: {docs.Count:N0} documents, {bytes / 1e6:F1} MB UTF-8; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
        string work = Path.Combine(Path.GetTempPath(), $"datapipe-bench-tok-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        int failures = 0;
        try
        {
            var rows = new List<string[]>();
            double cl100kPeerRate = 0;
            foreach (var encoding in TiktokenTextTokenizer.Names)
            {
                var ours = TiktokenTextTokenizer.Get(encoding);
                var peer = TiktokenPeer.Encode(texts, encoding, passes, work);
                var (seconds, tokens, ids) = Time(ours, texts, passes);
                int mismatches = 0;
                for (int i = 0; i < docs.Count; i++)
                {
                    if (ids[i].AsSpan().SequenceEqual(peer.Ids[i])) continue;
                    if (mismatches++ == 0) Console.WriteLine($"  first mismatch ({encoding}): {docs[i].Id}: {Diff(ids[i], peer.Ids[i])}");
                }
                failures += mismatches;
                int roundTrip = RoundTripFailures(ours, texts, ids);
                failures += roundTrip;
                double parallel = ParallelTokensPerSecond(ours, texts, tokens);
                double oursRate = tokens / seconds, peerRate = peer.Tokens / peer.Seconds;
                if (encoding == TiktokenTextTokenizer.Cl100kBase) cl100kPeerRate = peerRate;
                Console.WriteLine($"{encoding}: {docs.Count:N0} documents compared with tiktoken, {mismatches} mismatches; round trip failures {roundTrip}");
                rows.Add([encoding, F(oursRate), F(peerRate), $"{oursRate / peerRate:F2}x", F(parallel), tokens.ToString("N0", CultureInfo.InvariantCulture)]);
            }

            var bpe = LoadOrTrainBpe(args, texts, work);
            var (bs, bt, bids) = Time(bpe, texts, passes);
            int bpeRoundTrip = RoundTripFailures(bpe, texts, bids);
            failures += bpeRoundTrip;
            Console.WriteLine($"bpe ({bpe.Identity.VocabSize} tokens): round trip failures {bpeRoundTrip}; {bytes / (double)bt:F2} bytes per token");
            rows.Add([$"bpe-{bpe.Identity.VocabSize}", F(bt / bs), F(cl100kPeerRate) + " (cl100k)", $"{bt / bs / cl100kPeerRate:F2}x", F(ParallelTokensPerSecond(bpe, texts, bt)), bt.ToString("N0", CultureInfo.InvariantCulture)]);

            Console.WriteLine();
            Console.WriteLine($"{"tokenizer",-12} {"ours tok/s/core",16} {"tiktoken tok/s/core",22} {"ratio",7} {"ours tok/s all cores",21} {"tokens",12}");
            foreach (var r in rows) Console.WriteLine($"{r[0],-12} {r[1],16} {r[2],22} {r[3],7} {r[4],21} {r[5],12}");
            Console.WriteLine(failures == 0 ? "result: exact and lossless on every document" : $"result: {failures} failures");
            return Task.FromResult(failures == 0 ? 0 : 1);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Best of <paramref name="passes"/> single-threaded passes after a warm-up pass; the ids of the last pass.</summary>
    private static (double Seconds, long Tokens, int[][] Ids) Time(ITextTokenizer tokenizer, List<string> texts, int passes)
    {
        var ids = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++) ids[i] = tokenizer.Encode(texts[i]);
        double best = double.MaxValue;
        long tokens = 0;
        for (int p = 0; p < passes; p++)
        {
            tokens = 0;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < texts.Count; i++)
            {
                ids[i] = tokenizer.Encode(texts[i]);
                tokens += ids[i].Length;
            }
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return (best, tokens, ids);
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
