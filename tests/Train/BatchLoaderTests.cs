using DataPipe.Core.Errors;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;
using DataPipe.Train.Data;

namespace DataPipe.Tests.Train;

public class BatchLoaderTests
{
    private static async Task<List<TokenBatch>> TakeAsync(string dir, TokenManifest m, BatchLoaderOptions o, int n, LoaderState? start = null)
    {
        var list = new List<TokenBatch>();
        await using var loader = await BatchLoader.OpenAsync(dir, m, o, start);
        for (int i = 0; i < n; i++)
        {
            var b = await loader.NextAsync();
            if (b is null) break;
            list.Add(b);
        }
        return list;
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_batches_and_another_seed_another_order()
    {
        using var dir = new TempDir("loader");
        var m = await TrainFixtures.ShakespeareShardsAsync(dir.Path, maxBytes: 60_000, rowGroupTokens: 4096);
        var o = new BatchLoaderOptions("train", 4, 32, 257, Seed: 1);
        var a = await TakeAsync(dir.Path, m, o, 20);
        var b = await TakeAsync(dir.Path, m, o, 20);
        var c = await TakeAsync(dir.Path, m, o with { Seed = 2 }, 20);
        Assert.Equal(a.SelectMany(x => x.Inputs), b.SelectMany(x => x.Inputs));
        Assert.NotEqual(a.SelectMany(x => x.Inputs), c.SelectMany(x => x.Inputs));
    }

    [Fact]
    public async Task Windows_pack_documents_with_end_of_text_and_overlap_by_one_token_so_every_token_is_a_target_once()
    {
        using var dir = new TempDir("loader");
        var m = await TrainFixtures.ShakespeareShardsAsync(dir.Path, maxBytes: 20_000, rowGroupTokens: 2048);
        // Unshuffled, one pass: the targets, in order, are the split's token stream without its first token.
        var stream = new List<long>();
        foreach (var shard in m.ShardsOf("train"))
            await foreach (var row in TokenShardReader.ReadAsync(Path.Combine(dir.Path, shard.File)))
                stream.AddRange(row.Tokens.Select(t => (long)t));
        var batches = await TakeAsync(dir.Path, m, new BatchLoaderOptions("train", 3, 50, 257, 0, Shuffle: false, Repeat: false), int.MaxValue);
        var targets = batches.SelectMany(b => b.Targets.Take(b.Tokens)).ToList();
        int windows = (stream.Count - 1) / 50;
        Assert.Equal(windows * 50, targets.Count);
        Assert.Equal(stream.Skip(1).Take(targets.Count), targets);
        Assert.Contains(256L, targets);
        Assert.True(batches[^1].Rows <= 3);
        for (int i = 0; i < batches[0].Rows * 50 - 1; i++)
            if ((i + 1) % 50 != 0) Assert.Equal(batches[0].Inputs[i + 1], batches[0].Targets[i]);
    }

    [Fact]
    public async Task A_loader_opened_at_a_batchs_state_continues_with_exactly_the_following_batches_across_epochs()
    {
        using var dir = new TempDir("loader");
        var m = await TrainFixtures.ShakespeareShardsAsync(dir.Path, maxBytes: 30_000, rowGroupTokens: 4096);
        var o = new BatchLoaderOptions("train", 4, 64, 257, Seed: 3);
        // 30 KB of train text is ~27k tokens: 120 batches of 256 tokens go past the first epoch.
        var all = await TakeAsync(dir.Path, m, o, 120);
        Assert.Contains(all, b => b.Epoch > 0);
        foreach (int cut in new[] { 1, 37, 105 })
        {
            var rest = await TakeAsync(dir.Path, m, o, 120 - cut, all[cut - 1].After);
            Assert.Equal(all.Skip(cut).SelectMany(x => x.Inputs), rest.SelectMany(x => x.Inputs));
            Assert.Equal(all.Skip(cut).SelectMany(x => x.Targets), rest.SelectMany(x => x.Targets));
        }
    }

    [Fact]
    public async Task The_loader_reads_only_the_row_groups_it_needs_and_never_the_whole_corpus()
    {
        using var dir = new TempDir("loader");
        var m = await TrainFixtures.ShakespeareShardsAsync(dir.Path, maxBytes: 300_000, rowGroupTokens: 2048, shards: 4);
        await using var loader = await BatchLoader.OpenAsync(dir.Path, m, new BatchLoaderOptions("train", 2, 32, 257, 1, Prefetch: 2));
        Assert.True(loader.UnitCount > 100, $"{loader.UnitCount} row groups");
        for (int i = 0; i < 5; i++) Assert.NotNull(await loader.NextAsync());
        await Task.Delay(200);
        // 7 batches (5 read, 2 prefetched) of 64 tokens fit in one or two 2048-token row groups.
        Assert.InRange(loader.UnitsLoaded, 1, 3);
    }

    [Fact]
    public async Task A_token_outside_the_vocabulary_fails_naming_the_shard_and_document()
    {
        using var dir = new TempDir("loader");
        var m = await TrainFixtures.ShakespeareShardsAsync(dir.Path, maxBytes: 5_000);
        await using var loader = await BatchLoader.OpenAsync(dir.Path, m, new BatchLoaderOptions("train", 2, 16, 100, 1));
        var e = await Assert.ThrowsAsync<DataPipeException>(async () => await loader.NextAsync());
        Assert.Contains("train-0000", e.Message);
        Assert.Contains("tinyshakespeare.txt#", e.Message);
        Assert.Contains("vocabulary of 100", e.Message);
    }

    [Fact]
    public async Task A_split_without_shards_is_refused_naming_the_manifest()
    {
        using var dir = new TempDir("loader");
        var m = await TrainFixtures.ShakespeareShardsAsync(dir.Path, maxBytes: 5_000);
        var e = await Assert.ThrowsAsync<DataPipeException>(() => BatchLoader.OpenAsync(dir.Path, m, new BatchLoaderOptions("test", 2, 16, 257, 1)));
        Assert.Contains("manifest.json", e.Message);
    }
}
