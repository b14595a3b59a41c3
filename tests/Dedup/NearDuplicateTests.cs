using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Dedup;
using DataPipe.Dedup.Evaluation;
using DataPipe.Dedup.Stages;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Dedup;

public class NearDuplicateTests
{
    private static readonly StageRunOptions Executor = new() { Workers = 2, MaxAttempts = 1 };

    private static readonly Lazy<NearDuplicateGenerator> Generator = new(() => new NearDuplicateGenerator(
        NearDuplicateGenerator.LoadSentences([Repo.Shared("text/wikitext-2/test.txt"), Repo.Shared("text/tinyshakespeare.txt"), Repo.Shared("text/ccnet/cc_en_head-0091.jsonl.gz")])));

    // 60 originals, half with copies at J ~0.3, 0.5, 0.9, 0.95 and an exact copy: about 210 documents.
    private static readonly Lazy<GroundTruthCorpus> Corpus = new(() => Generator.Value.Generate(60, 0.5, [0.3, 0.5, 0.9, 0.95, 1.0], seed: 7, words: 300));

    private static async Task<List<Document>> ReadAllAsync(string dir)
    {
        var docs = new List<Document>();
        foreach (var part in DatasetFolder.ListParts(dir))
            await foreach (var d in DocumentReader.ReadAsync(part)) docs.Add(d);
        return docs;
    }

    private static async Task<string> WriteCorpusAsync(TempDir dir)
    {
        var c = Corpus.Value;
        await InputDataset.WriteAsync(dir["in"], c.Documents, c.Documents.Count, parts: 4, identity: "near-dup-test", rowGroupRows: 16);
        return dir["in"];
    }

    /// <summary>
    /// The share of the near-duplicate pairs a run emitted that join two documents of one generated family (an original
    /// and its copies). It is judged by how the corpus was made, not by the shingle Jaccard the pairs stage verifies
    /// with, so a pairs stage that merged unrelated documents fails it whatever its own verification said.
    /// </summary>
    private static double FamilyPrecision(GroundTruthCorpus corpus, DedupPipeline pipeline)
    {
        var families = new DataPipe.Dedup.Clustering.UnionFind();
        foreach (var p in corpus.Pairs) families.Union(p.A, p.B);
        var emitted = new List<DupPair>();
        foreach (var f in Directory.EnumerateFiles(pipeline.PairsDir, "part-*.bin"))
            DataPipe.Dedup.Shuffle.RecordFile.ReadInto(f, PairsStage.PairMagic, emitted);
        var near = emitted.Where(p => p.Kind == PairKind.Near).ToList();
        Assert.NotEmpty(near);
        return (double)near.Count(p => families.SetOf(p.A) is var fa && fa >= 0 && fa == families.SetOf(p.B)) / near.Count;
    }

    [Fact]
    public void The_generator_reaches_the_similarity_it_records()
    {
        var g = Generator.Value;
        var c = Corpus.Value;
        var p = c.Pairs.First(x => x.Jaccard is > 0.85 and < 1);
        double j = NearDuplicateGenerator.Jaccard(g.ShingleSet(c.Documents[p.A].Text), g.ShingleSet(c.Documents[p.B].Text));
        Assert.Equal(p.Jaccard, j, 9);
        Assert.All(c.Pairs.Where(x => x.Jaccard < 1), x => Assert.True(x.Jaccard is > 0.2 and <= 0.95));
        Assert.Contains(c.Pairs, x => x.Jaccard == 1.0 && c.Documents[x.A].ContentHash == c.Documents[x.B].ContentHash);
    }

    [Fact]
    public async Task Near_duplicates_at_jaccard_0_9_and_above_are_merged_and_pairs_at_0_5_and_below_are_not()
    {
        using var dir = new TempDir("dedup");
        string input = await WriteCorpusAsync(dir);
        var options = new DedupOptions { Tasks = 3 };
        var pipeline = new DedupPipeline(options, input, dir["out"]);
        var stats = await pipeline.RunAsync(Executor);

        var report = DedupQuality.Evaluate(Corpus.Value, pipeline, options, Generator.Value);
        var high = Corpus.Value.Pairs.Where(p => p.Jaccard >= 0.9).ToList();
        var low = Corpus.Value.Pairs.Where(p => p.Jaccard <= 0.5).ToList();
        Assert.NotEmpty(high);
        Assert.NotEmpty(low);
        Assert.All(report.Bins.Where(b => b.From >= 0.9), b => Assert.Equal(b.Pairs, b.Found));
        Assert.All(report.Bins.Where(b => b.To <= 0.5), b => Assert.Equal(0, b.Found));
        Assert.Equal(1.0, FamilyPrecision(Corpus.Value, pipeline));

        // Every family with copies at 0.9, 0.95 and 1.0 keeps one of those four documents; copies at 0.3 and 0.5 stay.
        int families = Corpus.Value.Pairs.Count / 5;
        Assert.Equal(Corpus.Value.Documents.Count - 3 * families, stats.DocumentsOut);
        Assert.Equal(families, stats.ExactDuplicates);
        Assert.Equal(2 * families, stats.NearDuplicates);
        var kept = await ReadAllAsync(pipeline.DocumentsDir);
        Assert.Equal(kept.Count, kept.Select(d => d.DupCluster).Distinct().Count());
        Assert.NotEmpty(stats.LargestClusters);
        Assert.All(stats.LargestClusters, c => Assert.All(c.ExampleUrls, u => Assert.StartsWith("https://", u)));
    }

    [Fact]
    public async Task The_same_documents_and_clusters_survive_with_1_2_or_7_tasks_and_a_rerun_writes_identical_bytes()
    {
        using var dir = new TempDir("dedup");
        string input = await WriteCorpusAsync(dir);
        var survivors = new List<List<(string, long?)>>();
        foreach (int tasks in new[] { 1, 2, 7 })
        {
            var p = new DedupPipeline(new DedupOptions { Tasks = tasks, Partitions = tasks + 1 }, input, dir[$"out{tasks}"]);
            await p.RunAsync(Executor);
            survivors.Add([.. (await ReadAllAsync(p.DocumentsDir)).Select(d => (d.Id, d.DupCluster))]);
        }
        Assert.True(survivors[0].Count < Corpus.Value.Documents.Count);
        Assert.Equal(survivors[0], survivors[1]);
        Assert.Equal(survivors[0], survivors[2]);

        var again = new DedupPipeline(new DedupOptions { Tasks = 2, Partitions = 3 }, input, dir["again"]);
        await again.RunAsync(Executor);
        foreach (var part in DatasetFolder.ListParts(dir["out2/documents"]))
            Assert.Equal(File.ReadAllBytes(part), File.ReadAllBytes(Path.Combine(again.DocumentsDir, Path.GetFileName(part))));
        Assert.Equal(File.ReadAllBytes(dir["out2/clusters/clusters.bin"]), File.ReadAllBytes(Path.Combine(again.ClustersDir, "clusters.bin")));
    }

    [Fact]
    public async Task An_interrupted_run_resumes_reusing_completed_stages_and_tasks_and_gives_the_same_output()
    {
        using var dir = new TempDir("dedup");
        string input = await WriteCorpusAsync(dir);
        var options = new DedupOptions { Tasks = 3 };
        var pipeline = new DedupPipeline(options, input, dir["out"]);
        var first = await pipeline.RunAsync(Executor);
        var firstParts = DatasetFolder.ListParts(pipeline.DocumentsDir).Select(File.ReadAllBytes).ToList();
        var task0 = DatasetFolder.ReadTaskRecord(pipeline.DocumentsDir, 0)!;

        // As if the write stage had been killed after task 0: task 1 and 2's outputs and records, and _SUCCESS, gone.
        File.Delete(Path.Combine(pipeline.DocumentsDir, DatasetFolder.SuccessFile));
        for (int t = 1; t < 3; t++)
        {
            File.Delete(DatasetFolder.TaskRecordPath(pipeline.DocumentsDir, t));
            File.Delete(Path.Combine(pipeline.DocumentsDir, DatasetFolder.PartFileName(t)));
        }
        var results = new List<StageResult>();
        var second = await pipeline.RunAsync(async (stage, d, ct) =>
        {
            var r = await new LocalStageExecutor().RunAsync(stage, d, Executor, ct);
            results.Add(r);
            return r;
        });

        Assert.All(results.Take(3), r => Assert.True(r.Skipped));
        Assert.Equal(2, results[3].TasksRun);
        Assert.Equal(1, results[3].TasksReused);
        Assert.Equal(task0.FinishedAt, DatasetFolder.ReadTaskRecord(pipeline.DocumentsDir, 0)!.FinishedAt);
        Assert.Equal(firstParts, DatasetFolder.ListParts(pipeline.DocumentsDir).Select(File.ReadAllBytes).ToList());
        Assert.Equal(first.DocumentsOut, second.DocumentsOut);
    }

    [Fact]
    public async Task Verification_by_signature_also_merges_the_close_copies_and_keep_rejected_writes_the_dropped_by_reason()
    {
        using var dir = new TempDir("dedup");
        string input = await WriteCorpusAsync(dir);
        var options = new DedupOptions { Tasks = 2, Verify = DedupVerification.Signature, KeepRejected = true };
        var pipeline = new DedupPipeline(options, input, dir["out"]);
        var stats = await pipeline.RunAsync(Executor);

        int families = Corpus.Value.Pairs.Count / 5;
        Assert.Equal(families, stats.ExactDuplicates);
        Assert.Equal(2 * families, stats.NearDuplicates);
        var exact = await ReadAllAsync(Path.Combine(pipeline.DocumentsDir, "rejected", "exact"));
        var near = await ReadAllAsync(Path.Combine(pipeline.DocumentsDir, "rejected", "near"));
        Assert.Equal(families, exact.Count);
        Assert.Equal(2 * families, near.Count);
        var kept = (await ReadAllAsync(pipeline.DocumentsDir)).Select(d => d.DupCluster).ToHashSet();
        Assert.All(exact.Concat(near), d => Assert.Contains(d.DupCluster, kept));
    }

    [Fact]
    public async Task Buckets_over_the_pairwise_limit_are_grouped_by_leaders_and_still_merge_close_copies_only()
    {
        using var dir = new TempDir("dedup");
        string input = await WriteCorpusAsync(dir);
        var options = new DedupOptions { Tasks = 2, PairwiseBucketLimit = 2 };
        var pipeline = new DedupPipeline(options, input, dir["out"]);
        await pipeline.RunAsync(Executor);

        Assert.True(DatasetFolder.ReadSuccess(pipeline.PairsDir)!.Counters["pairs.large_buckets"] > 0);
        var report = DedupQuality.Evaluate(Corpus.Value, pipeline, options, Generator.Value);
        Assert.All(report.Bins.Where(b => b.From >= 0.95), b => Assert.Equal(b.Pairs, b.Found));
        Assert.All(report.Bins.Where(b => b.To <= 0.5), b => Assert.Equal(0, b.Found));
        Assert.Equal(1.0, FamilyPrecision(Corpus.Value, pipeline));
    }

    [Fact]
    public async Task An_incomplete_input_dataset_is_refused_with_its_folder_named()
    {
        using var dir = new TempDir("dedup");
        string input = await WriteCorpusAsync(dir);
        File.Delete(Path.Combine(input, DatasetFolder.SuccessFile));
        var e = await Assert.ThrowsAnyAsync<DataPipeException>(() => new DedupPipeline(new DedupOptions(), input, dir["out"]).RunAsync(Executor));
        Assert.Contains(input, e.Message, StringComparison.Ordinal);
    }
}
