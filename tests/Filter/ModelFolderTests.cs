using DataPipe.Core.Errors;
using DataPipe.Filter.Classifier;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Filter;

public class ModelFolderTests
{
    private static (ClassifierModelInfo, ClassifierWeights) RandomModel(int hidden)
    {
        var features = new FeatureSettings { HashBits = 12 };
        int dim = hidden == 0 ? 1 : hidden;
        var rng = new Random(3);
        float[] R(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5))];
        var weights = new ClassifierWeights(features.Buckets, hidden, R(features.Buckets * dim), R(hidden), R(hidden), 0.25f);
        return (new ClassifierModelInfo { Features = features, Hidden = hidden, Threshold = 0.4f }, weights);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public void A_saved_model_loads_back_and_scores_exactly_the_same(int hidden)
    {
        using var dir = new TempDir();
        var (info, weights) = RandomModel(hidden);
        ModelFolder.Save(dir["model"], info, weights);
        var loaded = QualityScorer.Load(dir["model"]);
        var original = new QualityScorer(info, weights);
        Assert.Equal(0.4f, loaded.Info.Threshold);
        Assert.Equal(hidden, loaded.Info.Hidden);
        foreach (var text in new[] { CraftedText.Prose, "Buy now! Cheap pills, best prices, click here.", "" })
            Assert.Equal(original.Score(text), loaded.Score(text));
    }

    [Fact]
    public void A_missing_folder_is_an_error_naming_it()
    {
        var e = Assert.Throws<DataPipeException>(() => QualityScorer.Load("/nonexistent/model"));
        Assert.Contains("/nonexistent/model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_model_json_is_not_a_model()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataPipeException>(() => QualityScorer.Load(dir.Path));
        Assert.Contains("model.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_weights_are_an_error_naming_the_file()
    {
        using var dir = new TempDir();
        var (info, weights) = RandomModel(0);
        ModelFolder.Save(dir["model"], info, weights);
        string path = Path.Combine(dir["model"], ModelFolder.WeightsFile);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<DataPipeException>(() => QualityScorer.Load(dir["model"]));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_of_another_size_than_model_json_says_are_incompatible()
    {
        using var dir = new TempDir();
        var (info, weights) = RandomModel(0);
        ModelFolder.Save(dir["model"], info with { Features = new FeatureSettings { HashBits = 14 } }, weights);
        var e = Assert.Throws<DataPipeException>(() => QualityScorer.Load(dir["model"]));
        Assert.Contains("model.json says", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_format_version_is_refused()
    {
        using var dir = new TempDir();
        var (info, weights) = RandomModel(0);
        ModelFolder.Save(dir["model"], info with { Version = 99 }, weights);
        var e = Assert.Throws<DataPipeException>(() => QualityScorer.Load(dir["model"]));
        Assert.Contains("version 99", e.Message, StringComparison.Ordinal);
    }
}
