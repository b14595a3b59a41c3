using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Dedup;
using DataPipe.Dedup.Shuffle;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Dedup;

/// <summary>
/// Dedup's identity of a document is its global row index, so its output must not depend on how the input is split
/// into parts or among tasks, including when a task's slice is empty (a filter part that kept nothing, or more tasks
/// than row groups).
/// </summary>
public class DedupSlicingTests
{
    private static readonly StageRunOptions Executor = new() { Workers = 2, MaxAttempts = 1 };

    /// <summary>16 documents: 12 distinct paragraphs, then an exact and a near copy of documents in the first half.</summary>
    private static List<Document> Corpus()
    {
        var docs = new List<Document>();
        for (int i = 0; i < 12; i++) docs.Add(DedupCorpus.Doc(i, DedupCorpus.Paragraph(i)));
        docs.Add(DedupCorpus.Doc(12, DedupCorpus.Paragraph(1)));
        string p3 = DedupCorpus.Paragraph(3);
        docs.Add(DedupCorpus.Doc(13, p3[..p3.LastIndexOf(' ')] + " appended"));
        docs.Add(DedupCorpus.Doc(14, DedupCorpus.Paragraph(5).ToUpperInvariant()));
        docs.Add(DedupCorpus.Doc(15, DedupCorpus.Paragraph(12)));
        return docs;
    }

    /// <summary>Part 0 holds documents 0-7, part 1 none (as a filter task that kept nothing writes), part 2 documents 8-15.</summary>
    private static async Task WriteThreePartsWithEmptyMiddleAsync(string dir, List<Document> docs)
    {
        await DedupCorpus.WriteAsync(dir, docs, parts: 2, rowGroupRows: 1000);
        File.Move(Path.Combine(dir, DatasetFolder.PartFileName(1)), Path.Combine(dir, DatasetFolder.PartFileName(2)));
        await (await DocumentWriter.CreateAsync(Path.Combine(dir, DatasetFolder.PartFileName(1)))).DisposeAsync();
    }

    private static async Task<List<(string Id, long? Cluster)>> KeptAsync(string dir)
    {
        var kept = new List<(string, long?)>();
        foreach (var part in DatasetFolder.ListParts(dir))
            await foreach (var d in DocumentReader.ReadAsync(part)) kept.Add((d.Id, d.DupCluster));
        return kept;
    }

    [Fact]
    public async Task Dedup_over_three_input_parts_with_two_partitions_finds_the_same_pairs_as_one_part()
    {
        using var dir = new TempDir("dedup-slices");
        var docs = Corpus();
        await DedupCorpus.WriteAsync(dir["one"], docs, parts: 1, rowGroupRows: 1000);
        await WriteThreePartsWithEmptyMiddleAsync(dir["three"], docs);

        var reference = await new DedupPipeline(new DedupOptions { Tasks = 1, Partitions = 2 }, dir["one"], dir["out-one"]).RunAsync(Executor);
        Assert.Equal(3, reference.DocumentsIn - reference.DocumentsOut);
        var expected = await KeptAsync(dir["out-one/documents"]);

        // 3 tasks over row groups of 8 and 8 rows: task 1's slice is empty. 5 tasks leave tasks 0, 2 and 4 empty.
        foreach (int tasks in new[] { 2, 3, 5 })
        {
            string output = dir[$"out-{tasks}"];
            var stats = await new DedupPipeline(new DedupOptions { Tasks = tasks, Partitions = 2 }, dir["three"], output).RunAsync(Executor);
            Assert.Equal(reference.ExactPairs, stats.ExactPairs);
            Assert.Equal(reference.NearPairs, stats.NearPairs);
            Assert.Equal(reference.DocumentsOut, stats.DocumentsOut);
            Assert.Equal(expected, await KeptAsync(Path.Combine(output, "documents")));
        }
    }

    [Fact]
    public void A_record_file_of_no_documents_does_not_hide_the_file_that_starts_at_the_same_index()
    {
        using var dir = new TempDir("docrec");
        using (var w = new DocRecordWriter(dir["full.bin"], 0))
        {
            w.Add([10u]);
            w.Add([20u, 21u]);
        }
        using (var w = new DocRecordWriter(dir["empty.bin"], 0)) { }
        using (var w = new DocRecordWriter(dir["next.bin"], 2)) w.Add([30u]);

        using var store = new DocRecordStore([dir["full.bin"], dir["empty.bin"], dir["next.bin"]]);
        Assert.Equal([10u], store.Read(0));
        Assert.Equal([20u, 21u], store.Read(1));
        Assert.Equal([30u], store.Read(2));
    }
}
