using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Core.Storage;
using DataPipe.Ingest;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Ingest;

/// <summary>
/// Flaky storage: ingest over a loopback HTTP server that fails 30% of requests with 500/503, drops 30% of
/// connections mid-body and answers 20% of requests slowly must produce exactly what reading the files locally
/// produces, with the retries counted; a 404 and a 403 are not retried and are reported by URL.
/// </summary>
public class FlakyStorageIngestTests
{
    private static readonly string[] Languages = ["en", "de", "fr", "es"];

    private static async Task<(StageResult Result, List<Document> Docs)> RunAsync(string output, IngestOptions options, StorageResolver storage)
    {
        var stage = await IngestStage.CreateAsync(options, storage);
        var result = await new LocalStageExecutor().RunAsync(stage, output, new StageRunOptions { Workers = 2, MaxAttempts = 1 });
        var docs = new List<Document>();
        foreach (var part in DatasetFolder.RequireCompleteParts(output))
            await foreach (var d in DocumentReader.ReadAsync(part)) docs.Add(d);
        return (result, docs);
    }

    [Fact]
    public async Task Ingest_over_a_flaky_server_equals_local_ingest_and_counts_retries_while_404_and_403_are_reported_unretried()
    {
        string samples = Path.Combine(Repo.Root, "samples", "warc");
        var names = Directory.GetFiles(samples).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        await using var server = new LoopbackHttpServer(seed: 42)
        {
            ErrorRate = 0.3,
            DropRate = 0.3,
            SlowRate = 0.2,
            SlowDelay = TimeSpan.FromMilliseconds(100),
        };
        foreach (var n in names) server.Files[n!] = File.ReadAllBytes(Path.Combine(samples, n!));
        server.FixedStatus["missing.warc.gz"] = 404;
        server.FixedStatus["forbidden.warc.gz"] = 403;

        var storage = new StorageResolver(new StorageOptions
        {
            MaxRetries = 15,
            BaseDelay = TimeSpan.FromMilliseconds(5),
            MaxDelay = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(20),
        });
        using var tmp = new TempDir("ingest-flaky");
        var local = await RunAsync(tmp["local"], new IngestOptions { Inputs = [.. names.Select(n => Path.Combine(samples, n!))], Languages = Languages }, storage);
        string missingUrl = server.BaseUrl + "missing.warc.gz";
        string forbiddenUrl = server.BaseUrl + "forbidden.warc.gz";
        var remote = await RunAsync(tmp["remote"], new IngestOptions
        {
            Inputs = [.. names.Select(n => server.BaseUrl + n), missingUrl, forbiddenUrl],
            Languages = Languages,
        }, storage);

        // Identical rows, in the same order, but for the source column (a URL instead of a file path).
        static object Row(Document d) => (d.Id, d.Url, d.Host, d.FetchTime, d.Lang, d.LangScore, d.Text, Path.GetFileName(d.Source), d.SourceOffset, d.ContentHash);
        Assert.True(local.Docs.Count >= 35);
        Assert.Equal(local.Docs.Select(Row), remote.Docs.Select(Row));
        Assert.All(remote.Docs, d => Assert.StartsWith(server.BaseUrl, d.Source));

        var counters = remote.Result.Success.Counters;
        Assert.True(counters.GetValueOrDefault("storage.retries") > 0, "retries are counted");
        Assert.Equal(1, counters[SkipReasons.InputNotFound]);
        Assert.Equal(1, counters[SkipReasons.InputUnreadable]);
        Assert.Equal(1, server.RequestsFor("missing.warc.gz"));
        Assert.Equal(1, server.RequestsFor("forbidden.warc.gz"));
        string logs = string.Concat(Directory.GetFiles(Path.Combine(tmp["remote"], DatasetFolder.LogsDir)).Select(File.ReadAllText));
        Assert.Contains($"{IngestStage.InputFailedLogPrefix}{missingUrl}: {missingUrl}: HTTP 404", logs);
        Assert.Contains($"{IngestStage.InputFailedLogPrefix}{forbiddenUrl}: {forbiddenUrl}: HTTP 403", logs);
        Assert.Contains("retry ", logs);
    }

    [Fact]
    public async Task Server_that_keeps_failing_fails_the_task_naming_the_url_instead_of_dropping_the_file()
    {
        await using var server = new LoopbackHttpServer(seed: 3) { ErrorRate = 1.0 };
        server.Files["a.warc.gz"] = File.ReadAllBytes(Path.Combine(Repo.Root, "samples", "warc", "cc-whirlwind.warc.gz"));
        var storage = new StorageResolver(new StorageOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) });
        using var tmp = new TempDir("ingest-down");
        var stage = await IngestStage.CreateAsync(new IngestOptions { Inputs = [server.BaseUrl + "a.warc.gz"], Languages = Languages }, storage);
        var e = await Assert.ThrowsAsync<StageFailedException>(() => new LocalStageExecutor().RunAsync(stage, tmp["out"], new StageRunOptions { Workers = 1, MaxAttempts = 1 }));
        Assert.Contains(server.BaseUrl + "a.warc.gz", e.Message);
        Assert.Contains("retries", e.Message);
        Assert.Null(DatasetFolder.ReadSuccess(tmp["out"]));
    }
}
