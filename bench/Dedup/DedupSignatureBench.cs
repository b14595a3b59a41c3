using System.Diagnostics;
using DataPipe.Core.Text;
using DataPipe.Dedup.MinHash;
using DataPipe.Dedup.Shingles;

namespace DataPipe.Bench.Dedup;

/// <summary>
/// <c>dedup-signatures [--docs N]</c>: single-thread throughput of the signature path on ~3 KB documents from real
/// text (target: 5,000 documents/s per core), broken down into normalization, shingling and MinHash, and the
/// the default scalar MinHash loop next to the AVX-512 one.
/// </summary>
public static class DedupSignatureBench
{
    public static Task<int> RunAsync(string[] args)
    {
        int n = DedupQualityBench.IntArg(args, "--docs", 20000);
        var g = DedupBenchData.Generator();
        var docs = DedupBenchData.ScaleCorpus(g, n, 5).Select(d => d.Text).ToArray();
        double kb = docs.Average(t => t.Length) / 1024.0;
        Console.WriteLine($"{n:N0} documents, mean {kb:F2} K chars; rates are per CPU-second of this process; AVX-512: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        var shingler = new WordShingler(5);
        var vector = new MinHasher(112, vectorize: true);
        var scalar = new MinHasher(112);
        using var buffer = new ShingleBuffer();
        var sig = new uint[112];
        var normalized = new string[n];
        var counts = new int[n];

        double tNorm = Time(() => { for (int i = 0; i < n; i++) normalized[i] = TextNormalizer.Normalize(docs[i]); });
        double tShingle = Time(() => { for (int i = 0; i < n; i++) counts[i] = shingler.HashNormalized(normalized[i], buffer); });
        double tVector = Time(() => { for (int i = 0; i < n; i++) { int c = shingler.HashNormalized(normalized[i], buffer); vector.Compute(buffer.Hashes.AsSpan(0, c), sig); } }) - tShingle;
        double tScalar = Time(() => { for (int i = 0; i < n; i++) { int c = shingler.HashNormalized(normalized[i], buffer); scalar.Compute(buffer.Hashes.AsSpan(0, c), sig); } }) - tShingle;
        double total = tNorm + tShingle + tScalar;
        Console.WriteLine($"normalize        {n / tNorm,10:N0} docs/s  ({tNorm / total:P0} of the path)");
        Console.WriteLine($"shingle (hash)   {n / tShingle,10:N0} docs/s  ({tShingle / total:P0})");
        Console.WriteLine($"minhash scalar   {n / tScalar,10:N0} docs/s  ({tScalar / total:P0}; the default)");
        Console.WriteLine($"minhash AVX-512  {n / tVector,10:N0} docs/s  (speed-up over scalar {tScalar / tVector:F2}x)");
        Console.WriteLine($"signature path   {n / total,10:N0} docs per CPU-second (normalize + shingle + 112-permutation MinHash), target 5,000");
        return Task.FromResult(0);

        // CPU time of this process (the benchmark is single-threaded), so a loaded machine inflates it less than wall time.
        static double Time(Action a)
        {
            a(); // warm-up (JIT, caches)
            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            a();
            self.Refresh();
            return (self.TotalProcessorTime - cpu).TotalSeconds;
        }
    }
}
