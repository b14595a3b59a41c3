using System.IO.Compression;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Core.Storage;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Core;

public class StorageTests
{
    private static readonly StorageOptions Fast = new() { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50), MaxRetries = 12, RequestTimeout = TimeSpan.FromSeconds(5) };

    private static byte[] Payload(int size, int seed = 7)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public async Task A_flaky_server_that_fails_and_drops_connections_still_yields_the_exact_bytes_with_retries_counted()
    {
        await using var server = new LoopbackHttpServer(seed: 3) { ErrorRate = 0.3, DropRate = 0.5 };
        var payloads = Enumerable.Range(0, 8).Select(i => Payload(400_000 + i * 1000, seed: i)).ToArray();
        for (int i = 0; i < payloads.Length; i++) server.Files[$"data/file{i}.warc.gz"] = payloads[i];
        var counters = new Counters();
        var storage = new StorageResolver(Fast);

        for (int i = 0; i < payloads.Length; i++)
        {
            await using var s = await storage.OpenReadAsync(server.BaseUrl + $"data/file{i}.warc.gz", new StorageReadContext(counters));
            var copy = new MemoryStream();
            await s.CopyToAsync(copy);
            Assert.Equal(payloads[i], copy.ToArray());
        }

        Assert.True(counters["storage.retries"] > 0, "the faults must have been retried");
        Assert.Equal(server.Requests - payloads.Length, counters["storage.retries"]);
    }

    [Fact]
    public async Task A_server_that_ignores_range_requests_is_resumed_by_skipping()
    {
        await using var server = new LoopbackHttpServer(seed: 5) { DropRate = 0.6, IgnoreRange = true };
        var payload = Payload(1_000_000);
        server.Files["x"] = payload;
        await using var s = await new StorageResolver(Fast).OpenReadAsync(server.BaseUrl + "x");
        var copy = new MemoryStream();
        await s.CopyToAsync(copy);
        Assert.Equal(payload, copy.ToArray());
    }

    [Theory]
    [InlineData(404)]
    [InlineData(403)]
    public async Task Not_found_and_forbidden_are_not_retried_and_name_the_url(int status)
    {
        await using var server = new LoopbackHttpServer();
        server.FixedStatus["gone.warc.gz"] = status;
        var e = await Assert.ThrowsAsync<StorageException>(() => new StorageResolver(Fast).OpenReadAsync(server.BaseUrl + "gone.warc.gz"));
        Assert.Contains(server.BaseUrl + "gone.warc.gz", e.Message);
        Assert.Contains(status.ToString(), e.Message);
        Assert.Equal(1, server.RequestsFor("gone.warc.gz"));
    }

    [Fact]
    public async Task A_server_that_always_fails_gives_up_after_the_bounded_retries_naming_the_url()
    {
        await using var server = new LoopbackHttpServer { ErrorRate = 1.0 };
        server.Files["f"] = Payload(10);
        var options = Fast with { MaxRetries = 3 };
        var e = await Assert.ThrowsAsync<StorageException>(() => new StorageResolver(options).OpenReadAsync(server.BaseUrl + "f"));
        Assert.Contains(server.BaseUrl + "f", e.Message);
        Assert.Equal(4, server.RequestsFor("f"));
    }

    [Fact]
    public async Task A_missing_local_file_fails_naming_the_path()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => StorageResolver.Default.OpenReadAsync("/no/such/file.warc.gz"));
        Assert.Contains("/no/such/file.warc.gz", e.Message);
    }

    [Fact]
    public async Task Globs_expand_to_sorted_matches_and_folders_to_their_files()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["sub/deeper"]);
        foreach (var f in new[] { "b.warc.gz", "a.warc.gz", "c.txt", "sub/d.warc.gz", "sub/deeper/e.warc.gz" })
            await File.WriteAllTextAsync(dir[f], "x");

        var flat = await StorageResolver.Default.ExpandAsync([dir.Path + "/*.warc.gz"]);
        Assert.Equal([dir["a.warc.gz"], dir["b.warc.gz"]], flat);

        var deep = await StorageResolver.Default.ExpandAsync([dir.Path + "/**/*.warc.gz"]);
        Assert.Equal(4, deep.Count);

        var folder = await StorageResolver.Default.ExpandAsync([dir["sub"]]);
        Assert.Equal([dir["sub/d.warc.gz"]], folder);

        await Assert.ThrowsAsync<DataPipeException>(() => StorageResolver.Default.ExpandAsync([dir.Path + "/*.wet.gz"]));
    }

    [Fact]
    public async Task A_gzipped_listing_resolves_relative_entries_locally_when_present_else_against_common_crawl()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["crawl-data"]);
        await File.WriteAllTextAsync(dir["crawl-data/local.warc.gz"], "x");
        await using (var gz = new GZipStream(File.Create(dir["warc.paths.gz"]), CompressionLevel.Fastest))
        await using (var w = new StreamWriter(gz))
        {
            await w.WriteLineAsync("crawl-data/local.warc.gz");
            await w.WriteLineAsync("crawl-data/CC-MAIN-2024-22/segments/1/warc/remote.warc.gz");
            await w.WriteLineAsync("s3://commoncrawl/crawl-data/x.warc.gz");
        }

        var entries = await StorageResolver.Default.ExpandAsync([dir["warc.paths.gz"]]);
        Assert.Equal(
        [
            dir["crawl-data/local.warc.gz"],
            "https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-22/segments/1/warc/remote.warc.gz",
            "s3://commoncrawl/crawl-data/x.warc.gz",
        ], entries);

        var based = await new StorageResolver(new StorageOptions { ListingBase = "s3://commoncrawl/" }).ExpandAsync([dir["warc.paths.gz"]]);
        Assert.Equal("s3://commoncrawl/crawl-data/local.warc.gz", based[0]);
    }

    [Fact]
    public void Glob_patterns_match_within_and_across_segments()
    {
        Assert.Matches(Glob.ToRegex("a/*.gz"), "a/x.gz");
        Assert.DoesNotMatch(Glob.ToRegex("a/*.gz"), "a/b/x.gz");
        Assert.Matches(Glob.ToRegex("a/**/x.gz"), "a/x.gz");
        Assert.Matches(Glob.ToRegex("a/**/x.gz"), "a/b/c/x.gz");
        Assert.Matches(Glob.ToRegex("part-0000[0-3].parquet"), "part-00002.parquet");
        Assert.Equal("crawl-data/CC/", Glob.FixedPrefix("crawl-data/CC/*/warc/*.gz"));
    }
}
