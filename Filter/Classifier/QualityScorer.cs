namespace DataPipe.Filter.Classifier;

/// <summary>
/// Scores documents with a trained classifier in plain C# (no TorchSharp): features are hashed as in training and the
/// bucket weights summed, so scoring needs only the weight table in memory and one pass over the text. Thread-safe.
/// Returns P(curated), the sigmoid of the logit.
/// </summary>
public sealed class QualityScorer
{
    [ThreadStatic]
    private static List<int>? t_buckets;

    [ThreadStatic]
    private static float[]? t_hidden;

    private readonly ClassifierWeights _w;

    public QualityScorer(ClassifierModelInfo info, ClassifierWeights weights)
    {
        if (weights.Buckets != info.Features.Buckets || weights.Hidden != info.Hidden)
            throw new ArgumentException("weights do not match the model description", nameof(weights));
        Info = info;
        _w = weights;
    }

    public ClassifierModelInfo Info { get; }

    public static QualityScorer Load(string dir)
    {
        var (info, weights) = ModelFolder.Load(dir);
        return new QualityScorer(info, weights);
    }

    public float Score(ReadOnlySpan<char> text) => Sigmoid(Logit(text));

    public float Logit(ReadOnlySpan<char> text)
    {
        var buckets = t_buckets ??= new List<int>(4096);
        buckets.Clear();
        int n = HashedFeatures.Extract(text, Info.Features, buckets);
        float weight = HashedFeatures.Weight(n);
        var table = _w.Table;
        if (_w.Hidden == 0)
        {
            float sum = 0;
            foreach (int b in buckets) sum += table[b];
            return _w.OutputBias + sum * weight;
        }
        int dim = _w.Dim;
        var h = t_hidden is { } existing && existing.Length == dim ? existing : (t_hidden = new float[dim]);
        Array.Clear(h);
        var hs = h.AsSpan();
        foreach (int b in buckets)
        {
            var row = table.AsSpan(b * dim, dim);
            for (int k = 0; k < dim; k++) hs[k] += row[k];
        }
        float logit = _w.OutputBias;
        for (int k = 0; k < dim; k++)
        {
            float v = hs[k] * weight + _w.HiddenBias[k];
            if (v > 0) logit += v * _w.Output[k];
        }
        return logit;
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
