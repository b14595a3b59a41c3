using System.IO.Compression;
using System.Text;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Core.Text;
using DataPipe.Ingest;
using DataPipe.Tests.Support;
using DuckDB.NET.Data;

namespace DataPipe.Tests.Ingest;

public class IngestStageTests
{
    private static readonly string[] English = ["en", "de", "fr", "es"];

    private static async Task<(StageResult Result, List<Document> Docs)> RunAsync(string output, IngestOptions options)
    {
        var stage = await IngestStage.CreateAsync(options);
        var result = await new LocalStageExecutor().RunAsync(stage, output, new StageRunOptions { Workers = 2, MaxAttempts = 1 });
        var docs = new List<Document>();
        foreach (var part in DatasetFolder.RequireCompleteParts(output))
            await foreach (var d in DocumentReader.ReadAsync(part)) docs.Add(d);
        return (result, docs);
    }

    [Fact]
    public async Task Sample_corpus_is_ingested_into_documents_that_DuckDB_reads_back()
    {
        using var tmp = new TempDir("ingest");
        var (result, docs) = await RunAsync(tmp["out"], new IngestOptions { Inputs = [Path.Combine(Repo.Root, "samples", "warc")], Languages = English });
        var s = result.Success;
        Assert.Equal(4, s.TaskCount);
        Assert.Equal(s.RowsOut, docs.Count);
        Assert.True(docs.Count >= 35, $"{docs.Count} documents");
        Assert.Equal(docs.Count, docs.Select(d => d.Id).Distinct().Count());
        Assert.Equal(4, s.Counters[SkipReasons.NonHtml]);
        Assert.All(docs, d =>
        {
            Assert.StartsWith("<urn:uuid:", d.Id);
            Assert.Equal(new Uri(d.Url).Host.ToLowerInvariant(), d.Host);
            Assert.StartsWith("file:///", d.Source);
            Assert.Equal(ContentHash.Of(d.Text), d.ContentHash);
            Assert.False(string.IsNullOrWhiteSpace(d.Text));
            Assert.InRange(d.LangScore, 0f, 1f);
        });
        Assert.True(docs.Count(d => d.Lang == "en") > docs.Count / 2);

        // source/source_offset point back at the record: one gzip member read from there holds the record.
        foreach (var d in docs.Where(d => d.Source.EndsWith("crawl-sample-0001.warc.gz", StringComparison.Ordinal)))
        {
            var bytes = File.ReadAllBytes(new Uri(d.Source).LocalPath);
            using var gz = new GZipStream(new MemoryStream(bytes, (int)d.SourceOffset, bytes.Length - (int)d.SourceOffset), CompressionMode.Decompress);
            var head = new byte[1024];
            int n = gz.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            string text = Encoding.ASCII.GetString(head, 0, n);
            Assert.StartsWith("WARC/1.0", text);
            Assert.Contains(d.Id, text);
        }

        // The WET file's conversion record becomes a document as it is.
        var wet = Assert.Single(docs, d => d.Source.EndsWith(".wet.gz", StringComparison.Ordinal));
        Assert.Equal("https://an.wikipedia.org/wiki/Escopete", wet.Url);
        Assert.StartsWith("Escopete - Biquipedia", wet.Text);

        // An engine we did not write reads the same rows and values.
        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT count(*), count(DISTINCT id), sum(length(text))::BIGINT, min(fetch_time) FROM read_parquet('{Path.Combine(tmp["out"], "part-*.parquet")}')";
        using (var r = cmd.ExecuteReader())
        {
            Assert.True(r.Read());
            Assert.Equal(docs.Count, Convert.ToInt64(r.GetValue(0)));
            Assert.Equal(docs.Count, Convert.ToInt64(r.GetValue(1)));
            Assert.Equal(docs.Sum(d => (long)new StringInfoLength(d.Text).Length), Convert.ToInt64(r.GetValue(2)));
            Assert.Equal(docs.Min(d => d.FetchTime), DateTime.SpecifyKind((DateTime)r.GetValue(3), DateTimeKind.Utc));
        }
        var probe = docs.First(d => d.Lang == "en");
        cmd.CommandText = $"SELECT url, host, lang, source_offset, content_hash FROM read_parquet('{Path.Combine(tmp["out"], "part-*.parquet")}') WHERE id = '{probe.Id}'";
        using (var r = cmd.ExecuteReader())
        {
            Assert.True(r.Read());
            Assert.Equal((probe.Url, probe.Host, probe.Lang, probe.SourceOffset, probe.ContentHash), (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4)));
            Assert.False(r.Read());
        }
    }

    /// <summary>Length in Unicode code points, which is what DuckDB's length() counts.</summary>
    private readonly record struct StringInfoLength(string Text)
    {
        public int Length => Text.EnumerateRunes().Count();
    }

    public static TheoryData<string, string[], string[]> EdgeCases => new()
    {
        // file, URLs of the documents expected, the only skip counters allowed (each must be non-zero)
        { "example.warc.gz", ["http://example.com/"], [] },
        { "example.warc", ["http://example.com/"], [] },
        { "example-bad-non-chunked.warc.gz", ["http://example.com/"], [] },
        { "example-bad.warc.gz.bad", ["http://example.com?example=1"], [SkipReasons.Non200] },
        { "example-digest.warc", [], [] },
        { "example-iana.org-chunked.warc", ["http://www.iana.org/"], [] },
        { "example-resource.warc.gz", ["http://example.com/"], [] },
        { "example-space-in-target-uri.warc.gz", [], [SkipReasons.NonHtml] },
        { "example-trunc.warc", ["http://example.com/"], [SkipReasons.WarcGarbage] },
        { "example-wget-bad-target-uri.warc.gz", ["http://example.com/"], [SkipReasons.NonHtml] },
        { "example-wrong-chunks.warc.gz", ["http://example.com/"], [] },
        { "post-test.warc.gz", [], [SkipReasons.NonHtml] },
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public async Task Edge_case_file_yields_its_pages_and_counts_what_it_skips(string file, string[] urls, string[] counters)
    {
        using var tmp = new TempDir("ingest-edge");
        var (result, docs) = await RunAsync(tmp["out"], new IngestOptions { Inputs = [Repo.Shared(Path.Combine("warc", "edge", file))], Languages = English });
        Assert.Equal(urls, docs.Select(d => d.Url));
        foreach (var c in counters) Assert.True(result.Success.Counters.GetValueOrDefault(c) > 0, $"{c} not counted: {string.Join(", ", result.Success.Counters)}");
        var unexpected = result.Success.Counters.Where(kv => kv.Key.StartsWith("skipped.", StringComparison.Ordinal) && !counters.Contains(kv.Key)).ToList();
        Assert.Empty(unexpected);
        foreach (var d in docs)
        {
            // Every page of these fixtures is English prose ("Example Domain", IANA's reserved domains page).
            Assert.Equal("en", d.Lang);
            Assert.Contains(d.Url.Contains("iana", StringComparison.Ordinal) ? "IANA" : "This domain is", d.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Missing_input_file_is_skipped_counted_and_named_while_the_others_are_read()
    {
        using var tmp = new TempDir("ingest-missing");
        string missing = tmp["nope.warc.gz"];
        var (result, docs) = await RunAsync(tmp["out"], new IngestOptions { Inputs = [Repo.Shared("warc/edge/example.warc.gz"), missing], Languages = English });
        Assert.Single(docs);
        Assert.Equal(1, result.Success.Counters[SkipReasons.InputNotFound]);
        string log = string.Concat(Directory.GetFiles(Path.Combine(tmp["out"], DatasetFolder.LogsDir)).Select(File.ReadAllText));
        Assert.Contains(IngestStage.InputFailedLogPrefix + missing, log);
    }

    [Fact]
    public async Task Fewer_tasks_than_files_group_files_by_bytes_and_write_the_same_rows()
    {
        using var tmp = new TempDir("ingest-groups");
        var inputs = new IngestOptions { Inputs = [Path.Combine(Repo.Root, "samples", "warc")], Languages = English };
        var (_, perFile) = await RunAsync(tmp["a"], inputs);
        var (grouped, inTwo) = await RunAsync(tmp["b"], inputs with { Tasks = 2 });
        Assert.Equal(2, grouped.Success.TaskCount);
        Assert.Equal(perFile.Select(d => (d.Id, d.Text, d.Lang, d.SourceOffset)).Order(), inTwo.Select(d => (d.Id, d.Text, d.Lang, d.SourceOffset)).Order());
        // The two large crawl samples land in different tasks.
        var stage = await IngestStage.CreateAsync(inputs with { Tasks = 2 });
        Assert.Contains(stage.FilesOf(0), f => f.Contains("crawl-sample", StringComparison.Ordinal));
        Assert.Contains(stage.FilesOf(1), f => f.Contains("crawl-sample", StringComparison.Ordinal));
    }

    [Fact]
    public void Grouping_is_byte_balanced_and_keeps_input_order_within_a_group()
    {
        var groups = IngestStage.Group([100, 10, 90, 20, 50], 2);
        Assert.Equal([[0, 1, 3], [2, 4]], groups); // 100 | 90, 50 | 20 onto 100 | 10 onto 120
        Assert.Equal([[0], [1], [2]], IngestStage.Group([5, 5, 5], 0));
        Assert.Equal([[0], [1], [2]], IngestStage.Group([5, 5, 5], 9));
    }

    [Fact]
    public async Task Unknown_extractor_or_language_is_an_error_naming_it()
    {
        var e1 = await Assert.ThrowsAsync<DataPipe.Core.Errors.DataPipeException>(() => IngestStage.CreateAsync(new IngestOptions { Inputs = [Repo.Shared("warc/edge/example.warc")], Extractor = "magic" }));
        Assert.Contains("magic", e1.Message);
        var e2 = await Assert.ThrowsAsync<DataPipe.Core.Errors.DataPipeException>(() => IngestStage.CreateAsync(new IngestOptions { Inputs = [Repo.Shared("warc/edge/example.warc")], Languages = ["en", "xx"] }));
        Assert.Contains("'xx'", e2.Message);
    }
}
