namespace DataPipe.Filter.Classifier;

/// <summary>
/// <c>model.json</c> of a classifier folder: what the weights mean. A logistic regression has <see cref="Hidden"/> 0:
/// logit = bias + sum of the document's bucket weights (each times <see cref="HashedFeatures.Weight"/>). With a hidden
/// layer of size H: h = relu(b1 + sum of the buckets' H-vectors), logit = b2 + w2 · h.
/// </summary>
public sealed record ClassifierModelInfo
{
    public const string FormatName = "datapipe-quality-classifier";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public FeatureSettings Features { get; init; } = new();

    /// <summary>Hidden layer size; 0 for a logistic regression.</summary>
    public int Hidden { get; init; }

    /// <summary>The score threshold the report's precision and recall were computed at, and the filter's default.</summary>
    public float Threshold { get; init; } = 0.5f;

    public string Device { get; init; } = "";
    public DateTime TrainedAt { get; init; }
    public long TrainPositives { get; init; }
    public long TrainNegatives { get; init; }
    public long HoldoutPositives { get; init; }
    public long HoldoutNegatives { get; init; }
    public double HoldoutAuc { get; init; }
}

/// <summary>
/// The numbers of a trained classifier, in the layout of <c>weights.bin</c>: the bucket table
/// (<c>buckets x dim</c>, row-major), and for a hidden layer its bias and the output weights; then the output bias.
/// <c>dim</c> is 1 for a logistic regression.
/// </summary>
public sealed class ClassifierWeights
{
    public ClassifierWeights(int buckets, int hidden, float[] table, float[] hiddenBias, float[] output, float outputBias)
    {
        int dim = hidden == 0 ? 1 : hidden;
        if (table.Length != (long)buckets * dim) throw new ArgumentException($"table has {table.Length} values, expected {(long)buckets * dim}", nameof(table));
        if (hiddenBias.Length != (hidden == 0 ? 0 : hidden) || output.Length != hiddenBias.Length)
            throw new ArgumentException($"hidden layer of {hidden} needs {hidden} biases and output weights", nameof(hiddenBias));
        Buckets = buckets;
        Hidden = hidden;
        Table = table;
        HiddenBias = hiddenBias;
        Output = output;
        OutputBias = outputBias;
    }

    public int Buckets { get; }
    public int Hidden { get; }
    public int Dim => Hidden == 0 ? 1 : Hidden;
    public float[] Table { get; }
    public float[] HiddenBias { get; }
    public float[] Output { get; }
    public float OutputBias { get; }
}
