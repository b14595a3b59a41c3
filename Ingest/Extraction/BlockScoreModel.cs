using System.Globalization;
using System.Text;
using DataPipe.Core.Errors;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// The block scorer's model: a first logistic stage over <see cref="BlockFeatures"/>, a second over
/// <see cref="Stage2Features"/>, and boosted trees that correct the second stage's logit; a block is main text when
/// the corrected score reaches <see cref="Threshold"/>. Stored as text, one <c>name weight</c> line per feature and
/// one line per tree, so a file written for another feature set fails loudly instead of scoring with shifted weights. The
/// shipped model is <c>BlockScoreModel.txt</c>, embedded in this assembly; the command that regenerates it is in its
/// first line.
/// </summary>
public sealed class BlockScoreModel
{
    public const string ResourceName = "DataPipe.Ingest.Extraction.BlockScoreModel.txt";

    /// <summary>The command that writes the shipped model (from the repository root).</summary>
    public const string RegenerateCommand = "dotnet run --project bench -c Release -- extract-quality --write-model Ingest/Extraction/BlockScoreModel.txt";

    internal readonly float[] Weights;
    internal readonly float[] Weights2;
    internal readonly ObliviousTree[] Trees;
    public float Bias { get; }
    public float Bias2 { get; }
    public float Threshold { get; }

    internal BlockScoreModel(float[] weights, float bias, float[] weights2, float bias2, float threshold, ObliviousTree[]? trees = null)
    {
        Trees = trees ?? [];
        foreach (var tree in Trees)
            if (tree.Features.Any(f => f < 0 || f >= TreeNames.Count)) throw new ArgumentException("a tree splits on a feature that does not exist", nameof(trees));
        if (weights.Length != BlockFeatures.Count) throw new ArgumentException($"{weights.Length} weights for {BlockFeatures.Count} features", nameof(weights));
        if (weights2.Length != Stage2Features.Count) throw new ArgumentException($"{weights2.Length} weights for {Stage2Features.Count} features", nameof(weights2));
        Weights = weights;
        Bias = bias;
        _depth = [.. Trees.Select(t => t.Depth)];
        _splitFeature = [.. Trees.SelectMany(t => t.Features)];
        _splitThreshold = [.. Trees.SelectMany(t => t.Thresholds)];
        _leaves = [.. Trees.SelectMany(t => t.Leaves)];
        _leafStart = new int[Trees.Length];
        for (int t = 1; t < Trees.Length; t++) _leafStart[t] = _leafStart[t - 1] + Trees[t - 1].Leaves.Length;
        Weights2 = weights2;
        Bias2 = bias2;
        Threshold = threshold;
    }

    private static IReadOnlyList<string> AllNames => [.. BlockFeatures.Names, .. Stage2Features.Names];

    /// <summary>What the trees read: the first stage's features before the hashed class words, then the second stage's.</summary>
    internal static readonly IReadOnlyList<string> TreeNames = [.. BlockFeatures.Names.Take(BlockFeatures.DenseCount), .. Stage2Features.Names];

    private static readonly Lazy<BlockScoreModel> ShippedModel = new(() =>
    {
        using var stream = typeof(BlockScoreModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new DataPipeException($"the block scorer's model {ResourceName} is not embedded in {typeof(BlockScoreModel).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Read(reader, ResourceName);
    });

    /// <summary>The model trained on every extraction set, shipped in the assembly.</summary>
    public static BlockScoreModel Shipped => ShippedModel.Value;

    /// <summary>First stage: probability that the block with features <paramref name="features"/> is main text.</summary>
    internal float Probability(ReadOnlySpan<float> features) => Logistic(Bias, Weights, features);

    /// <summary>
    /// Second stage, from <see cref="Stage2Features"/> (<paramref name="features2"/>) plus the boosted trees' correction
    /// over both stages' features: the score compared with <see cref="Threshold"/>.
    /// </summary>
    internal float Probability2(ReadOnlySpan<float> features1, ReadOnlySpan<float> features2)
    {
        float z = Margin2(features2) + TreeSum(features1, features2);
        return 1f / (1f + MathF.Exp(-z));
    }

    /// <summary>The second stage's score before the trees' correction.</summary>
    internal float Probability2WithoutTrees(ReadOnlySpan<float> features2) => 1f / (1f + MathF.Exp(-Margin2(features2)));

    internal float Margin2(ReadOnlySpan<float> features2)
    {
        float z = Bias2;
        var w = Weights2.AsSpan();
        for (int i = 0; i < w.Length; i++) z += w[i] * features2[i];
        return z;
    }

    internal float TreeSum(ReadOnlySpan<float> features1, ReadOnlySpan<float> features2)
    {
        if (Trees.Length == 0) return 0;
        // One row of what the trees read, then every tree's comparisons over flat arrays (the trees of a model are
        // scored for every block of every page: this is the block scorer's inner loop once trees are on).
        Span<float> row = stackalloc float[TreeNames.Count];
        features1[..BlockFeatures.DenseCount].CopyTo(row);
        features2.CopyTo(row[BlockFeatures.DenseCount..]);
        float z = 0;
        var splitFeature = _splitFeature;
        var splitThreshold = _splitThreshold;
        var leaves = _leaves;
        for (int t = 0, at = 0; t < Trees.Length; t++)
        {
            int depth = _depth[t], leaf = 0;
            for (int level = 0; level < depth; level++, at++)
                leaf = (leaf << 1) | (row[splitFeature[at]] > splitThreshold[at] ? 1 : 0);
            z += leaves[_leafStart[t] + leaf];
        }
        return z;
    }

    private readonly int[] _depth = [], _leafStart = [], _splitFeature = [];
    private readonly float[] _splitThreshold = [], _leaves = [];

    private static float Logistic(float bias, float[] weights, ReadOnlySpan<float> features) =>
        1f / (1f + MathF.Exp(-(bias + Dot(weights, features))));

    /// <summary>
    /// The dot product of a weight vector and a feature row, a SIMD register at a time: the first stage reads a
    /// couple of hundred features for every block of every page.
    /// </summary>
    private static float Dot(ReadOnlySpan<float> w, ReadOnlySpan<float> x)
    {
        int i = 0;
        float z = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && w.Length >= System.Numerics.Vector<float>.Count)
        {
            var sum = System.Numerics.Vector<float>.Zero;
            for (; i <= w.Length - System.Numerics.Vector<float>.Count; i += System.Numerics.Vector<float>.Count)
                sum += new System.Numerics.Vector<float>(w[i..]) * new System.Numerics.Vector<float>(x[i..]);
            z = System.Numerics.Vector.Sum(sum);
        }
        for (; i < w.Length; i++) z += w[i] * x[i];
        return z;
    }

    /// <summary>The features that moved a block's score most (weight × value), largest magnitude first.</summary>
    internal IEnumerable<(string Name, float Contribution)> TopContributions(ReadOnlySpan<float> features, ReadOnlySpan<float> features2, int count)
    {
        var list = new List<(string, float)>();
        for (int i = 0; i < Weights.Length; i++)
            if (features[i] != 0) list.Add((BlockFeatures.Names[i], Weights[i] * features[i]));
        for (int i = 0; i < Weights2.Length; i++)
            if (features2[i] != 0) list.Add((Stage2Features.Names[i], Weights2[i] * features2[i]));
        if (Trees.Length > 0) list.Add(("trees", TreeSum(features, features2)));
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
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bias2 {Bias2:R}"));
        for (int i = 0; i < Weights2.Length; i++)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Stage2Features.Names[i]} {Weights2[i]:R}"));
        // tree DEPTH (FEATURE THRESHOLD) x DEPTH LEAF x 2^DEPTH: the leaf of a row is the bits (feature > threshold), first level highest.
        foreach (var tree in Trees)
        {
            var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"tree {tree.Depth}"));
            for (int level = 0; level < tree.Depth; level++)
                line.Append(CultureInfo.InvariantCulture, $" {TreeNames[tree.Features[level]]} {tree.Thresholds[level]:R}");
            foreach (float leaf in tree.Leaves) line.Append(CultureInfo.InvariantCulture, $" {leaf:R}");
            writer.WriteLine(line.ToString());
        }
    }

    private static ObliviousTree ReadTree(string line, string source, int lineNo)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int depth) || depth < 1 || depth > 10
            || parts.Length != 2 + 2 * depth + (1 << depth))
            throw new DataPipeException($"{source}:{lineNo}: expected 'tree DEPTH (FEATURE THRESHOLD)xDEPTH LEAFx2^DEPTH', got '{line}'");
        var features = new int[depth];
        var thresholds = new float[depth];
        var leaves = new float[1 << depth];
        for (int level = 0; level < depth; level++)
        {
            int f = TreeIndex.GetValueOrDefault(parts[2 + 2 * level], -1);
            if (f < 0) throw new DataPipeException($"{source}:{lineNo}: tree splits on unknown feature '{parts[2 + 2 * level]}' (regenerate: {RegenerateCommand})");
            features[level] = f;
            thresholds[level] = ParseNumber(parts[3 + 2 * level], source, lineNo);
        }
        for (int i = 0; i < leaves.Length; i++) leaves[i] = ParseNumber(parts[2 + 2 * depth + i], source, lineNo);
        return new ObliviousTree(features, thresholds, leaves);
    }

    private static readonly Dictionary<string, int> TreeIndex = TreeNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);

    private static float ParseNumber(string s, string source, int lineNo) =>
        float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : throw new DataPipeException($"{source}:{lineNo}: '{s}' is not a number");

    /// <summary>Reads a model written by <see cref="Write"/>; every feature must have exactly one weight.</summary>
    public static BlockScoreModel Read(TextReader reader, string source)
    {
        var names = AllNames;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) index[names[i]] = i;
        var weights = new float[names.Count];
        var seen = new bool[names.Count];
        float? threshold = null, bias = null, bias2 = null;
        var trees = new List<ObliviousTree>();
        int lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith("tree ", StringComparison.Ordinal))
            {
                trees.Add(ReadTree(line, source, lineNo));
                continue;
            }
            int space = line.IndexOf(' ');
            if (space <= 0 || !float.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                throw new DataPipeException($"{source}:{lineNo}: expected 'name weight', got '{line}'");
            string name = line[..space];
            if (name == "threshold") threshold = value;
            else if (name == "bias") bias = value;
            else if (name == "bias2") bias2 = value;
            else if (index.TryGetValue(name, out int i))
            {
                weights[i] = value;
                seen[i] = true;
            }
            else throw new DataPipeException($"{source}:{lineNo}: unknown feature '{name}' (the model was written for another feature set; regenerate it: {RegenerateCommand})");
        }
        int missing = Array.IndexOf(seen, false);
        if (missing >= 0) throw new DataPipeException($"{source}: no weight for feature '{names[missing]}' (regenerate: {RegenerateCommand})");
        if (threshold is null || bias is null || bias2 is null) throw new DataPipeException($"{source}: missing threshold, bias or bias2 line");
        return new BlockScoreModel(weights[..BlockFeatures.Count], bias.Value, weights[BlockFeatures.Count..], bias2.Value, threshold.Value, [.. trees]);
    }
}
