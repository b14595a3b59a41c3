using DataPipe.Core.Errors;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Tests.Extraction;

public class BoostedTreesTests
{
    /// <summary>
    /// y = a XOR b: no weighting of a and b separates it; two levels of one tree do. b is 1 on 80% of the rows so that
    /// the first split (on a) already lowers the loss: a greedy tree cannot see a perfectly balanced XOR.
    /// </summary>
    [Fact]
    public void Trees_learn_an_interaction_a_linear_model_cannot_express()
    {
        var rng = new Random(5);
        int n = 400;
        var x = new float[n * 2];
        var y = new float[n];
        var w = new float[n];
        var margin = new float[n];
        for (int i = 0; i < n; i++)
        {
            int a = rng.Next(2), b = rng.NextDouble() < 0.8 ? 1 : 0;
            x[2 * i] = a + (float)rng.NextDouble() * 0.1f;
            x[2 * i + 1] = b + (float)rng.NextDouble() * 0.1f;
            y[i] = a ^ b;
            w[i] = 1;
        }
        var trees = BoostedTrees.Fit(x, 2, y, w, margin, BoostedTrees.Settings.Default with { Trees = 60, Depth = 2, LearningRate = 0.3f });
        Assert.NotEmpty(trees);
        // Queried at the middle of each cluster of training values (the cuts are quantiles of those values).
        float Score(float a, float b) => trees.Sum(t => t.Leaves[t.Leaf([a + 0.05f, b + 0.05f], [])]);
        string all = $"(0,0) {Score(0, 0)} (0,1) {Score(0, 1)} (1,0) {Score(1, 0)} (1,1) {Score(1, 1)}; splits {string.Join(" ", trees.Take(3).Select(t => string.Join(",", t.Features) + "@" + string.Join(",", t.Thresholds)))}";
        Assert.True(Score(0, 0) < -1, all);
        Assert.True(Score(1, 1) < -1, all);
        Assert.True(Score(0, 1) > 1, all);
        Assert.True(Score(1, 0) > 1, all);
    }

    [Fact]
    public void A_model_with_trees_round_trips_through_its_text_form_and_a_tree_on_an_unknown_feature_is_an_error()
    {
        var shipped = BlockScoreModel.Shipped;
        var tree = new ObliviousTree([0, BlockFeatures.DenseCount + 1], [0.25f, 0.5f], [-1f, 0.5f, 0.25f, 2f]);
        var model = new BlockScoreModel(shipped.Weights, shipped.Bias, shipped.Weights2, shipped.Bias2, shipped.Threshold, [tree]);
        var text = new StringWriter();
        model.Write(text, "test");
        var read = BlockScoreModel.Read(new StringReader(text.ToString()), "test.txt");
        var back = Assert.Single(read.Trees);
        Assert.Equal(tree.Features, back.Features);
        Assert.Equal(tree.Thresholds, back.Thresholds);
        Assert.Equal(tree.Leaves, back.Leaves);

        string bad = text.ToString().Replace($"tree 2 {BlockFeatures.Names[0]} ", "tree 2 no_such_feature ", StringComparison.Ordinal);
        var error = Assert.Throws<DataPipeException>(() => BlockScoreModel.Read(new StringReader(bad), "bad.txt"));
        Assert.Contains("bad.txt", error.Message);
        Assert.Contains("no_such_feature", error.Message);
    }

    [Fact]
    public void The_shipped_models_flat_tree_scoring_equals_the_sum_of_each_trees_leaf()
    {
        var model = BlockScoreModel.Shipped;
        Assert.NotEmpty(model.Trees);
        var rng = new Random(11);
        var dense = new float[BlockFeatures.Count];
        var second = new float[Stage2Features.Count];
        for (int row = 0; row < 200; row++)
        {
            for (int i = 0; i < dense.Length; i++) dense[i] = rng.NextDouble() < 0.5 ? 0 : (float)rng.NextDouble();
            for (int i = 0; i < second.Length; i++) second[i] = (float)rng.NextDouble();
            float expected = 0;
            foreach (var tree in model.Trees) expected += tree.Leaves[tree.Leaf(dense.AsSpan(0, BlockFeatures.DenseCount), second)];
            Assert.Equal(expected, model.TreeSum(dense, second));
        }
    }

    [Fact]
    public void Fitting_the_same_rows_twice_gives_the_same_trees()
    {
        var rng = new Random(3);
        int n = 5000, d = 6;
        var x = new float[n * d];
        var y = new float[n];
        var w = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int f = 0; f < d; f++) x[i * d + f] = (float)rng.NextDouble();
            y[i] = x[i * d] + x[i * d + 1] * x[i * d + 2] > 0.7f ? 1 : 0;
            w[i] = 1;
        }
        var settings = BoostedTrees.Settings.Default with { Trees = 20 };
        var first = BoostedTrees.Fit(x, d, y, w, new float[n], settings);
        var again = BoostedTrees.Fit(x, d, y, w, new float[n], settings);
        Assert.Equal(first.Count, again.Count);
        for (int t = 0; t < first.Count; t++)
        {
            Assert.Equal(first[t].Features, again[t].Features);
            Assert.Equal(first[t].Thresholds, again[t].Thresholds);
            Assert.Equal(first[t].Leaves, again[t].Leaves);
        }
    }
}
