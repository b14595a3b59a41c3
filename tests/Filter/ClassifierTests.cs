using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Filter.Classifier;
using DataPipe.Tests.Support;
using Xunit.Abstractions;

namespace DataPipe.Tests.Filter;

public class ClassifierTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_classifier_separates_curated_text_from_raw_web_pages_it_never_saw()
    {
        using var dir = new TempDir();
        string negatives = await RawWebPages.WriteDatasetAsync(dir["raw"]);
        var trained = await TrainClassifier.RunAsync(
            [Repo.Shared("text/wikitext-2/test.txt"), Repo.Shared("text/tinyshakespeare.txt")], [negatives], dir["model"],
            new TrainingTextOptions(), new ClassifierTrainingOptions { Features = new FeatureSettings { HashBits = 18 }, Epochs = 6 }, output.WriteLine);
        var r = trained.Report;
        output.WriteLine($"holdout AUC {r.HoldoutAuc}, train AUC {r.TrainAuc}, P {r.Precision} R {r.Recall}, {r.TrainSeconds} s");

        Assert.True(r.HoldoutAuc >= 0.95, $"held-out AUC {r.HoldoutAuc}");
        Assert.True(r.HoldoutNegatives >= 5 && r.HoldoutPositives >= 50);
        Assert.Equal(r.HoldoutPositives, r.PositiveHistogram.Sum());
        Assert.Equal(r.HoldoutNegatives, r.NegativeHistogram.Sum());
        Assert.True(new FileInfo(Path.Combine(dir["model"], ModelFolder.HistogramFile)).Length > 1000);
        var saved = DatasetFolder.ReadJson<ClassifierReport>(Path.Combine(dir["model"], ModelFolder.ReportFile))!;
        Assert.Equal(r.HoldoutAuc, saved.HoldoutAuc);

        // The scorer loaded from disk gives the held-out split the same scores the report was computed from.
        var scorer = QualityScorer.Load(dir["model"]);
        var scores = trained.Holdout.Select(e => scorer.Score(e.Text)).ToArray();
        Assert.Equal(r.HoldoutAuc, Math.Round(BinaryMetrics.Auc(scores, [.. trained.Holdout.Select(e => e.Positive)]), 6));
    }

    [Fact]
    public async Task Empty_positives_are_an_error_naming_the_input_and_leave_no_model_folder()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["empty.txt"], "\n\n");
        var e = await Assert.ThrowsAsync<DataPipeException>(() => TrainClassifier.RunAsync([dir["empty.txt"]], [dir["empty.txt"]], dir["model"], new TrainingTextOptions(), new ClassifierTrainingOptions()));
        Assert.Contains("positives", e.Message, StringComparison.Ordinal);
        Assert.Contains(dir["empty.txt"], e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir["model"]));
    }

    [Fact]
    public void Auc_counts_ties_as_one_half()
    {
        Assert.Equal(1.0, BinaryMetrics.Auc([0.9f, 0.8f, 0.1f], [true, true, false]));
        Assert.Equal(0.0, BinaryMetrics.Auc([0.1f, 0.9f], [true, false]));
        Assert.Equal(0.5, BinaryMetrics.Auc([0.5f, 0.5f], [true, false]));
    }

    [Fact]
    public async Task Jsonl_parquet_and_html_inputs_are_read_as_examples()
    {
        using var dir = new TempDir();
        var fromJsonl = await TrainingTexts.ReadAsync([Repo.Shared("text/ccnet")], positive: false, new TrainingTextOptions());
        Assert.True(fromJsonl.Count >= 20, $"{fromJsonl.Count} examples");
        string dataset = await RawWebPages.WriteDatasetAsync(dir["raw"]);
        var fromParquet = await TrainingTexts.ReadAsync([dataset], positive: false, new TrainingTextOptions { MinChars = 1 });
        Assert.Equal(RawWebPages.All.Count, fromParquet.Count);
        var fromHtml = await TrainingTexts.ReadAsync([Repo.Shared("html-extraction/pages") + "/wikipedia/expected.html"], positive: true, new TrainingTextOptions());
        var html = Assert.Single(fromHtml);
        Assert.DoesNotContain("<p>", html.Text, StringComparison.Ordinal);
        Assert.True(html.Text.Length > 1000);
    }
}
