using DataPipe.Jobs.Cli;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;

namespace DataPipe.Tests.Tokenize;

[Collection("Console")]
public class TokenizeCommandTests
{
    [Fact]
    public async Task Tokenize_then_verify_succeed_and_a_corrupted_shard_fails_verify_with_a_non_zero_exit()
    {
        using var dir = new TempDir();
        string input = await RealTexts.WriteDatasetAsync(dir["docs"], RealTexts.Documents.Take(30));
        string output = dir["tokens"];

        Assert.Equal(0, await DataPipeCli.RunAsync(["tokenize", "--input", input, "--output", output, "--tokenizer", "cl100k", "--shard-tokens", "5000", "--val-fraction", "0.1", "--workers", "2"]));
        var manifest = TokenManifest.Load(output);
        Assert.Equal(30, manifest.Train.Rows + manifest.Validation.Rows);
        Assert.Equal(0, await DataPipeCli.RunAsync(["tokenize", "verify", output]));

        string shard = Path.Combine(output, manifest.Shards[0].File);
        File.WriteAllBytes(shard, [.. File.ReadAllBytes(shard).Take(100)]);
        Assert.Equal(1, await DataPipeCli.RunAsync(["tokenize", "verify", output]));
    }

    [Fact]
    public async Task An_input_that_is_not_a_completed_dataset_exits_non_zero()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["empty"]);
        Assert.Equal(1, await DataPipeCli.RunAsync(["tokenize", "--input", dir["empty"], "--output", dir["out"]]));
    }
}
