using System.Diagnostics;
using System.Globalization;
using DataPipe.Tokenize.Bpe;

namespace DataPipe.Bench.Tokenize;

/// <summary>
/// <c>bpe-train [--mb 10] [--vocab 8192] [--threads N]</c>: trains a byte-level BPE on N MB of real text (the benchmark
/// corpus, cycled when N exceeds it: repeats add occurrences but no new words, so the merge phase stays the size of the
/// real vocabulary while the counting phase grows with N) and prints the time of each phase, MB/s of counting, merges/s,
/// and peak memory. The target: a few seconds for 10 MB.
/// </summary>
internal static class BpeTrainBench
{
    public static Task<int> RunAsync(string[] args)
    {
        double mb = double.Parse(TokenizeBenchCorpus.Option(args, "--mb") ?? "10", CultureInfo.InvariantCulture);
        int vocab = int.Parse(TokenizeBenchCorpus.Option(args, "--vocab") ?? "8192", CultureInfo.InvariantCulture);
        int threads = int.Parse(TokenizeBenchCorpus.Option(args, "--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var corpus = TokenizeBenchCorpus.Load(args).Select(d => d.Text).Where(t => t.Length > 0).ToList();
        long corpusChars = corpus.Sum(t => (long)t.Length);
        long want = (long)(mb * 1e6);
        Console.WriteLine($"bpe-train: {mb} MB of text (real corpus {corpusChars / 1e6:F1} M chars, cycled), vocabulary {vocab}, {threads} threads, load average {TokenizeVsTiktokenBench.LoadAverage()}");

        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabSize = vocab, Threads = threads });
        var count = Stopwatch.StartNew();
        long fed = 0;
        var batch = new List<string>();
        long batchChars = 0;
        for (int i = 0; fed < want; i = (i + 1) % corpus.Count)
        {
            batch.Add(corpus[i]);
            batchChars += corpus[i].Length;
            fed += corpus[i].Length;
            if (batchChars >= 4 << 20)
            {
                trainer.Count(batch);
                batch = [];
                batchChars = 0;
            }
        }
        if (batch.Count > 0) trainer.Count(batch);
        double countSeconds = count.Elapsed.TotalSeconds;
        var merge = Stopwatch.StartNew();
        var vocabulary = trainer.Train();
        double mergeSeconds = merge.Elapsed.TotalSeconds;

        Console.WriteLine($"counted {trainer.WordOccurrences:N0} words ({trainer.DistinctWords:N0} distinct) in {fed / 1e6:F1} M chars: {countSeconds:F2} s ({fed / 1e6 / countSeconds:F1} M chars/s)");
        Console.WriteLine($"learned {vocabulary.Merges.Count:N0} merges: {mergeSeconds:F2} s ({vocabulary.Merges.Count / mergeSeconds:N0} merges/s)");
        Console.WriteLine($"total {countSeconds + mergeSeconds:F2} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:N0} MB");
        return Task.FromResult(0);
    }
}
