using DataPipe.Core.Errors;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;
using DuckDB.NET.Data;

namespace DataPipe.Tests.Tokenize;

public class TokenShardTests
{
    [Fact]
    public async Task Token_lists_of_any_length_round_trip_across_row_groups()
    {
        using var dir = new TempDir();
        string path = dir["train-00000.parquet"];
        var rnd = new Random(1);
        var rows = Enumerable.Range(0, 300).Select(i => new TokenRow($"doc-{i}", [.. Enumerable.Range(0, 1 + rnd.Next(400)).Select(_ => rnd.Next(50_000)), 50_256])).ToList();
        TokenShardWriter w;
        await using (w = await TokenShardWriter.CreateAsync(path))
        {
            foreach (var r in rows) await w.WriteAsync(r.DocId, r.Tokens);
        }

        Assert.True(await TokenShardReader.CountRowGroupsAsync(path) >= 1);
        var back = new List<TokenRow>();
        await foreach (var r in TokenShardReader.ReadAsync(path)) back.Add(r);
        Assert.Equal(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].DocId, back[i].DocId);
            Assert.Equal(rows[i].Tokens, back[i].Tokens);
        }
        Assert.Equal(rows.Sum(r => (long)r.Tokens.Length), w.TokenCount);
        Assert.Equal(64, w.Sha256.Length);
    }

    [Fact]
    public async Task Small_row_groups_split_by_token_count()
    {
        using var dir = new TempDir();
        string path = dir["s.parquet"];
        var w = await TokenShardWriter.CreateAsync(path);
        await using (w)
        {
            w.RowGroupTokens = 1000;
            for (int i = 0; i < 50; i++) await w.WriteAsync($"d{i}", Enumerable.Repeat(7, 100).ToArray());
        }
        Assert.Equal(5, await TokenShardReader.CountRowGroupsAsync(path));
        Assert.Equal(10, (await TokenShardReader.ReadRowGroupAsync(path, 4)).Length);
    }

    [Fact]
    public async Task DuckDB_reads_token_shards_as_a_list_column()
    {
        using var dir = new TempDir();
        string path = dir["s.parquet"];
        await using (var w = await TokenShardWriter.CreateAsync(path))
        {
            await w.WriteAsync("a", new[] { 1, 2, 3, 0 });
            await w.WriteAsync("b", new[] { 0 });
        }
        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT sum(len(tokens))::BIGINT, max(list_extract(tokens, 3))::BIGINT FROM read_parquet('{path}')";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(5L, Convert.ToInt64(r.GetValue(0)));
        Assert.Equal(3L, Convert.ToInt64(r.GetValue(1)));
    }

    [Fact]
    public async Task A_documents_file_is_not_mistaken_for_a_shard()
    {
        using var dir = new TempDir();
        string path = dir["docs.parquet"];
        await using (var w = await DataPipe.Core.Datasets.DocumentWriter.CreateAsync(path))
            await w.WriteAsync(TestDocuments.Make(1));
        var e = await Assert.ThrowsAsync<DatasetSchemaException>(() => TokenShardReader.ReadRowGroupAsync(path, 0));
        Assert.Contains("doc_id", e.Message);
    }

    [Fact]
    public void A_manifest_saves_and_loads_and_an_unknown_format_is_refused()
    {
        using var dir = new TempDir();
        var m = new TokenManifest
        {
            Tokenizer = new TokenizerIdentity { Kind = "bpe", Name = "sample", VocabHash = "abc", VocabSize = 8192, EotId = 8191 },
            Seed = 7,
            Shards = [new ShardEntry { File = "train-00000.parquet", Rows = 3, Tokens = 30, Sha256 = "x" }],
        };
        m.Save(dir.Path);
        var back = TokenManifest.Load(dir.Path);
        Assert.Equal(8191, back.Tokenizer.EotId);
        Assert.Single(back.ShardsOf("train"));

        File.WriteAllText(Path.Combine(dir.Path, TokenManifest.FileName), "{\"format\":\"other/9\"}");
        Assert.Throws<DataPipeException>(() => TokenManifest.Load(dir.Path));
    }
}
