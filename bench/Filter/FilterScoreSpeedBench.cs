using System.Diagnostics;
using DataPipe.Core.Documents;
using DataPipe.Core.Stages;
using DataPipe.Filter.Classifier;
using DataPipe.Filter.Rules;

namespace DataPipe.Bench.Filter;

/// <summary>
/// <c>filter-score-speed</c>: classifier scoring speed on one thread for ~3 KB documents (target: at least
/// 20,000 documents per CPU-second), measured in CPU time of this process so a loaded machine reads fairly, plus the
/// heuristic rules' speed on the same documents for reference. Documents are 3,000-character pieces of WikiText-2;
/// the model is a 2^20-bucket logistic regression (and with --hidden H, one hidden layer) with random weights, which
/// cost the same to evaluate as trained ones. Options: --docs 200000, --hash-bits 20, --hidden 0.
/// </summary>
public static class FilterScoreSpeedBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = BenchArgs.Parse(args);
        int docs = a.Int("--docs", 200_000);
        int hashBits = a.Int("--hash-bits", 20);
        int hidden = a.Int("--hidden", 0);
        string shared = Path.GetFullPath(Path.Combine(BenchArgs.RepoRoot, "..", "shared", "data"));
        var texts = (await TrainingTexts.ReadAsync([Path.Combine(shared, "text/wikitext-2")], true, new TrainingTextOptions { ChunkChars = 3000 }).ConfigureAwait(false))
            .Select(e => e.Text.Length > 3000 ? e.Text[..3000] : e.Text).Where(t => t.Length >= 2500).ToArray();
        double meanChars = texts.Average(t => t.Length);

        var features = new FeatureSettings { HashBits = hashBits };
        int dim = hidden == 0 ? 1 : hidden;
        var rng = new Random(1);
        var table = new float[(long)features.Buckets * dim];
        for (long i = 0; i < table.Length; i++) table[i] = (float)(rng.NextDouble() - 0.5) * 0.1f;
        float[] R(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5))];
        var scorer = new QualityScorer(new ClassifierModelInfo { Features = features, Hidden = hidden }, new ClassifierWeights(features.Buckets, hidden, table, R(hidden), R(hidden), 0.1f));

        Console.WriteLine($"filter-score-speed: {texts.Length} distinct documents of {meanChars:F0} chars on average, {docs:N0} scored on one thread; 2^{hashBits} buckets, hidden {hidden}");
        Console.WriteLine($"machine load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores (CPU time is this thread's own)");
        for (int i = 0; i < Math.Min(2000, docs); i++) scorer.Score(texts[i % texts.Length]);

        double sink = 0;
        var (cpu, wall) = Measure(() =>
        {
            for (int i = 0; i < docs; i++) sink += scorer.Score(texts[i % texts.Length]);
        });
        Console.WriteLine($"classifier scoring: {docs / cpu,12:N0} docs per CPU-second ({docs / wall:N0} per wall-second), {docs * meanChars / cpu / 1e6:F1} M chars per CPU-second; target >= 20,000: {(docs / cpu >= 20_000 ? "met" : "NOT met")}");

        var chain = new RuleChain(new FilterRulesOptions());
        var counters = new Counters();
        int ruleDocs = Math.Max(1, docs / 10);
        var copies = Enumerable.Range(0, ruleDocs).Select(i => new Document { Id = $"d{i}", Lang = "en", LangScore = 0.9f, Text = texts[i % texts.Length] }).ToArray();
        int keptByRules = 0;
        var (ruleCpu, ruleWall) = Measure(() =>
        {
            foreach (var d in copies) if (chain.Apply(d, counters) is null) keptByRules++;
        });
        Console.WriteLine($"heuristic rules (all four): {ruleDocs / ruleCpu,12:N0} docs per CPU-second ({ruleDocs / ruleWall:N0} per wall-second); {keptByRules:N0} of {ruleDocs:N0} WikiText pieces kept");
        return sink == double.MinValue ? 1 : 0;
    }

    /// <summary>Runs <paramref name="work"/> and returns the CPU seconds of this process and the wall seconds it took.</summary>
    private static (double Cpu, double Wall) Measure(Action work)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        work();
        double wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return ((process.TotalProcessorTime - cpuBefore).TotalSeconds, wall);
    }
}
