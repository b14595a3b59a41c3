using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Stages;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Tests.Tokenize;

public class TokenizeStageTests
{
    private static readonly StageRunOptions Run = new() { Workers = 2, MaxAttempts = 1 };

    private static async Task<string> TokenizeAsync(TempDir dir, string input, string name, TokenizeOptions options)
    {
        string output = dir[name];
        await new LocalStageExecutor().RunAsync(new TokenizeStage(options with { Input = input }), output, Run);
        return output;
    }

    private static async Task<List<(string Split, TokenRow Row)>> ReadAllAsync(string output)
    {
        var manifest = TokenManifest.Load(output);
        var rows = new List<(string, TokenRow)>();
        foreach (var s in manifest.Shards)
            await foreach (var r in TokenShardReader.ReadAsync(Path.Combine(output, s.File))) rows.Add((s.Split, r));
        return rows;
    }

    [Fact]
    public async Task Every_document_becomes_one_row_of_its_cl100k_tokens_and_end_of_text()
    {
        using var dir = new TempDir();
        var docs = RealTexts.Documents;
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], docs);
        string output = await TokenizeAsync(dir, input, "tokens", new TokenizeOptions { Tokenizer = "cl100k_base", Tasks = 3, ShardTokens = 20_000, ValFraction = 0.1, Seed = 7 });

        ITextTokenizer tokenizer = TiktokenTextTokenizer.Get("cl100k_base");
        var rows = await ReadAllAsync(output);
        Assert.Equal(docs.Count, rows.Count);
        var byId = docs.ToDictionary(d => d.Id, d => d.Text);
        foreach (var (split, row) in rows)
        {
            Assert.Equal([.. tokenizer.Encode(byId[row.DocId]), tokenizer.EotId], row.Tokens);
            Assert.Equal(TokenizeStage.IsValidation(row.DocId, 7, 0.1) ? "validation" : "train", split);
        }

        var manifest = TokenManifest.Load(output);
        Assert.Equal(tokenizer.Identity, manifest.Tokenizer);
        Assert.Equal(7, manifest.Seed);
        Assert.Equal(rows.Count(r => r.Split == "train"), manifest.Train.Rows);
        Assert.Equal(rows.Where(r => r.Split == "validation").Sum(r => (long)r.Row.Tokens.Length), manifest.Validation.Tokens);
        Assert.InRange(manifest.Validation.Rows, 1, docs.Count / 4);
        var success = DatasetFolder.ReadSuccess(output)!;
        Assert.Equal(manifest.Train.Tokens, success.Counters["tokens.train"]);
        Assert.Equal(docs.Count, success.RowsOut);

        var report = await TokenShardVerifier.VerifyAsync(output);
        Assert.Equal(docs.Count, report.Rows);
        Assert.Equal(byId[report.SampleDocId], report.SampleText);
    }

    [Fact]
    public async Task Shards_are_cut_by_token_count_without_splitting_a_document()
    {
        using var dir = new TempDir();
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], RealTexts.Documents);
        const long limit = 30_000;
        string output = await TokenizeAsync(dir, input, "tokens", new TokenizeOptions { Tokenizer = "cl100k_base", Tasks = 1, ShardTokens = limit, ValFraction = 0 });

        var shards = TokenManifest.Load(output).Shards;
        Assert.True(shards.Count >= 4, $"expected several shards, got {shards.Count}");
        Assert.All(shards, s => Assert.Equal("train", s.Split));
        var rows = await ReadAllAsync(output);
        foreach (var s in shards.Take(shards.Count - 1))
        {
            // A shard closes with the document that reaches the limit: without its last (largest-order) row it was below it.
            var shardRows = new List<TokenRow>();
            await foreach (var r in TokenShardReader.ReadAsync(Path.Combine(output, s.File))) shardRows.Add(r);
            Assert.True(s.Tokens >= limit);
            Assert.True(s.Tokens - shardRows.Max(r => r.Tokens.Length) < limit);
        }
    }

    [Fact]
    public async Task The_split_depends_on_the_seed_and_not_on_the_task_count_and_reruns_give_identical_shards()
    {
        using var dir = new TempDir();
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], RealTexts.Documents.Take(60), rowGroupRows: 8);
        var options = new TokenizeOptions { Tokenizer = "cl100k_base", ShardTokens = 20_000, ValFraction = 0.25, Seed = 11 };
        string a = await TokenizeAsync(dir, input, "a", options with { Tasks = 1 });
        string b = await TokenizeAsync(dir, input, "b", options with { Tasks = 4 });
        string c = await TokenizeAsync(dir, input, "c", options with { Tasks = 4 });
        string d = await TokenizeAsync(dir, input, "d", options with { Tasks = 1, Seed = 12 });

        HashSet<string> Validation(List<(string Split, TokenRow Row)> rows) => [.. rows.Where(r => r.Split == "validation").Select(r => r.Row.DocId)];
        var va = Validation(await ReadAllAsync(a));
        Assert.NotEmpty(va);
        Assert.Equal(va, Validation(await ReadAllAsync(b)));
        Assert.NotEqual(va, Validation(await ReadAllAsync(d)));
        Assert.Equal(TokenManifest.Load(b).Shards.Select(s => s.Sha256), TokenManifest.Load(c).Shards.Select(s => s.Sha256));

        // Within a shard the order is the seeded shuffle, not the input order.
        var order = (await ReadAllAsync(a)).Where(r => r.Split == "train").Select(r => r.Row.DocId).ToList();
        var inputOrder = RealTexts.Documents.Take(60).Select(x => x.Id).Where(order.Contains).ToList();
        Assert.NotEqual(inputOrder, order);
    }

    [Fact]
    public async Task Empty_documents_are_skipped_and_counted()
    {
        using var dir = new TempDir();
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], [("a", "Some text."), ("b", ""), ("c", "More text.")]);
        string output = await TokenizeAsync(dir, input, "tokens", new TokenizeOptions { Tokenizer = "cl100k_base", ValFraction = 0 });
        var success = DatasetFolder.ReadSuccess(output)!;
        Assert.Equal(1, success.Counters["skipped.empty_text"]);
        Assert.Equal(2, TokenManifest.Load(output).Train.Rows);
    }

    [Fact]
    public async Task An_input_without_documents_is_one_clear_error()
    {
        using var dir = new TempDir();
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], []);
        var e = await Assert.ThrowsAsync<DataPipeException>(() => TokenizeAsync(dir, input, "tokens", new TokenizeOptions { Tokenizer = "byte" }));
        Assert.Contains("no documents", e.Message);
        Assert.False(File.Exists(Path.Combine(dir["tokens"], TokenManifest.FileName)));
    }

    [Fact]
    public async Task Verify_names_a_corrupted_shard()
    {
        using var dir = new TempDir();
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], RealTexts.Documents.Take(40));
        string output = await TokenizeAsync(dir, input, "tokens", new TokenizeOptions { Tokenizer = "cl100k_base", ShardTokens = 10_000, ValFraction = 0 });
        var shard = TokenManifest.Load(output).Shards[1];
        string path = Path.Combine(output, shard.File);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var e = await Assert.ThrowsAsync<DataPipeException>(() => TokenShardVerifier.VerifyAsync(output));
        Assert.Contains(shard.File, e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public async Task Verify_refuses_a_manifest_whose_counts_or_vocabulary_hash_do_not_match()
    {
        using var dir = new TempDir();
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], RealTexts.Documents.Take(20));
        string output = await TokenizeAsync(dir, input, "tokens", new TokenizeOptions { Tokenizer = "cl100k_base", ValFraction = 0 });
        var manifest = TokenManifest.Load(output);

        (manifest with { Shards = [manifest.Shards[0] with { Rows = manifest.Shards[0].Rows + 1 }] }).Save(output);
        var rows = await Assert.ThrowsAsync<DataPipeException>(() => TokenShardVerifier.VerifyAsync(output));
        Assert.Contains(manifest.Shards[0].File, rows.Message);

        (manifest with { Tokenizer = manifest.Tokenizer with { VocabHash = "0123" } }).Save(output);
        var hash = await Assert.ThrowsAsync<DataPipeException>(() => TokenShardVerifier.VerifyAsync(output));
        Assert.Contains("vocabulary hash", hash.Message);
    }
}
