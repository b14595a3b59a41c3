using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Filter;
using DataPipe.Filter.Classifier;
using DataPipe.Tests.Support;
using Parquet;

namespace DataPipe.Tests.Filter;

public class FilterStageTests
{
    private static readonly StageRunOptions Run = new() { Workers = 2, MaxAttempts = 1 };

    /// <summary>Five kinds of documents, four copies each: one kept, four each dropped by a different rule.</summary>
    private static List<Document> Mixed()
    {
        var docs = new List<Document>();
        for (int i = 0; i < 20; i++)
        {
            var d = TestDocuments.Make(i, (i % 5) switch
            {
                0 => CraftedText.Prose + $"\n\nThis is copy number {i} of the story of the town.",
                1 => CraftedText.Prose,
                2 => "Too short to be a page.",
                3 => string.Join('\n', Enumerable.Repeat("The same line of text repeats on this page again and again.", 12)),
                _ => CraftedText.Prose + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.",
            });
            if (i % 5 == 1) d.Lang = "fr";
            docs.Add(d);
        }
        return docs;
    }

    private static async Task<string> DatasetAsync(TempDir dir, IEnumerable<Document> docs)
    {
        string input = dir["input"];
        Directory.CreateDirectory(input);
        await using (var w = await DocumentWriter.CreateAsync(Path.Combine(input, DatasetFolder.PartFileName(0)), new DocumentWriterOptions { RowGroupRows = 4 }))
            foreach (var d in docs) await w.WriteAsync(d);
        DatasetFolder.WriteJsonAtomic(Path.Combine(input, DatasetFolder.SuccessFile), new SuccessRecord { Stage = "ingest", ConfigHash = "test", TaskCount = 1 });
        return input;
    }

    private static async Task<List<Document>> ReadAllAsync(string dir, string sub = "")
    {
        var docs = new List<Document>();
        foreach (var part in DatasetFolder.ListParts(dir, sub))
            await foreach (var d in DocumentReader.ReadAsync(part)) docs.Add(d);
        return docs;
    }

    [Fact]
    public async Task Each_dropped_document_is_counted_under_the_rule_that_dropped_it()
    {
        using var dir = new TempDir();
        string input = await DatasetAsync(dir, Mixed());
        var result = await new LocalStageExecutor().RunAsync(new FilterStage(new FilterOptions { Input = input, Tasks = 3 }), dir["out"], Run);

        var c = result.Success.Counters;
        Assert.Equal(20, result.Success.RowsIn);
        Assert.Equal(4, result.Success.RowsOut);
        Assert.Equal(4, c["kept"]);
        Assert.Equal(4, c["dropped.language.other_language"]);
        Assert.Equal(4, c["dropped.gopher_quality.word_count"]);
        Assert.Equal(4, c["dropped.gopher_repetition.duplicate_lines"]);
        Assert.Equal(4, c["dropped.c4_lines.lorem_ipsum"]);
        var kept = await ReadAllAsync(dir["out"]);
        Assert.All(kept, d => Assert.Contains("copy number", d.Text, StringComparison.Ordinal));
        Assert.All(kept, d => Assert.Null(d.QualityScore));
        Assert.Empty(DatasetFolder.ListParts(dir["out"], "rejected"));
    }

    [Fact]
    public async Task Keep_rejected_writes_the_dropped_documents_with_their_reason()
    {
        using var dir = new TempDir();
        string input = await DatasetAsync(dir, Mixed());
        await new LocalStageExecutor().RunAsync(new FilterStage(new FilterOptions { Input = input, Tasks = 2, KeepRejected = true }), dir["out"], Run);

        var reasons = new List<string>();
        foreach (var part in DatasetFolder.ListParts(dir["out"], "rejected"))
        {
            await using var reader = await ParquetReader.CreateAsync(part);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                var column = new string?[rg.RowCount];
                await rg.ReadAsync(reader.Schema.GetDataFields().Single(f => f.Name == "filter_reason"), column.AsMemory()!);
                reasons.AddRange(column!);
            }
        }
        Assert.Equal(16, reasons.Count);
        Assert.Equal(4, reasons.Count(r => r == "c4_lines.lorem_ipsum"));
        var rejectedDocs = await ReadAllAsync(dir["out"], "rejected");
        Assert.Equal(16, rejectedDocs.Count);
        Assert.Contains(rejectedDocs, d => d.Text.Contains("Lorem ipsum", StringComparison.Ordinal));
    }

    private static string ConstantModel(TempDir dir, float bias)
    {
        var features = new FeatureSettings { HashBits = 10 };
        var weights = new ClassifierWeights(features.Buckets, 0, new float[features.Buckets], [], [], bias);
        ModelFolder.Save(dir["model"], new ClassifierModelInfo { Features = features, Threshold = 0.5f }, weights);
        return dir["model"];
    }

    [Fact]
    public async Task A_threshold_keeps_documents_scoring_at_least_it_and_writes_quality_score()
    {
        using var dir = new TempDir();
        string input = await DatasetAsync(dir, Mixed());
        string model = ConstantModel(dir, bias: 0f);
        var noRules = DataPipe.Filter.Rules.FilterRulesOptions.None;
        var low = await new LocalStageExecutor().RunAsync(new FilterStage(new FilterOptions { Input = input, Model = model, KeepRule = ClassifierKeepRule.Threshold, Threshold = 0.4f, Rules = noRules }), dir["low"], Run);
        var high = await new LocalStageExecutor().RunAsync(new FilterStage(new FilterOptions { Input = input, Model = model, KeepRule = ClassifierKeepRule.Threshold, Threshold = 0.6f, Rules = noRules }), dir["high"], Run);

        Assert.Equal(20, low.Success.RowsOut);
        Assert.All(await ReadAllAsync(dir["low"]), d => Assert.Equal(0.5f, d.QualityScore));
        Assert.Equal(0, high.Success.RowsOut);
        Assert.Equal(20, high.Success.Counters["dropped.classifier.below_threshold"]);
    }

    [Fact]
    public async Task The_pareto_rule_keeps_the_same_documents_whatever_the_task_split()
    {
        using var dir = new TempDir();
        var docs = Enumerable.Range(0, 300).Select(i => TestDocuments.Make(i, CraftedText.Prose + $" Copy {i}.")).ToList();
        string input = await DatasetAsync(dir, docs);
        string model = ConstantModel(dir, bias: 1.5f);
        var noRules = DataPipe.Filter.Rules.FilterRulesOptions.None;
        await new LocalStageExecutor().RunAsync(new FilterStage(new FilterOptions { Input = input, Model = model, Tasks = 1, Rules = noRules }), dir["one"], Run);
        await new LocalStageExecutor().RunAsync(new FilterStage(new FilterOptions { Input = input, Model = model, Tasks = 4, Rules = noRules }), dir["four"], Run);

        var one = (await ReadAllAsync(dir["one"])).Select(d => d.Id).ToList();
        var four = (await ReadAllAsync(dir["four"])).Select(d => d.Id).ToList();
        Assert.Equal(one, four);
        double p = new ParetoSampler(9).KeepProbability(QualityScorer.Sigmoid(1.5f));
        Assert.InRange(one.Count, 300 * p - 5 * Math.Sqrt(300 * p * (1 - p)), 300 * p + 5 * Math.Sqrt(300 * p * (1 - p)));
    }

    [Fact]
    public async Task An_input_that_is_not_a_documents_dataset_fails_naming_the_file_and_writes_nothing()
    {
        using var dir = new TempDir();
        string input = dir["input"];
        Directory.CreateDirectory(input);
        string part = Path.Combine(input, DatasetFolder.PartFileName(0));
        var field = new Parquet.Schema.DataField<string>("body");
        await using (var fs = File.Create(part))
        await using (var w = await ParquetWriter.CreateAsync(new Parquet.Schema.ParquetSchema(field), fs))
        using (var rg = w.CreateRowGroup())
            await rg.WriteAsync(field, new[] { "hello" });
        DatasetFolder.WriteJsonAtomic(Path.Combine(input, DatasetFolder.SuccessFile), new SuccessRecord { Stage = "x", ConfigHash = "x", TaskCount = 1 });

        var e = await Assert.ThrowsAsync<DatasetSchemaException>(() => new LocalStageExecutor().RunAsync(new FilterStage(new FilterOptions { Input = input }), dir["out"], Run));
        Assert.Contains(part, e.Message, StringComparison.Ordinal);
        Assert.Contains("'id'", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task A_missing_model_folder_fails_before_any_output()
    {
        using var dir = new TempDir();
        string input = await DatasetAsync(dir, Mixed());
        var e = Assert.Throws<DataPipeException>(() => new FilterStage(new FilterOptions { Input = input, Model = dir["no-model"] }));
        Assert.Contains(dir["no-model"], e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir["out"]));
    }
}
