using DataPipe.Core.Errors;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;
using DataPipe.Train;
using DataPipe.Train.Compression;
using DataPipe.Train.Data;
using DataPipe.Train.Metrics;

namespace DataPipe.Tests.Train;

public class CompressionReportTests
{
    [Fact]
    public async Task The_code_length_is_the_pre_update_loss_over_each_token_seen_once_and_the_stream_is_the_runs_text()
    {
        using var dir = new TempDir("compress");
        string shards = dir["shards"];
        var m = await TrainFixtures.ShakespeareShardsAsync(shards, maxBytes: 12_000);
        // ~10.8k train tokens, 512 per step: steps 1..21 are the first pass, later ones repeat the data.
        var config = TrainFixtures.Tiny(steps: 26) with { EvalEvery = 0, CheckpointEvery = 0 };
        await GptTrainer.RunAsync(new TrainRequest(shards, dir["run"], config));
        var (steps, _) = MetricsLog.Read(dir["run"]);
        Assert.Contains(steps, s => s.Epoch > 0);

        var r = await CompressionReport.RunAsync(dir["run"]);

        var fresh = steps.TakeWhile(s => s.Epoch == 0).ToList();
        Assert.Equal(fresh.Count, r.Steps);
        Assert.True(r.Steps < 26);
        Assert.Equal(r.Steps * 8L * 64, r.Tokens);
        // Bounds that do not restate the report's formula: a code over these 257 token ids costs at most log2(257) bits
        // a token for a model no better than uniform (the freshly initialised one is about that), and this tiny model
        // cannot code Shakespeare's bytes in under one bit each within 21 steps.
        Assert.InRange(r.CodeLengthBits, 1.0 * r.Tokens, Math.Log2(257) * r.Tokens);
        Assert.True(r.CodeLengthBits < 0.98 * Math.Log2(257) * r.Tokens, $"{r.CodeLengthBits / r.Tokens:F3} bits/token: no better than uniform");
        // Byte tokens: one byte per token, end-of-text written as one newline.
        Assert.Equal(r.Tokens, r.RawBytes);
        Assert.True(r.ModelCodeBytes > 1000, $"{r.ModelCodeBytes} bytes of model code");
        Assert.Contains(r.CodeFiles, f => f.EndsWith("Gpt.cs", StringComparison.Ordinal));
        Assert.Contains("train.yaml", r.CodeFiles);
        // The model's code is part of the compressed size: the total is larger than either part alone.
        Assert.True(r.TotalBytes > r.ModelCodeBytes && r.TotalBytes > r.CodeLengthBits / 8);
        Assert.Equal(["gzip -9", "xz -9", "zstd -19"], r.Baselines.Select(b => b.Name));
        foreach (var b in r.Baselines)
        {
            Assert.InRange(b.Ratio, 1.2, 4.0);
        }
        Assert.True(File.Exists(Path.Combine(dir["run"], CompressionReport.FileName)));

        // The stream the report compressed is the run's targets in loader order.
        string stream = dir["stream.txt"];
        var tokenizer = DataPipe.Tokenize.Tokenizers.ByteTokenizer.Instance;
        long bytes = await CompressionReport.WriteStreamAsync(stream, shards, m, tokenizer, config, 257, r.Tokens, CancellationToken.None);
        var expected = new List<byte>();
        await using (var loader = await BatchLoader.OpenAsync(shards, m, new BatchLoaderOptions("train", 8, 64, 257, config.Seed)))
            for (int i = 0; i < r.Steps; i++)
                foreach (long t in (await loader.NextAsync())!.Targets) expected.Add(t == 256 ? (byte)'\n' : (byte)t);
        Assert.Equal(expected.Count, bytes);
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(stream));
    }

    [Fact]
    public async Task A_folder_without_a_run_is_refused_by_name()
    {
        using var dir = new TempDir("compress");
        var e = await Assert.ThrowsAsync<DataPipeException>(() => CompressionReport.RunAsync(dir.Path));
        Assert.Contains(dir.Path, e.Message);
    }
}
