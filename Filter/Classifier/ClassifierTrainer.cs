using System.Diagnostics;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using TorchSharp;
using static TorchSharp.torch;

namespace DataPipe.Filter.Classifier;

/// <summary>
/// A training example: a text and whether it is curated (positive) or raw web text (negative). <paramref name="Weight"/>
/// scales its share of the loss within its class (mixing weights of several positive sources); 1 by default.
/// </summary>
public sealed record LabeledText(string Id, string Text, bool Positive, double Weight = 1);

/// <summary>How the classifier is trained. Plain data; the defaults are what the project's report was measured with.</summary>
public sealed record ClassifierTrainingOptions
{
    public FeatureSettings Features { get; init; } = new();

    /// <summary>0: logistic regression (GPT-3's choice); &gt; 0: one hidden ReLU layer of this size.</summary>
    public int Hidden { get; init; }

    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>L2 penalty on the weights (Adam weight decay).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Share of each class held out for the report.</summary>
    public double HoldoutFraction { get; init; } = 0.2;

    public int Seed { get; init; } = 1;

    /// <summary>Weight the classes so both count equally in the loss, whatever their sizes.</summary>
    public bool BalanceClasses { get; init; } = true;

    /// <summary>Threshold for the report's precision and recall (and the filter's default).</summary>
    public float Threshold { get; init; } = 0.5f;

    /// <summary>"auto" (cuda when TorchSharp reports it, else cpu), "cpu" or "cuda".</summary>
    public string Device { get; init; } = "auto";

    public int HistogramBins { get; init; } = 20;

    /// <summary>
    /// CPU threads TorchSharp may use while training (0: its default, one per core). 1 by default: a step touches few
    /// weights, and measured on the 2-core build machine under load one thread trained 5x faster than two.
    /// </summary>
    public int Threads { get; init; } = 1;
}

/// <summary>What training produced: the model, its report, and the held-out split it was measured on.</summary>
public sealed record TrainedClassifier(ClassifierModelInfo Info, ClassifierWeights Weights, ClassifierReport Report, IReadOnlyList<LabeledText> Holdout);

/// <summary>
/// Trains the quality classifier of GPT-3 (Brown et al. 2020, appendix A: a logistic regression on hashed word
/// features, curated text against raw Common Crawl) with TorchSharp: the model is an EmbeddingBag in sum mode over the
/// hashed buckets, with per-sample weights 1/sqrt(n), plus a bias (or a small ReLU layer), trained with Adam on
/// class-balanced binary cross-entropy. The device is chosen once: cuda when TorchSharp reports it, else the CPU; the
/// same code runs on both. After training, the held-out split is scored by <see cref="QualityScorer"/> from the
/// exported weights, so the report measures exactly what the filter stage will run.
/// </summary>
public static class ClassifierTrainer
{
    public static TrainedClassifier Train(IReadOnlyList<LabeledText> examples, ClassifierTrainingOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        options.Features.Validate("classifier options");
        if (options.Hidden < 0) throw new DataPipeException($"hidden layer size must be >= 0, is {options.Hidden}");
        if (options.HoldoutFraction is < 0 or >= 1) throw new DataPipeException($"holdout fraction must be in [0, 1), is {options.HoldoutFraction}");
        int positives = examples.Count(e => e.Positive);
        int negatives = examples.Count - positives;
        if (positives == 0) throw new DataPipeException("no positive examples: the positives inputs hold no text");
        if (negatives == 0) throw new DataPipeException("no negative examples: the negatives inputs hold no text");

        var (train, holdout) = Split(examples, options.HoldoutFraction, options.Seed);
        var device = ComputeDevice.UseCuda(options.Device, cuda.is_available) ? CUDA : CPU;
        log?.Invoke($"training on {device.type.ToString().ToLowerInvariant()}: {train.Count} examples ({train.Count(e => e.Positive)} positive), {holdout.Count} held out");

        var clock = Stopwatch.StartNew();
        var features = train.Select(e => Featurize(e.Text, options.Features)).ToArray();
        log?.Invoke($"features: {features.Sum(f => (long)f.Length):N0} in {clock.Elapsed.TotalSeconds:F2} s");
        var weights = Fit(train, features, options, device, log, out var losses, ct);
        double seconds = clock.Elapsed.TotalSeconds;

        var info = new ClassifierModelInfo
        {
            Features = options.Features,
            Hidden = options.Hidden,
            Threshold = options.Threshold,
            Device = device.type.ToString().ToLowerInvariant(),
            TrainedAt = DateTime.UtcNow,
            TrainPositives = train.Count(e => e.Positive),
            TrainNegatives = train.Count(e => !e.Positive),
            HoldoutPositives = holdout.Count(e => e.Positive),
            HoldoutNegatives = holdout.Count(e => !e.Positive),
        };
        var scorer = new QualityScorer(info, weights);
        var report = Report(scorer, train, holdout, options, info, seconds, losses);
        info = info with { HoldoutAuc = report.HoldoutAuc };
        return new TrainedClassifier(info, weights, report, holdout);
    }

    /// <summary>A stratified split: each class shuffled with the seed, its first <paramref name="fraction"/> held out.</summary>
    public static (List<LabeledText> Train, List<LabeledText> Holdout) Split(IReadOnlyList<LabeledText> examples, double fraction, int seed)
    {
        var train = new List<LabeledText>();
        var holdout = new List<LabeledText>();
        foreach (bool label in new[] { true, false })
        {
            var cls = examples.Where(e => e.Positive == label).ToArray();
            new Random(seed + (label ? 1 : 0)).Shuffle(cls);
            int held = (int)Math.Round(cls.Length * fraction);
            holdout.AddRange(cls[..held]);
            train.AddRange(cls[held..]);
        }
        new Random(seed + 2).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(train));
        return (train, holdout);
    }

    private static int[] Featurize(string text, FeatureSettings settings)
    {
        var list = new List<int>(Math.Min(text.Length / 3 + 8, 1 << 16));
        HashedFeatures.Extract(text, settings, list);
        return [.. list];
    }

    private static ClassifierWeights Fit(List<LabeledText> train, int[][] features, ClassifierTrainingOptions o, Device device, Action<string>? log, out List<double> losses, CancellationToken ct)
    {
        losses = [];
        torch.random.manual_seed(o.Seed);
        int threadsBefore = torch.get_num_threads();
        if (device.type == DeviceType.CPU && o.Threads > 0) torch.set_num_threads(o.Threads);
        try
        {
            return FitOn(train, features, o, device, log, losses, ct);
        }
        finally
        {
            torch.set_num_threads(threadsBefore);
        }
    }

    private static ClassifierWeights FitOn(List<LabeledText> train, int[][] features, ClassifierTrainingOptions o, Device device, Action<string>? log, List<double> losses, CancellationToken ct)
    {
        int buckets = o.Features.Buckets;
        int dim = o.Hidden == 0 ? 1 : o.Hidden;
        using var scope = NewDisposeScope();
        var bag = nn.EmbeddingBag(buckets, dim, mode: EmbeddingBagMode.Sum, device: device);
        using (no_grad())
        {
            if (o.Hidden == 0) bag.weight!.zero_();
            else bag.weight!.normal_(0, 0.01);
        }
        var bias = nn.Parameter(zeros(dim, device: device));
        var parameters = new List<TorchSharp.Modules.Parameter> { bag.weight!, bias };
        TorchSharp.Modules.Linear? output = null;
        if (o.Hidden > 0)
        {
            output = nn.Linear(o.Hidden, 1, device: device);
            parameters.AddRange(output.parameters());
        }
        var optimizer = optim.Adam(parameters, lr: o.LearningRate, weight_decay: o.WeightDecay);

        int n = train.Count;
        double pos = train.Count(e => e.Positive);
        double neg = n - pos;
        float posWeight = o.BalanceClasses ? (float)(n / (2 * pos)) : 1f;
        float negWeight = o.BalanceClasses ? (float)(n / (2 * neg)) : 1f;
        var order = Enumerable.Range(0, n).ToArray();
        var rng = new Random(o.Seed);
        var clock = Stopwatch.StartNew();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            rng.Shuffle(order);
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < n; start += o.BatchSize)
            {
                using var step = NewDisposeScope();
                int end = Math.Min(n, start + o.BatchSize);
                var (indices, offsets, sampleWeights, labels, classWeights) = Batch(order.AsSpan(start, end - start), train, features, posWeight, negWeight);
                var idx = tensor(indices, device: device);
                var off = tensor(offsets, device: device);
                var psw = tensor(sampleWeights, device: device);
                var y = tensor(labels, device: device);
                var w = tensor(classWeights, device: device);
                var summed = bag.call(idx, off, psw) + bias;
                var logits = output is null ? summed.squeeze(1) : output.call(nn.functional.relu(summed)).squeeze(1);
                var loss = nn.functional.binary_cross_entropy_with_logits(logits, y, w);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                batches++;
            }
            losses.Add(Math.Round(lossSum / Math.Max(1, batches), 6));
            log?.Invoke($"epoch {epoch + 1}/{o.Epochs}: loss {lossSum / Math.Max(1, batches):F4} ({clock.Elapsed.TotalSeconds:F2} s)");
        }

        var table = bag.weight!.detach().cpu().data<float>().ToArray();
        var b = bias.detach().cpu().data<float>().ToArray();
        if (output is null) return new ClassifierWeights(buckets, 0, table, [], [], b[0]);
        var outW = output.weight!.detach().cpu().data<float>().ToArray();
        var outB = output.bias!.detach().cpu().data<float>().ToArray();
        return new ClassifierWeights(buckets, o.Hidden, table, b, outW, outB[0]);
    }

    private static (long[] Indices, long[] Offsets, float[] SampleWeights, float[] Labels, float[] ClassWeights) Batch(
        ReadOnlySpan<int> rows, List<LabeledText> train, int[][] features, float posWeight, float negWeight)
    {
        int total = 0;
        foreach (int r in rows) total += features[r].Length;
        var indices = new long[total];
        var sampleWeights = new float[total];
        var offsets = new long[rows.Length];
        var labels = new float[rows.Length];
        var classWeights = new float[rows.Length];
        int at = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            var f = features[rows[i]];
            offsets[i] = at;
            float w = HashedFeatures.Weight(f.Length);
            for (int k = 0; k < f.Length; k++)
            {
                indices[at + k] = f[k];
                sampleWeights[at + k] = w;
            }
            at += f.Length;
            bool positive = train[rows[i]].Positive;
            labels[i] = positive ? 1f : 0f;
            classWeights[i] = (positive ? posWeight : negWeight) * (float)train[rows[i]].Weight;
        }
        return (indices, offsets, sampleWeights, labels, classWeights);
    }

    private static ClassifierReport Report(QualityScorer scorer, List<LabeledText> train, List<LabeledText> holdout, ClassifierTrainingOptions o, ClassifierModelInfo info, double seconds, List<double> losses)
    {
        var hs = holdout.Select(e => scorer.Score(e.Text)).ToArray();
        var hl = holdout.Select(e => e.Positive).ToArray();
        var ts = train.Select(e => scorer.Score(e.Text)).ToArray();
        var tl = train.Select(e => e.Positive).ToArray();
        var (precision, recall) = BinaryMetrics.AtThreshold(hs, hl, o.Threshold);
        int bins = Math.Max(2, o.HistogramBins);
        return new ClassifierReport
        {
            HoldoutAuc = Math.Round(BinaryMetrics.Auc(hs, hl), 6),
            TrainAuc = Math.Round(BinaryMetrics.Auc(ts, tl), 6),
            Threshold = o.Threshold,
            Precision = Math.Round(precision, 6),
            Recall = Math.Round(recall, 6),
            TrainPositives = info.TrainPositives,
            TrainNegatives = info.TrainNegatives,
            HoldoutPositives = info.HoldoutPositives,
            HoldoutNegatives = info.HoldoutNegatives,
            Device = info.Device,
            Epochs = o.Epochs,
            TrainSeconds = Math.Round(seconds, 3),
            EpochLosses = losses,
            HistogramEdges = [.. Enumerable.Range(0, bins + 1).Select(i => Math.Round((double)i / bins, 6))],
            PositiveHistogram = BinaryMetrics.Histogram(hs.Where((_, i) => hl[i]), bins),
            NegativeHistogram = BinaryMetrics.Histogram(hs.Where((_, i) => !hl[i]), bins),
        };
    }
}
