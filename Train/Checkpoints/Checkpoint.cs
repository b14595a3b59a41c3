using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Train.Data;
using DataPipe.Tokenize.Shards;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DataPipe.Train.Checkpoints;

/// <summary>What a checkpoint says about its run, stored as JSON at the start of the file.</summary>
public sealed record CheckpointHeader
{
    /// <summary>Optimizer steps completed.</summary>
    public int Step { get; init; }
    public long Tokens { get; init; }
    public TrainConfig Config { get; init; } = new();
    public int Vocab { get; init; }
    public TokenizerIdentity Tokenizer { get; init; } = new();
    /// <summary>The token shard folder trained on (absolute path), which also holds the tokenizer's files.</summary>
    public string Data { get; init; } = "";
    public LoaderState Loader { get; init; } = LoaderState.Start;
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// A training checkpoint in one file, <c>checkpoints/step-NNNNNNNN.ckpt</c>: a magic line, the JSON
/// <see cref="CheckpointHeader"/> (step, config, tokenizer, loader position), the model's parameters, the AdamW
/// state, the CPU random generator's state, and a SHA-256 of everything before it. Written to a hidden temp file,
/// flushed to disk and renamed, so a killed process leaves either the previous checkpoints or the new one complete;
/// a damaged file is refused by its hash, naming the file.
/// </summary>
public static class Checkpoint
{
    public const string Folder = "checkpoints";
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("DATAPIPE-GPT-CKPT/1\n");

    public static string PathFor(string runDir, int step) => Path.Combine(runDir, Folder, $"step-{step:D8}.ckpt");

    /// <summary>Complete checkpoints of a run, newest first (temp files of interrupted writes are not listed).</summary>
    public static IReadOnlyList<string> List(string runDir)
    {
        string dir = Path.Combine(runDir, Folder);
        if (!Directory.Exists(dir)) return [];
        return [.. Directory.EnumerateFiles(dir, "step-*.ckpt").Where(f => !Path.GetFileName(f).StartsWith('.')).OrderByDescending(f => f, StringComparer.Ordinal)];
    }

    public static string? Latest(string runDir) => List(runDir).FirstOrDefault();

    /// <summary>Writes a checkpoint atomically and deletes all but the newest <paramref name="keep"/>.</summary>
    public static string Save(string runDir, CheckpointHeader header, nn.Module model, optim.Optimizer optimizer, int keep)
    {
        string final = PathFor(runDir, header.Step);
        string dir = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(final)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(Magic);
                    writer.Write(JsonSerializer.Serialize(header, DataPipeJson.Compact));
                    model.save(writer);
                    ((OptimizerHelper)optimizer).save_state_dict(writer);
                    using var rng = torch.get_rng_state();
                    rng.Save(writer);
                }
                stream.Flush();
                stream.Position = 0;
                byte[] hash = SHA256.HashData(stream);
                stream.Write(hash);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, final, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw new DataPipeException($"{final}: cannot write checkpoint ({e.Message})", e);
        }
        foreach (var old in List(runDir).Skip(keep)) File.Delete(old);
        return final;
    }

    /// <summary>Reads only the header (and checks the file's hash).</summary>
    public static CheckpointHeader ReadHeader(string path)
    {
        using var stream = OpenVerified(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadHeader(reader, path);
    }

    /// <summary>Loads parameters (and, when given, optimizer state and the random generator) into existing objects.</summary>
    public static CheckpointHeader Load(string path, nn.Module model, optim.Optimizer? optimizer)
    {
        using var stream = OpenVerified(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var header = ReadHeader(reader, path);
        try
        {
            model.load(reader);
            if (optimizer is not null)
            {
                ((OptimizerHelper)optimizer).load_state_dict(reader);
                using var rng = torch.get_rng_state();
                rng.Load(reader);
                torch.set_rng_state(rng);
            }
        }
        catch (Exception e) when (e is not DataPipeException && e is not OutOfMemoryException)
        {
            throw new DataPipeException($"{path}: checkpoint does not fit this model ({e.Message})", e);
        }
        return header;
    }

    private static CheckpointHeader ReadHeader(BinaryReader reader, string path)
    {
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw new DataPipeException($"{path}: not a DataPipe GPT checkpoint");
        try
        {
            return JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadString(), DataPipeJson.Options)
                ?? throw new DataPipeException($"{path}: empty checkpoint header");
        }
        catch (JsonException e)
        {
            throw new DataPipeException($"{path}: unreadable checkpoint header ({e.Message})", e);
        }
    }

    /// <summary>Opens a checkpoint after checking its trailing SHA-256 (streamed, never the whole file in memory).</summary>
    private static FileStream OpenVerified(string path)
    {
        if (!File.Exists(path)) throw new DataPipeException($"{path}: checkpoint not found");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        try
        {
            long body = stream.Length - 32;
            if (body < Magic.Length)
                throw new DataPipeException($"{path}: checkpoint is corrupt ({stream.Length.ToString(CultureInfo.InvariantCulture)} bytes); delete it to resume from an earlier one");
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            for (long left = body; left > 0;)
            {
                int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0) break;
                hash.AppendData(buffer, 0, n);
                left -= n;
            }
            var expected = new byte[32];
            stream.ReadExactly(expected);
            if (!hash.GetHashAndReset().AsSpan().SequenceEqual(expected))
                throw new DataPipeException($"{path}: checkpoint is corrupt (SHA-256 mismatch); delete it to resume from an earlier one");
            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
