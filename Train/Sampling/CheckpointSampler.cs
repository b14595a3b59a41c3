using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Model;
using TorchSharp;

namespace DataPipe.Train.Sampling;

/// <summary>
/// Text sampled from a trained GPT: the checkpoint's model, with the tokenizer of the token shards it was trained on
/// (read from the shard folder the checkpoint names, and refused if that folder now holds another vocabulary).
/// </summary>
public static class CheckpointSampler
{
    /// <summary>The newest checkpoint of a run folder; an error naming the folder when it has none.</summary>
    public static string LatestIn(string runDir)
        => Checkpoint.Latest(runDir) ?? throw new DataPipeException($"{runDir}: no checkpoint in {Path.Combine(runDir, Checkpoint.Folder)}");

    /// <summary>A continuation of <paramref name="prompt"/> (without the prompt), <paramref name="tokens"/> tokens long.</summary>
    public static string Continue(string checkpoint, string prompt, int tokens, double temperature, int topK, long seed, string device)
    {
        var header = Checkpoint.ReadHeader(checkpoint);
        var manifest = TokenManifest.Load(header.Data);
        if (manifest.Tokenizer.VocabHash != header.Tokenizer.VocabHash)
            throw new DataPipeException($"{checkpoint}: its shard folder {header.Data} now holds another tokenizer ({manifest.Tokenizer.Name})");
        var tokenizer = TokenizerCatalog.ForShards(header.Data, manifest);
        var dev = ComputeDevice.UseCuda(device, torch.cuda.is_available) ? torch.CUDA : torch.CPU;
        using var model = new Gpt(GptShape.From(header.Config, header.Vocab), header.Config.Seed);
        Checkpoint.Load(checkpoint, model, null);
        model.to(dev);
        return GptTrainer.Sample(model, tokenizer, prompt, tokens, temperature, topK, seed, dev);
    }
}
