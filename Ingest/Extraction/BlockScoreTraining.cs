using System.Runtime.CompilerServices;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// Trains the block scorer's model (two logistic stages, then boosted trees) on labelled pages (<see cref="ExtractionSets"/>).
/// <para>
/// Labels: on a page with gold text, a block's target is the share of its words found in the reference, taken from
/// the reference's bag in document order (a word is used up once matched, so a menu cannot claim the article's words
/// twice), and the label is 1 when that share is at least one half; on a snippet page (trafilatura) a block is 1 when it holds or lies inside a <c>with</c> snippet, 0 when it
/// holds or lies inside a <c>without</c> snippet, and unlabelled otherwise. A block weighs the square root of its
/// words, and every set weighs the same in total, so no set's pages dominate. Cross-entropy is minimised with Adam
/// (8 epochs, mini-batches of 256, L2 1e-5), then the threshold is the one that maximises the mean of the training
/// sets' F1 (token F1 from the block labels; snippet sets: F1 over labelled blocks).
/// </para>
/// </summary>
public static class BlockScoreTraining
{
    private const int Epochs = 8;
    private const int Batch = 256;
    private const float LearningRate = 0.01f;
    private const float L2 = 1e-5f;

    /// <summary>The boosted trees' settings when <see cref="Train"/> is given none (the extraction bench's <c>--trees</c> and <c>--tree-depth</c> set it for experiments).</summary>
    public static BoostedTrees.Settings TreeSettings { get; set; } = BoostedTrees.Settings.Default;

    /// <summary>A page's blocks as training examples: sparse features, targets (NaN: unlabelled), weights, token counts.</summary>
    internal sealed class PageExamples
    {
        public required string Set;
        public required int[] RowStart;
        public required int[] Index;
        public required float[] Value;
        public required float[] Target;
        public required float[] Tokens;
        public required float[] Matched;
        /// <summary>Gold-text pages: the reference's words; snippet pages: the blocks labelled 1.</summary>
        public required float ReferenceTokens;
        public required bool Snippets;
        /// <summary>The second stage's inputs, container ids renumbered 0..<see cref="VoteSize"/>-1.</summary>
        public required Stage2Features.Input[] Inputs;
        public required int VoteSize;
        public int Blocks => Target.Length;
    }

    private static readonly ConditionalWeakTable<ExtractionPage, PageExamples> Cache = new();

    /// <summary>The examples of <paramref name="page"/> (computed once per page object).</summary>
    internal static PageExamples Examples(ExtractionPage page) => Cache.GetValue(page, Build);

    private static PageExamples Build(ExtractionPage page)
    {
        var ws = new BlockScoreExtractor.Workspace();
        if (DensityExtractor.LooksBinary(page.Html) || page.Html.Length == 0)
            return new PageExamples { Set = page.Set, RowStart = [0], Index = [], Value = [], Target = [], Tokens = [], Matched = [], ReferenceTokens = 0, Snippets = page.IsSnippetScored, Inputs = [], VoteSize = 1 };
        BlockScoreExtractor.Analyse(page.Html, ws);
        var blocks = ws.Blocks.All;
        int d = BlockFeatures.Count;
        var rowStart = new int[blocks.Length + 1];
        var index = new List<int>(blocks.Length * 48);
        var value = new List<float>(blocks.Length * 48);
        for (int k = 0; k < blocks.Length; k++)
        {
            var row = ws.Features.AsSpan(k * d, d);
            for (int j = 0; j < d; j++)
                if (row[j] != 0)
                {
                    index.Add(j);
                    value.Add(row[j]);
                }
            rowStart[k + 1] = index.Count;
        }

        var inputs = new Stage2Features.Input[blocks.Length];
        Stage2Features.Inputs(ws.Blocks, inputs);
        var renumber = new Dictionary<int, int>();
        int Id(int node) => renumber.TryGetValue(node, out int id) ? id : renumber[node] = renumber.Count;
        for (int k = 0; k < inputs.Length; k++) inputs[k] = inputs[k] with { Container = Id(inputs[k].Container), Grand = Id(inputs[k].Grand) };

        var target = new float[blocks.Length];
        var tokens = new float[blocks.Length];
        var matched = new float[blocks.Length];
        float referenceTokens = 0;
        if (page.IsSnippetScored)
        {
            var with = page.With!.Select(PageCounts.CollapseWhitespace).ToList();
            var without = page.Without!.Select(PageCounts.CollapseWhitespace).ToList();
            for (int k = 0; k < blocks.Length; k++)
            {
                string text = PageCounts.CollapseWhitespace(ws.Blocks.TextOf(blocks[k]));
                tokens[k] = ExtractionScore.Tokens(text).Count();
                target[k] = float.NaN;
                if (text.Length == 0) continue;
                if (with.Any(s => Overlaps(s, text))) target[k] = 1;
                else if (without.Any(s => Overlaps(s, text))) target[k] = 0;
                matched[k] = target[k] == 1 ? tokens[k] : 0;
            }
            referenceTokens = target.Count(t => t == 1);
        }
        else
        {
            var bag = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var t in ExtractionScore.Tokens(page.ReferenceText ?? ""))
            {
                bag[t] = bag.GetValueOrDefault(t) + 1;
                referenceTokens++;
            }
            for (int k = 0; k < blocks.Length; k++)
            {
                int n = 0, m = 0;
                foreach (var t in ExtractionScore.Tokens(ws.Blocks.TextOf(blocks[k])))
                {
                    n++;
                    if (bag.TryGetValue(t, out int left) && left > 0)
                    {
                        bag[t] = left - 1;
                        m++;
                    }
                }
                tokens[k] = n;
                matched[k] = m;
                // Hard labels: out of set they scored better than the share itself as a soft target (F1 +0.0004 to +0.003 per set).
                target[k] = n > 0 && m * 2 >= n ? 1 : 0;
            }
        }
        return new PageExamples
        {
            Set = page.Set, RowStart = rowStart, Index = [.. index], Value = [.. value], Target = target, Tokens = tokens, Matched = matched,
            ReferenceTokens = referenceTokens, Snippets = page.IsSnippetScored, Inputs = inputs, VoteSize = renumber.Count,
        };
    }

    /// <summary>A snippet and a block's text overlap when one holds the other (a block of a few characters proves nothing).</summary>
    private static bool Overlaps(string snippet, string block) =>
        block.Contains(snippet, StringComparison.Ordinal) || (block.Length >= 20 && snippet.Contains(block, StringComparison.Ordinal));

    /// <summary>A page's rows of one stage's features, sparse.</summary>
    private sealed record Rows(int[] RowStart, int[] Index, float[] Value);

    private static Rows Stage1Rows(PageExamples ex) => new(ex.RowStart, ex.Index, ex.Value);

    private static float[] Predict(Rows x, int blocks, float[] w, float b)
    {
        var p = new float[blocks];
        for (int k = 0; k < blocks; k++)
        {
            float z = b;
            for (int j = x.RowStart[k]; j < x.RowStart[k + 1]; j++) z += w[x.Index[j]] * x.Value[j];
            p[k] = 1f / (1f + MathF.Exp(-z));
        }
        return p;
    }

    private static Rows Stage2Rows(PageExamples ex, float[] p1)
    {
        int d = Stage2Features.Count;
        var dense = new float[ex.Blocks * d];
        Stage2Features.Compute(ex.Inputs, p1, dense, new float[ex.VoteSize + 1], new float[ex.VoteSize + 1]);
        var rowStart = new int[ex.Blocks + 1];
        var index = new List<int>();
        var value = new List<float>();
        for (int k = 0; k < ex.Blocks; k++)
        {
            for (int j = 0; j < d; j++)
                if (dense[k * d + j] != 0)
                {
                    index.Add(j);
                    value.Add(dense[k * d + j]);
                }
            rowStart[k + 1] = index.Count;
        }
        return new Rows(rowStart, [.. index], [.. value]);
    }

    /// <summary>
    /// A model trained on <paramref name="pages"/> alone. The second stage learns from first-stage probabilities that
    /// are out of fold (each half of the pages scored by a first stage trained on the other half), as it will see them
    /// on new pages; the shipped first stage is then trained on all pages.
    /// </summary>
    public static BlockScoreModel Train(IReadOnlyList<ExtractionPage> pages, int seed = 17, BoostedTrees.Settings? treeSettings = null)
    {
        var examples = pages.Select(Examples).ToList();
        int d1 = BlockFeatures.Count;
        var all = Enumerable.Range(0, examples.Count).ToList();
        var x1 = examples.Select(Stage1Rows).ToList();
        var (w1, b1) = Fit(examples, x1, all, d1, seed);

        var half = new[] { all.Where(i => i % 2 == 0).ToList(), all.Where(i => i % 2 == 1).ToList() };
        var p1 = new float[examples.Count][];
        for (int h = 0; h < 2; h++)
        {
            var (w, b) = Fit(examples, x1, half[1 - h], d1, seed + 1 + h);
            foreach (int i in half[h]) p1[i] = Predict(x1[i], examples[i].Blocks, w, b);
        }
        var x2 = all.Select(i => Stage2Rows(examples[i], p1[i])).ToList();
        var (w2, b2) = Fit(examples, x2, all, Stage2Features.Count, seed + 3);
        var trees = FitTrees(examples, x1, x2, all, w2, b2, trees: treeSettings ?? TreeSettings);
        var model = new BlockScoreModel(w1, b1, w2, b2, 0.5f, [.. trees]);
        var p2 = all.Select(i => Predict2(model, x1[i], x2[i], examples[i].Blocks)).ToList();
        return new BlockScoreModel(w1, b1, w2, b2, BestThreshold(examples, p2), [.. trees]);
    }

    /// <summary>A block's row of the trees' inputs: the first stage's dense features, then the second stage's.</summary>
    private static void TreeRow(Rows x1, Rows x2, int k, Span<float> f1, Span<float> f2)
    {
        f1.Clear();
        f2.Clear();
        for (int j = x1.RowStart[k]; j < x1.RowStart[k + 1]; j++)
            if (x1.Index[j] < f1.Length) f1[x1.Index[j]] = x1.Value[j];
        for (int j = x2.RowStart[k]; j < x2.RowStart[k + 1]; j++) f2[x2.Index[j]] = x2.Value[j];
    }

    private static float[] Predict2(BlockScoreModel model, Rows x1, Rows x2, int blocks)
    {
        var p = new float[blocks];
        var f1 = new float[BlockFeatures.DenseCount];
        var f2 = new float[Stage2Features.Count];
        for (int k = 0; k < blocks; k++)
        {
            TreeRow(x1, x2, k, f1, f2);
            p[k] = model.Probability2(f1, f2);
        }
        return p;
    }

    /// <summary>
    /// Boosted trees that correct the second stage's logit, fitted on the labelled blocks with the same weights as the
    /// logistic stages (<see cref="BoostedTrees"/>); no trees when <see cref="BoostedTrees.Settings.Trees"/> is 0.
    /// </summary>
    private static List<ObliviousTree> FitTrees(List<PageExamples> examples, List<Rows> x1, List<Rows> x2, List<int> use, float[] w2, float b2, BoostedTrees.Settings trees)
    {
        if (trees.Trees == 0) return [];
        var rows = WeightedRows(examples, use);
        int d1 = BlockFeatures.DenseCount, d = d1 + Stage2Features.Count;
        var x = new float[(long)rows.Count * d];
        var y = new float[rows.Count];
        var w = new float[rows.Count];
        var margin = new float[rows.Count];
        var shell = new BlockScoreModel(new float[BlockFeatures.Count], 0, w2, b2, 0.5f);
        for (int r = 0; r < rows.Count; r++)
        {
            var (p, k, weight) = rows[r];
            var f1 = x.AsSpan(r * d, d1);
            var f2 = x.AsSpan(r * d + d1, Stage2Features.Count);
            TreeRow(x1[p], x2[p], k, f1, f2);
            y[r] = examples[p].Target[k];
            w[r] = weight;
            margin[r] = shell.Margin2(f2);
        }
        return BoostedTrees.Fit(x, d, y, w, margin, trees);
    }

    /// <summary>
    /// The labelled blocks of pages <paramref name="use"/> with their weights: sqrt(words), scaled so every set weighs
    /// the same, then normalised to a mean of 1.
    /// </summary>
    private static List<(int Page, int Block, float Weight)> WeightedRows(List<PageExamples> examples, List<int> use)
    {
        var rows = new List<(int Page, int Block, float Weight)>();
        var setWeight = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (int p in use)
            for (int k = 0; k < examples[p].Blocks; k++)
            {
                if (float.IsNaN(examples[p].Target[k])) continue;
                // sqrt(words): weighting by words itself (micro F1's weight) scored lower out of set on 3 of 4 sets.
                float w = MathF.Sqrt(1 + examples[p].Tokens[k]);
                rows.Add((p, k, w));
                setWeight[examples[p].Set] = setWeight.GetValueOrDefault(examples[p].Set) + w;
            }
        if (rows.Count == 0) throw new ArgumentException("no labelled blocks to train on", nameof(examples));
        double mean = setWeight.Values.Average();
        var scale = setWeight.ToDictionary(kv => kv.Key, kv => (float)(mean / kv.Value), StringComparer.Ordinal);
        double totalWeight = 0;
        for (int r = 0; r < rows.Count; r++)
        {
            var (p, k, w) = rows[r];
            rows[r] = (p, k, w * scale[examples[p].Set]);
            totalWeight += rows[r].Weight;
        }
        float norm = (float)(rows.Count / totalWeight);
        for (int r = 0; r < rows.Count; r++) rows[r] = rows[r] with { Weight = rows[r].Weight * norm };
        return rows;
    }

    /// <summary>Logistic regression by Adam over the labelled blocks of pages <paramref name="use"/>.</summary>
    private static (float[] Weights, float Bias) Fit(List<PageExamples> examples, List<Rows> x, List<int> use, int d, int seed)
    {
        var rows = WeightedRows(examples, use);
        float norm = 1;

        var weights = new float[d];
        float bias = 0;
        var m = new float[d + 1];
        var v = new float[d + 1];
        var grad = new float[d + 1];
        const float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        int step = 0;
        var rng = new Random(seed);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            rng.Shuffle(order);
            float lr = LearningRate * (epoch < Epochs - 2 ? 1f : 0.3f);
            for (int start = 0; start < order.Length; start += Batch)
            {
                int end = Math.Min(order.Length, start + Batch);
                Array.Clear(grad);
                for (int o = start; o < end; o++)
                {
                    var (p, k, w) = rows[order[o]];
                    var xs = x[p];
                    float z = bias;
                    for (int j = xs.RowStart[k]; j < xs.RowStart[k + 1]; j++) z += weights[xs.Index[j]] * xs.Value[j];
                    float pred = 1f / (1f + MathF.Exp(-z));
                    float g = (pred - examples[p].Target[k]) * w * norm;
                    for (int j = xs.RowStart[k]; j < xs.RowStart[k + 1]; j++) grad[xs.Index[j]] += g * xs.Value[j];
                    grad[d] += g;
                }
                step++;
                float n = end - start;
                float c1 = 1 - MathF.Pow(beta1, step), c2 = 1 - MathF.Pow(beta2, step);
                for (int j = 0; j <= d; j++)
                {
                    float gj = grad[j] / n + (j < d ? L2 * weights[j] : 0);
                    m[j] = beta1 * m[j] + (1 - beta1) * gj;
                    v[j] = beta2 * v[j] + (1 - beta2) * gj * gj;
                    float delta = lr * (m[j] / c1) / (MathF.Sqrt(v[j] / c2) + eps);
                    if (j < d) weights[j] -= delta;
                    else bias -= delta;
                }
            }
        }
        return (weights, bias);
    }

    /// <summary>The keep threshold that maximises the mean over sets of each set's micro F1 on <paramref name="examples"/>.</summary>
    private static float BestThreshold(List<PageExamples> examples, List<float[]> scores)
    {
        var sets = examples.Select(e => e.Set).Distinct().ToList();
        float best = 0.5f;
        double bestF1 = -1;
        for (float t = 0.15f; t <= 0.851f; t += 0.025f)
        {
            double sum = 0;
            foreach (var set in sets)
            {
                double tp = 0, fp = 0, reference = 0;
                for (int p = 0; p < examples.Count; p++)
                {
                    var ex = examples[p];
                    if (ex.Set != set) continue;
                    reference += ex.ReferenceTokens;
                    for (int k = 0; k < ex.Blocks; k++)
                    {
                        if (scores[p][k] < t || ex.Inputs[k].LinkDensity >= BlockScoreExtractor.MaxLinkDensity) continue;
                        if (float.IsNaN(ex.Target[k])) continue;
                        if (ex.Snippets)
                        {
                            if (ex.Target[k] == 1) tp++; else fp++;
                        }
                        else
                        {
                            tp += ex.Matched[k];
                            fp += ex.Tokens[k] - ex.Matched[k];
                        }
                    }
                }
                double precision = tp + fp == 0 ? 0 : tp / (tp + fp);
                double recall = reference == 0 ? 0 : Math.Min(1, tp / reference);
                sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            }
            double f1 = sum / sets.Count;
            if (f1 > bestF1)
            {
                bestF1 = f1;
                best = t;
            }
        }
        return best;
    }
}
