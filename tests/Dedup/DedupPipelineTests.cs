using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Dedup;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Dedup;

public class DedupPipelineTests
{
    private static readonly StageRunOptions Executor = new() { Workers = 2, MaxAttempts = 1 };

    private static async Task<List<Document>> ReadAllAsync(string dir)
    {
        var docs = new List<Document>();
        foreach (var part in DatasetFolder.ListParts(dir))
            await foreach (var d in DocumentReader.ReadAsync(part)) docs.Add(d);
        return docs;
    }

    [Fact]
    public async Task Exact_copies_are_removed_keeping_the_earliest_and_counted()
    {
        using var dir = new TempDir("dedup");
        var t0 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var docs = new List<Document>();
        for (int i = 0; i < 20; i++) docs.Add(DedupCorpus.Doc(i, DedupCorpus.Paragraph(i), fetch: t0.AddDays(i)));
        // Copies of paragraph 3 differing only in case and punctuation: same content_hash. One is fetched earlier.
        docs.Add(DedupCorpus.Doc(20, DedupCorpus.Paragraph(3).ToUpperInvariant(), fetch: t0.AddDays(30)));
        docs.Add(DedupCorpus.Doc(21, DedupCorpus.Paragraph(3).Replace(",", "", StringComparison.Ordinal), fetch: t0.AddDays(-1)));
        await DedupCorpus.WriteAsync(dir["in"], docs);

        var stats = await new DedupPipeline(new DedupOptions { Tasks = 2 }, dir["in"], dir["out"]).RunAsync(Executor);

        var kept = await ReadAllAsync(dir["out/documents"]);
        Assert.Equal(20, kept.Count);
        Assert.Equal(2, stats.ExactDuplicates);
        Assert.Equal(0, stats.NearDuplicates);
        Assert.Equal(22, stats.DocumentsIn);
        Assert.Equal(20, stats.DocumentsOut);
        var survivor = Assert.Single(kept, d => d.ContentHash == docs[3].ContentHash);
        Assert.Equal(docs[21].Id, survivor.Id);
        // The cluster id is the smallest global row index of the cluster: document 3.
        Assert.Equal(3, survivor.DupCluster);
        Assert.All(kept.Where(d => d.Id != survivor.Id), d => Assert.Equal(docs.FindIndex(x => x.Id == d.Id), d.DupCluster));
        var success = DatasetFolder.ReadSuccess(dir["out/documents"])!;
        Assert.Equal(2, success.Counters["dropped.exact_duplicate"]);
        Assert.True(File.Exists(dir["out/dedup_stats.json"]));
    }

    [Fact]
    public async Task A_repeated_url_is_an_exact_duplicate_and_the_higher_quality_copy_survives()
    {
        using var dir = new TempDir("dedup");
        var docs = new List<Document>();
        for (int i = 0; i < 10; i++) docs.Add(DedupCorpus.Doc(i, DedupCorpus.Paragraph(i), quality: 0.5f));
        docs.Add(DedupCorpus.Doc(10, DedupCorpus.Paragraph(40), url: docs[4].Url, quality: 0.9f));
        await DedupCorpus.WriteAsync(dir["in"], docs);

        var stats = await new DedupPipeline(new DedupOptions { Tasks = 3 }, dir["in"], dir["out"]).RunAsync(Executor);

        var kept = await ReadAllAsync(dir["out/documents"]);
        Assert.Equal(10, kept.Count);
        Assert.Equal(1, stats.ExactDuplicates);
        Assert.Contains(kept, d => d.Id == docs[10].Id);
        Assert.DoesNotContain(kept, d => d.Id == docs[4].Id);

        // With URL dedup off, both stay.
        var noUrl = await new DedupPipeline(new DedupOptions { Tasks = 3, ExactByUrl = false }, dir["in"], dir["out2"]).RunAsync(Executor);
        Assert.Equal(11, noUrl.DocumentsOut);
    }

    [Fact]
    public async Task Dissimilar_documents_all_survive_with_their_own_row_index_as_cluster()
    {
        using var dir = new TempDir("dedup");
        var docs = Enumerable.Range(0, 60).Select(i => DedupCorpus.Doc(i, DedupCorpus.Paragraph(i))).ToList();
        await DedupCorpus.WriteAsync(dir["in"], docs);

        var stats = await new DedupPipeline(new DedupOptions { Tasks = 2 }, dir["in"], dir["out"]).RunAsync(Executor);

        var kept = await ReadAllAsync(dir["out/documents"]);
        Assert.Equal(docs.Select(d => d.Id), kept.Select(d => d.Id));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long?)i), kept.Select(d => d.DupCluster));
        Assert.Equal(0, stats.Clusters);
    }
}
