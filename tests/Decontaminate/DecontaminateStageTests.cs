using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Decontaminate;
using DataPipe.Decontaminate.Benchmarks;
using DataPipe.Jobs.Cli;
using DataPipe.Tests.Support;
using Parquet;

namespace DataPipe.Tests.Decontaminate;

/// <summary>The decontaminate stage on a small set of one's own (JSON lines with a named field) and real prose.</summary>
public class DecontaminateStageTests
{
    private static readonly StageRunOptions Run = new() { Workers = 2, MaxAttempts = 1 };

    private const string LongItem = "Which of the following best explains why the narrow mountain valley stays cold and damp all through the long summer months";
    private const string OtherItem = "The committee postponed the vote on the harbour bridge until the engineers had inspected every single rusted cable twice";
    private const string NineWords = "Marigold counted eleven herons along the silver estuary today";
    private const string ThreeWords = "Predators eat bunnies";

    /// <summary>Real prose (Gutenberg) cut into paragraphs of 1,500-3,000 chars: text with no benchmark in it.</summary>
    private static List<string> Prose(int count)
    {
        string book = File.ReadAllText(Directory.EnumerateFiles(Repo.Shared("text/gutenberg"), "*.txt").Order(StringComparer.Ordinal).First());
        var list = new List<string>();
        for (int i = 5000; list.Count < count; i += 3000) list.Add(book.Substring(i, 1500 + (i % 1500)));
        return list;
    }

    internal static async Task<(string Input, string Bench)> SetupAsync(TempDir dir, int docs = 12)
    {
        string bench = dir["qa.jsonl"];
        File.WriteAllLines(bench, new[] { LongItem, OtherItem, NineWords, ThreeWords }.Select(q => $"{{\"question\": \"{q}\", \"answer\": \"x\"}}"));
        var prose = Prose(docs + 12);
        var list = new List<Document>();
        for (int i = 0; i < docs; i++)
        {
            string text = (i % 4) switch
            {
                0 => prose[i],
                1 => prose[i] + "\n\n" + LongItem + "\n\n" + prose[i + 1],
                2 => prose[i] + " " + NineWords.ToUpperInvariant() + ". " + prose[i + 1],
                // Eleven copies of the item far apart: more than 10 pieces, dropped whole.
                _ => string.Join("\n", Enumerable.Range(0, 11).Select(k => prose[(i + k) % prose.Count][..600] + " " + OtherItem)) + "\n" + prose[i][..600],
            };
            list.Add(TestDocuments.Make(i, text));
        }
        string input = dir["input"];
        Directory.CreateDirectory(input);
        await using (var w = await DocumentWriter.CreateAsync(Path.Combine(input, DatasetFolder.PartFileName(0)), new DocumentWriterOptions { RowGroupRows = 2 }))
            foreach (var d in list) await w.WriteAsync(d);
        DatasetFolder.WriteJsonAtomic(Path.Combine(input, DatasetFolder.SuccessFile), new SuccessRecord { Stage = "dedup", ConfigHash = "test", TaskCount = 1 });
        return (input, bench);
    }

    private static DecontaminateOptions Options(TempDir dir, string input, string bench, int tasks, DecontaminateAction action = DecontaminateAction.Cut) => new()
    {
        Input = input,
        Tasks = tasks,
        Benchmarks = [new BenchmarkSource { Path = bench, Name = "qa", Format = BenchmarkFormat.JsonLines, Field = "question" }],
        Action = action,
        IndexPath = dir["cache/qa.ngram-index"],
    };

    private static async Task<List<Document>> ReadAllAsync(string dir)
    {
        var docs = new List<Document>();
        foreach (var part in DatasetFolder.ListParts(dir))
            await foreach (var d in DocumentReader.ReadAsync(part)) docs.Add(d);
        return docs;
    }

    [Fact]
    public async Task Cut_removes_the_span_with_its_window_splits_the_document_and_drops_one_cut_into_eleven_pieces()
    {
        using var dir = new TempDir("decontam");
        var (input, bench) = await SetupAsync(dir);
        var result = await new LocalStageExecutor().RunAsync(new DecontaminateStage(Options(dir, input, bench, 2)), dir["out"], Run);

        var c = result.Success.Counters;
        Assert.Equal(12, result.Success.RowsIn);
        Assert.Equal(9, c["decontaminate.documents_matched"]);
        Assert.Equal(3, c["dropped.decontaminate.too_many_pieces"]);
        var docs = await ReadAllAsync(dir["out"]);
        Assert.All(docs, d => Assert.DoesNotContain("narrow mountain valley", d.Text, StringComparison.OrdinalIgnoreCase));
        Assert.All(docs, d => Assert.DoesNotContain("silver estuary", d.Text, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(docs, d => d.Text.Contains("rusted cable", StringComparison.Ordinal));
        // A leaked document becomes its two sides, each an own document with its own id and content hash.
        var pieces = docs.Where(d => d.Id.StartsWith(TestDocuments.Make(1).Id, StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { TestDocuments.Make(1).Id + "#0", TestDocuments.Make(1).Id + "#1" }, pieces.Select(p => p.Id));
        Assert.All(pieces, p => Assert.Equal(DataPipe.Core.Text.ContentHash.Of(p.Text), p.ContentHash));
        Assert.All(pieces, p => Assert.True(p.Text.Length >= 200));
        // Clean documents pass unchanged.
        var clean = TestDocuments.Make(4, Prose(24)[4]);
        Assert.Contains(docs, d => d.Id == clean.Id && d.Text == clean.Text);

        var report = ContaminationReport.ReadFrom(dir["out"])!;
        var qa = Assert.Single(report.Benchmarks);
        Assert.Equal(4, qa.Items);
        Assert.Equal(3, qa.ItemsIndexed);
        Assert.Equal(1, qa.ItemsTooShort);
        Assert.Equal(new[] { 0, 1, 2 }, qa.FoundItems);
        Assert.Equal(9, qa.Documents);
        Assert.Equal(report.CharsRemoved, qa.CharsRemoved);
        Assert.Equal(c["decontaminate.chars_removed"], report.CharsRemoved);
        Assert.Equal(9, c["decontaminate.qa.documents"]);
        Assert.Contains(qa.Examples, e => e.MatchedText == LongItem && e.Item == 0 && e.ItemLine == 1);
    }

    [Fact]
    public async Task One_task_and_three_tasks_write_the_same_documents_and_the_same_report()
    {
        using var dir = new TempDir("decontam");
        var (input, bench) = await SetupAsync(dir, docs: 16);
        var one = await new LocalStageExecutor().RunAsync(new DecontaminateStage(Options(dir, input, bench, 1)), dir["one"], Run);
        var three = await new LocalStageExecutor().RunAsync(new DecontaminateStage(Options(dir, input, bench, 3)), dir["three"], Run);

        Assert.Equal(3, DatasetFolder.ListParts(dir["three"]).Count);
        static string Rows(List<Document> docs) => string.Join("\n", docs.Select(d => $"{d.Id}\t{d.ContentHash}\t{d.Text}"));
        Assert.Equal(Rows(await ReadAllAsync(dir["one"])), Rows(await ReadAllAsync(dir["three"])));
        Assert.Equal(File.ReadAllText(dir["one/contamination.json"]), File.ReadAllText(dir["three/contamination.json"]));
        Assert.Equal(one.Success.Counters, three.Success.Counters);
    }

    [Fact]
    public async Task Drop_removes_every_matched_document_and_flag_keeps_all_with_the_contamination_columns()
    {
        using var dir = new TempDir("decontam");
        var (input, bench) = await SetupAsync(dir);
        var drop = await new LocalStageExecutor().RunAsync(new DecontaminateStage(Options(dir, input, bench, 2, DecontaminateAction.Drop)), dir["drop"], Run);
        Assert.Equal(3, drop.Success.RowsOut);
        Assert.Equal(9, drop.Success.Counters["dropped.decontaminate.contaminated"]);

        var flag = await new LocalStageExecutor().RunAsync(new DecontaminateStage(Options(dir, input, bench, 2, DecontaminateAction.Flag)), dir["flag"], Run);
        Assert.Equal(12, flag.Success.RowsOut);
        Assert.Contains(flag.Success.Schema!, c => c.Name == "contamination_benchmarks");
        var docs = await ReadAllAsync(dir["flag"]);
        Assert.Equal(12, docs.Count);
        await using var reader = await ParquetReader.CreateAsync(DatasetFolder.ListParts(dir["flag"])[0]);
        using var rg = reader.OpenRowGroupReader(0);
        var field = reader.Schema.GetDataFields().Single(f => f.Name == "contamination_benchmarks");
        var values = new string?[rg.RowCount];
        await rg.ReadAsync(field, values.AsMemory());
        Assert.Equal("", values[0]);
        Assert.Equal("qa", values[1]);
    }

    [Fact]
    public async Task A_malformed_line_in_a_benchmark_file_is_one_error_naming_the_file_and_line_before_any_output()
    {
        using var dir = new TempDir("decontam");
        var (input, _) = await SetupAsync(dir, docs: 4);
        string bad = BenchmarkFiles.WriteGz(dir["broken.jsonl.gz"],
        [
            "{\"query\": \"Question: What is it?\", \"choices\": [\"a\", \"b\"], \"gold\": 0}",
            "{\"query\": \"Question: What else?\", \"choices\": [\"a\", \"b\"], \"gold\": 1}",
            "{\"query\": \"Question: truncated",
        ]);
        var e = await Assert.ThrowsAsync<DataPipeException>(() => new LocalStageExecutor().RunAsync(new DecontaminateStage(Options(dir, input, bad, 2) with
        {
            Benchmarks = [new BenchmarkSource { Path = bad, Name = "broken" }],
        }), dir["out"], Run));
        Assert.StartsWith($"{bad}:3: not a JSON record", e.Message, StringComparison.Ordinal);
        Assert.Empty(DatasetFolder.ListParts(dir["out"]));

        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int rc;
        try
        {
            rc = await DataPipeCli.RunAsync(["decontaminate", "--input", input, "--output", dir["cli"], "--benchmarks", bad]);
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.NotEqual(0, rc);
        string message = Assert.Single(err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{bad}:3:", message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir["cli"], DatasetFolder.SuccessFile)));
    }

    [Fact]
    public void A_record_with_a_gold_index_outside_its_choices_is_an_error_naming_the_line()
    {
        using var dir = new TempDir("decontam");
        File.WriteAllLines(dir["arc.jsonl"],
        [
            "{\"query\": \"Question: Which gas do plants take in from the air to make their food?\", \"choices\": [\"oxygen\", \"carbon dioxide\"], \"gold\": 1}",
            "{\"query\": \"Question: Which planet is known as the red planet of our solar system?\", \"choices\": [\"Mars\", \"Venus\"], \"gold\": 2}",
        ]);
        var e = Assert.Throws<DataPipeException>(() => BenchmarkIndex.Build(BenchmarkSource.Expand([dir["arc.jsonl"]]), new NgramSettings()));
        Assert.Equal($"{dir["arc.jsonl"]}:2: field 'gold' is 2, outside the 2 choices", e.Message);
    }
}
