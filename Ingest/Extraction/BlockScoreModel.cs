using System.Globalization;
using System.Text;
using DataPipe.Core.Errors;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// A logistic model over <see cref="BlockFeatures"/>: a block is main text when
/// sigmoid(bias + weights · features) ≥ <see cref="Threshold"/>. Stored as text, one <c>name weight</c> line per
/// feature, so a file written for another feature set fails loudly instead of scoring with shifted weights. The
/// shipped model is <c>BlockScoreModel.txt</c>, embedded in this assembly; the command that regenerates it is in its
/// first line.
/// </summary>
public sealed class BlockScoreModel
{
    public const string ResourceName = "DataPipe.Ingest.Extraction.BlockScoreModel.txt";

    /// <summary>The command that writes the shipped model (from the repository root).</summary>
    public const string RegenerateCommand = "dotnet run --project bench -c Release -- extract-quality --write-model Ingest/Extraction/BlockScoreModel.txt";

    internal readonly float[] Weights;
    public float Bias { get; }
    public float Threshold { get; }

    internal BlockScoreModel(float[] weights, float bias, float threshold)
    {
        if (weights.Length != BlockFeatures.Count) throw new ArgumentException($"{weights.Length} weights for {BlockFeatures.Count} features", nameof(weights));
        Weights = weights;
        Bias = bias;
        Threshold = threshold;
    }

    private static readonly Lazy<BlockScoreModel> ShippedModel = new(() =>
    {
        using var stream = typeof(BlockScoreModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new DataPipeException($"the block scorer's model {ResourceName} is not embedded in {typeof(BlockScoreModel).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Read(reader, ResourceName);
    });

    /// <summary>The model trained on every extraction set, shipped in the assembly.</summary>
    public static BlockScoreModel Shipped => ShippedModel.Value;

    /// <summary>Probability that the block with features <paramref name="features"/> is main text.</summary>
    internal float Probability(ReadOnlySpan<float> features)
    {
        float z = Bias;
        var w = Weights.AsSpan();
        for (int i = 0; i < w.Length; i++) z += w[i] * features[i];
        return 1f / (1f + MathF.Exp(-z));
    }

    /// <summary>The features that moved a block's score most (weight × value), largest magnitude first.</summary>
    internal IEnumerable<(string Name, float Contribution)> TopContributions(ReadOnlySpan<float> features, int count)
    {
        var list = new List<(string, float)>();
        for (int i = 0; i < Weights.Length; i++)
            if (features[i] != 0) list.Add((BlockFeatures.Names[i], Weights[i] * features[i]));
        return list.OrderByDescending(c => Math.Abs(c.Item2)).Take(count);
    }

    public void Write(TextWriter writer, string comment)
    {
        writer.WriteLine($"# {comment}");
        writer.WriteLine($"# regenerate: {RegenerateCommand}");
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threshold {Threshold:R}"));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bias {Bias:R}"));
        for (int i = 0; i < Weights.Length; i++)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{BlockFeatures.Names[i]} {Weights[i]:R}"));
    }

    /// <summary>Reads a model written by <see cref="Write"/>; every feature must have exactly one weight.</summary>
    public static BlockScoreModel Read(TextReader reader, string source)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < BlockFeatures.Count; i++) index[BlockFeatures.Names[i]] = i;
        var weights = new float[BlockFeatures.Count];
        var seen = new bool[BlockFeatures.Count];
        float? threshold = null, bias = null;
        int lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.IndexOf(' ');
            if (space <= 0 || !float.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                throw new DataPipeException($"{source}:{lineNo}: expected 'name weight', got '{line}'");
            string name = line[..space];
            if (name == "threshold") threshold = value;
            else if (name == "bias") bias = value;
            else if (index.TryGetValue(name, out int i))
            {
                weights[i] = value;
                seen[i] = true;
            }
            else throw new DataPipeException($"{source}:{lineNo}: unknown feature '{name}' (the model was written for another feature set; regenerate it: {RegenerateCommand})");
        }
        int missing = Array.IndexOf(seen, false);
        if (missing >= 0) throw new DataPipeException($"{source}: no weight for feature '{BlockFeatures.Names[missing]}' (regenerate: {RegenerateCommand})");
        if (threshold is null || bias is null) throw new DataPipeException($"{source}: missing threshold or bias line");
        return new BlockScoreModel(weights, bias.Value, threshold.Value);
    }
}
