using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Ingest;
using DataPipe.Ingest.RealWeb;
using DataPipe.Ingest.Warc;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.RealWeb;

public class IngestSplitTests
{
    [Fact]
    public async Task One_large_WARC_split_into_1_2_or_7_tasks_gives_the_same_documents_in_the_same_order()
    {
        using var tmp = new TempDir("ingest-split");
        // One per-record gzip WARC file of the 130 real Readability pages.
        string shared = tmp["shared"];
        Directory.CreateDirectory(Path.Combine(shared, "html-extraction"));
        Directory.CreateSymbolicLink(Path.Combine(shared, "html-extraction", "pages"), Repo.Shared("html-extraction/pages"));
        RealWebCorpus.Write(tmp["corpus"], new RealWebOptions { SharedData = shared, Files = 1, EvalPercent = 0, PositivePercent = 0 });
        string warc = Path.Combine(tmp["corpus"], RealWebCorpus.CrawlFolder, "CC-REALWEB-00000.warc.gz");

        var runs = new List<(int Tasks, int Parts, List<string> Rows)>();
        foreach (int tasks in new[] { 1, 2, 7 })
        {
            var stage = await IngestStage.CreateAsync(new IngestOptions { Inputs = [warc], Tasks = tasks, Languages = ["en", "de", "fr", "es"] });
            string output = tmp[$"out{tasks}"];
            var result = await new LocalStageExecutor().RunAsync(stage, output, new StageRunOptions { Workers = 2, MaxAttempts = 1 });
            Assert.Equal(tasks, result.Success.TaskCount);
            var rows = new List<string>();
            foreach (var part in DatasetFolder.RequireCompleteParts(output))
                await foreach (var d in DocumentReader.ReadAsync(part))
                    rows.Add(JsonSerializer.Serialize(new { d.Id, d.Url, d.Host, d.Text, d.Lang, d.LangScore, d.SourceOffset, d.ContentHash, d.FetchTime }));
            runs.Add((tasks, DatasetFolder.RequireCompleteParts(output).Count, rows));
        }
        Assert.True(runs[0].Rows.Count >= 120, $"{runs[0].Rows.Count} documents");
        Assert.Equal(runs[0].Rows, runs[1].Rows);
        Assert.Equal(runs[0].Rows, runs[2].Rows);
        Assert.Equal(7, runs[2].Parts);
    }

    [Fact]
    public void Byte_ranges_cut_splittable_files_and_keep_unsplittable_ones_whole_in_input_order()
    {
        var cut = WarcSplit.Contiguous([100, 50, 50], [true, false, true], 4);
        Assert.Equal(4, cut.Count);
        Assert.Equal([(0, 0L, 50L)], cut[0]);
        Assert.Equal([(0, 50L, 100L)], cut[1]);
        Assert.Equal([(1, 0L, 50L)], cut[2]);
        Assert.Equal([(2, 0L, 50L)], cut[3]);
        // Every byte of every file is covered once, in order.
        var one = WarcSplit.Contiguous([1000], [true], 7);
        Assert.Equal(1000, one.Sum(t => t.Sum(p => p.End - p.Start)));
        Assert.True(one.SelectMany(t => t).Zip(one.SelectMany(t => t).Skip(1)).All(p => p.First.End == p.Second.Start));
    }

    [Fact]
    public void Member_search_skips_compressed_bytes_that_look_like_a_gzip_header()
    {
        var ms = new MemoryStream();
        var offsets = new List<long>();
        using (var w = new WarcWriter(ms, leaveOpen: true))
            for (int i = 0; i < 20; i++)
                offsets.Add(w.WriteResponse($"https://example.org/{i}", RealWebCorpus.Origin, System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n\r\n{new string('x', i * 37)}\u001f\u008b\u0008")));
        ms.Position = 0;
        for (int i = 1; i < offsets.Count; i++)
        {
            Assert.Equal(offsets[i], WarcSplit.NextRecordMember(ms, offsets[i - 1] + 1, ms.Length));
            Assert.Equal(offsets[i], WarcSplit.NextRecordMember(ms, offsets[i], ms.Length));
        }
        Assert.Equal(-1, WarcSplit.NextRecordMember(ms, offsets[^1] + 1, ms.Length));
    }
}
