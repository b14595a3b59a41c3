using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Bpe;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Stages;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Tests.Tokenize;

public class BpeTrainerTests
{
    /// <summary>The first 300 KB of Tiny Shakespeare, in 4 KB pieces.</summary>
    private static readonly IReadOnlyList<string> Shakespeare = [.. File.ReadAllText(Repo.Shared("text/tinyshakespeare.txt"))[..300_000].Chunk(4096).Select(c => new string(c))];

    private static BpeVocabulary Train(IReadOnlyList<string> texts, int vocab, int threads = 2)
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabSize = vocab, Threads = threads });
        trainer.Count(texts);
        return trainer.Train();
    }

    [Fact]
    public void The_most_frequent_pair_is_merged_first_and_later_merges_build_on_earlier_ones()
    {
        // Pre-tokens: "ab", " ab" x2, " cd": (a,b) occurs 3 times, then (' ', ab) twice.
        var v = Train(["ab ab ab cd"], vocab: 259);
        Assert.Equal(((int)'a', (int)'b'), v.Merges[0]);
        Assert.Equal(((int)' ', 256), v.Merges[1]);
        Assert.Equal(" ab"u8.ToArray(), v.Tokens[257]);
        Assert.Equal(258, v.EndOfTextId);
    }

    [Fact]
    public void Training_is_deterministic_whatever_the_thread_count_and_batching()
    {
        var one = Train(Shakespeare, 1024, threads: 1);
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabSize = 1024, Threads = 4 });
        trainer.Count([.. Shakespeare.Take(30)]);
        trainer.Count([.. Shakespeare.Skip(30)]);
        var batched = trainer.Train();
        Assert.Equal(1024, one.Size);
        Assert.Equal(one.Merges, batched.Merges);

        using var dir = new TempDir();
        one.Save(dir["a"]);
        batched.Save(dir["b"]);
        Assert.Equal(File.ReadAllBytes(dir["a/merges.txt"]), File.ReadAllBytes(dir["b/merges.txt"]));
        Assert.Equal(BpeVocabulary.HashFiles(dir["a"]), BpeVocabulary.HashFiles(dir["b"]));
    }

    [Fact]
    public void The_trained_vocabulary_loads_into_the_library_and_round_trips_real_text_with_fewer_tokens_than_bytes()
    {
        using var dir = new TempDir();
        Train(Shakespeare, 2048).Save(dir.Path);
        ITextTokenizer bpe = ByteLevelBpeTokenizer.Load(dir.Path);
        Assert.Equal(2048, bpe.VocabSize);
        Assert.Equal(2047, bpe.EotId);
        Assert.Equal(ByteLevelBpeTokenizer.Kind, bpe.Identity.Kind);

        // A frequent word is a single token; every id is in range; decode(encode(x)) == x on text not trained on.
        Assert.Single(bpe.Encode(" the"));
        long bytes = 0, tokens = 0;
        foreach (var (id, text) in RealTexts.Documents.Take(40))
        {
            var ids = bpe.Encode(text);
            Assert.All(ids, t => Assert.InRange(t, 0, bpe.EotId - 1));
            Assert.True(text == bpe.Decode([.. ids, bpe.EotId]), $"{id}: decode(encode(text)) differs");
            bytes += System.Text.Encoding.UTF8.GetByteCount(text);
            tokens += ids.Length;
        }
        Assert.True(tokens * 2 < bytes, $"{tokens} tokens for {bytes} bytes");
        Assert.DoesNotContain(bpe.EotId, bpe.Encode("a page that spells <|endoftext|> in its text"));
        Assert.Equal("bad \uFFFD half", bpe.Decode(bpe.Encode("bad \uD800 half")));
    }

    [Fact]
    public void Empty_input_is_a_clear_error_not_a_crash()
    {
        var e = Assert.Throws<DataPipeException>(() => new BpeTrainer().Train());
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public async Task The_train_stage_refuses_an_empty_corpus_naming_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["empty.txt"], "");
        var e = await Assert.ThrowsAsync<DataPipeException>(() => new LocalStageExecutor().RunAsync(new TrainBpeStage(new TrainBpeOptions { Input = dir["empty.txt"], VocabSize = 300 }), dir["out"], new StageRunOptions { MaxAttempts = 1 }));
        Assert.Contains("empty.txt", e.Message);
        Assert.Contains("no text", e.Message);
    }

    [Fact]
    public void A_merges_file_that_does_not_match_its_vocabulary_is_refused_naming_the_line()
    {
        using var dir = new TempDir();
        Train(["ab ab ab cd cd"], vocab: 260).Save(dir.Path);
        var lines = File.ReadAllLines(dir["merges.txt"]);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        File.WriteAllLines(dir["merges.txt"], lines);
        var e = Assert.Throws<DataPipeException>(() => ByteLevelBpeTokenizer.Load(dir.Path));
        Assert.Contains("merges.txt:2", e.Message);
    }

    [Fact]
    public async Task Shards_made_with_a_trained_BPE_carry_a_copy_of_it_and_verify_refuses_a_changed_copy()
    {
        using var dir = new TempDir();
        Assert.Equal(0, await DataPipe.Jobs.Cli.DataPipeCli.RunAsync(["tokenizer", "train", "--input", Repo.Shared("text/tinyshakespeare.txt"), "--vocab-size", "512", "--output", dir["bpe"], "--workers", "2"]));
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], RealTexts.Documents.Take(20));
        string output = dir["tokens"];
        await new LocalStageExecutor().RunAsync(new TokenizeStage(new TokenizeOptions { Input = input, Tokenizer = $"bpe:{dir["bpe"]}", ValFraction = 0 }), output, new StageRunOptions { Workers = 2 });

        var manifest = TokenManifest.Load(output);
        Assert.Equal("bpe", manifest.Tokenizer.Kind);
        Assert.Equal(512, manifest.Tokenizer.VocabSize);
        Assert.Equal(File.ReadAllBytes(dir["bpe/merges.txt"]), File.ReadAllBytes(Path.Combine(output, "tokenizer", "merges.txt")));
        var report = await TokenShardVerifier.VerifyAsync(output);
        Assert.Equal(20, report.Rows);
        Assert.Equal(RealTexts.Documents.First(d => d.Id == report.SampleDocId).Text, report.SampleText);

        File.AppendAllText(Path.Combine(output, "tokenizer", "vocab.json"), "\n");
        var e = await Assert.ThrowsAsync<DataPipeException>(() => TokenShardVerifier.VerifyAsync(output));
        Assert.Contains("vocabulary hash", e.Message);
    }
}
