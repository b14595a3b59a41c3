using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataPipe.Filter.Classifier;

namespace DataPipe.Bench.Filter;

/// <summary>
/// <c>filter-classifier</c>: the quality classifier against two independent peers on the same held-out splits. The
/// peers: fastText supervised (Debian <c>fasttext</c>, /usr/bin/fasttext) and scikit-learn HashingVectorizer +
/// LogisticRegression (Debian <c>python3-sklearn</c> via /usr/bin/python3, GPT-3's recipe). For each seed the examples
/// are split once (<see cref="ClassifierTrainer.Split"/>), every method trains on the same train part and scores the
/// same held-out part, and AUC is computed by the same code. Prints AUC per seed and mean, and training seconds.
/// Peers missing are installed with apt-get when running as root, else reported as skipped.
/// Options: --positives P... --negatives N... (defaults: WikiText-2, Tiny Shakespeare and the readability reference
/// pages against ../shared/data/text/ccnet), --seeds 3, --hash-bits 20, --epochs 10, --holdout 0.2.
/// </summary>
public static class FilterClassifierBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = BenchArgs.Parse(args);
        string shared = Path.GetFullPath(Path.Combine(BenchArgs.RepoRoot, "..", "shared", "data"));
        var positives = a.List("--positives", [Path.Combine(shared, "text/wikitext-2/test.txt"), Path.Combine(shared, "text/tinyshakespeare.txt"), Path.Combine(shared, "html-extraction/pages/*/expected.html")]);
        var negatives = a.List("--negatives", [Path.Combine(shared, "text/ccnet")]);
        int seeds = a.Int("--seeds", 3);
        int hashBits = a.Int("--hash-bits", 20);
        int epochs = a.Int("--epochs", 10);
        double holdout = a.Double("--holdout", 0.2);

        var textOptions = new TrainingTextOptions();
        var pos = await TrainingTexts.ReadAsync(positives, true, textOptions).ConfigureAwait(false);
        var neg = await TrainingTexts.ReadAsync(negatives, false, textOptions).ConfigureAwait(false);
        List<LabeledText> examples = [.. pos, .. neg];
        Console.WriteLine($"filter-classifier: {pos.Count} positives from {string.Join(", ", positives)}");
        Console.WriteLine($"                   {neg.Count} negatives from {string.Join(", ", negatives)}");
        Console.WriteLine($"                   {seeds} seed(s), holdout {holdout}, 2^{hashBits} buckets; machine load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");

        bool haveFastText = PeerTools.Ensure("/usr/bin/fasttext", "fasttext");
        bool haveSklearn = File.Exists("/usr/bin/python3") && (SklearnImports() || (PeerTools.AptInstall("python3-sklearn") && SklearnImports()));

        var results = new Dictionary<string, List<(double Auc, double Seconds)>> { ["datapipe"] = [], ["fasttext"] = [], ["sklearn"] = [] };
        using var tmp = new BenchTempDir("filter-classifier");
        for (int seed = 1; seed <= seeds; seed++)
        {
            var (train, test) = ClassifierTrainer.Split(examples, holdout, seed);
            var labels = test.Select(e => e.Positive).ToArray();

            var options = new ClassifierTrainingOptions { Features = new FeatureSettings { HashBits = hashBits }, Epochs = epochs, HoldoutFraction = holdout, Seed = seed };
            var ours = ClassifierTrainer.Train(examples, options);
            var scorer = new QualityScorer(ours.Info, ours.Weights);
            if (!ours.Holdout.Select(e => e.Id).SequenceEqual(test.Select(e => e.Id))) throw new InvalidOperationException("split mismatch");
            results["datapipe"].Add((BinaryMetrics.Auc([.. test.Select(e => scorer.Score(e.Text))], labels), ours.Report.TrainSeconds));

            if (haveFastText) results["fasttext"].Add(FastText(train, test, labels, hashBits, tmp.Path, seed));
            if (haveSklearn) results["sklearn"].Add(Sklearn(train, test, labels, hashBits, tmp.Path, seed));
            Console.WriteLine($"seed {seed}: train {train.Count}, held out {test.Count} ({labels.Count(l => l)} positive): " +
                string.Join(", ", results.Where(r => r.Value.Count == seed).Select(r => $"{r.Key} AUC {r.Value[^1].Auc:F4} ({r.Value[^1].Seconds:F2} s)")));
        }

        Console.WriteLine();
        Console.WriteLine($"{"method",-10} {"mean AUC",9} {"min AUC",8} {"train s (mean)",15}");
        foreach (var (name, runs) in results)
        {
            if (runs.Count == 0)
            {
                Console.WriteLine($"{name,-10} skipped (peer not installed)");
                continue;
            }
            Console.WriteLine($"{name,-10} {runs.Average(r => r.Auc),9:F4} {runs.Min(r => r.Auc),8:F4} {runs.Average(r => r.Seconds),15:F2}");
        }
        var ourAuc = results["datapipe"].Average(r => r.Auc);
        var peers = results.Where(r => r.Key != "datapipe" && r.Value.Count > 0).ToList();
        if (peers.Count > 0)
        {
            var best = peers.MaxBy(p => p.Value.Average(r => r.Auc));
            Console.WriteLine($"ours - best peer ({best.Key}) AUC: {ourAuc - best.Value.Average(r => r.Auc):+0.0000;-0.0000;0.0000} (target >= 0)");
        }
        if (results["fasttext"].Count > 0)
            Console.WriteLine($"training time ours / fastText: {results["datapipe"].Average(r => r.Seconds) / results["fasttext"].Average(r => r.Seconds):F2}x");
        return 0;
    }

    private static bool SklearnImports() => PeerTools.Run("/usr/bin/python3", "-c \"import sklearn\"", out _) == 0;

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>fastText supervised with word bigrams and the same bucket count, one thread; the probability of the positive label.</summary>
    private static (double, double) FastText(List<LabeledText> train, List<LabeledText> test, bool[] labels, int hashBits, string dir, int seed)
    {
        string trainFile = Path.Combine(dir, $"ft-train-{seed}.txt");
        string testFile = Path.Combine(dir, $"ft-test-{seed}.txt");
        string model = Path.Combine(dir, $"ft-model-{seed}");
        File.WriteAllLines(trainFile, train.Select(e => (e.Positive ? "__label__pos " : "__label__neg ") + OneLine(e.Text)));
        File.WriteAllLines(testFile, test.Select(e => OneLine(e.Text)));
        var clock = Stopwatch.StartNew();
        if (PeerTools.Run("/usr/bin/fasttext", $"supervised -input {trainFile} -output {model} -wordNgrams 2 -bucket {1 << hashBits} -dim 16 -epoch 10 -lr 0.5 -thread 1 -seed {seed} -verbose 0", out string log) != 0)
            throw new InvalidOperationException($"fasttext supervised failed: {log}");
        double seconds = clock.Elapsed.TotalSeconds;
        if (PeerTools.Run("/usr/bin/fasttext", $"predict-prob {model}.bin {testFile} 2", out string predictions) != 0)
            throw new InvalidOperationException($"fasttext predict-prob failed: {predictions}");
        var scores = new List<float>();
        foreach (var line in predictions.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Trim().Split(' ');
            float p = 0;
            for (int i = 0; i + 1 < parts.Length; i += 2)
            {
                float v = float.Parse(parts[i + 1], CultureInfo.InvariantCulture);
                p = parts[i] == "__label__pos" ? v : parts.Length == 2 ? 1 - v : p;
            }
            scores.Add(p);
        }
        if (scores.Count != test.Count) throw new InvalidOperationException($"fasttext gave {scores.Count} predictions for {test.Count} documents");
        return (BinaryMetrics.Auc(scores, labels), seconds);
    }

    private static (double, double) Sklearn(List<LabeledText> train, List<LabeledText> test, bool[] labels, int hashBits, string dir, int seed)
    {
        string trainFile = Path.Combine(dir, $"sk-train-{seed}.jsonl");
        string testFile = Path.Combine(dir, $"sk-test-{seed}.jsonl");
        string scoresFile = Path.Combine(dir, $"sk-scores-{seed}.txt");
        File.WriteAllLines(trainFile, train.Select(e => JsonSerializer.Serialize(new { text = e.Text, positive = e.Positive })), new UTF8Encoding(false));
        File.WriteAllLines(testFile, test.Select(e => JsonSerializer.Serialize(new { text = e.Text, positive = e.Positive })), new UTF8Encoding(false));
        string script = Path.Combine(BenchArgs.RepoRoot, "bench", "Filter", "sklearn_peer.py");
        if (PeerTools.Run("/usr/bin/python3", $"{script} {trainFile} {testFile} {scoresFile} {hashBits}", out string output) != 0)
            throw new InvalidOperationException($"sklearn peer failed: {output}");
        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        double seconds = json.RootElement.GetProperty("train_wall_seconds").GetDouble();
        var scores = File.ReadAllLines(scoresFile).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        return (BinaryMetrics.Auc(scores, labels), seconds);
    }
}
