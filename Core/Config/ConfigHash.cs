using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataPipe.Core.Datasets;

namespace DataPipe.Core.Config;

/// <summary>
/// Short, stable hashes of configurations: SHA-256 of the options' JSON (snake_case, declaration order), first 16 hex
/// digits. A stage's hash combines its options with its inputs' identity, so a change anywhere upstream changes it.
/// </summary>
public static class ConfigHash
{
    public static string Of<T>(T options) => OfBytes(JsonSerializer.SerializeToUtf8Bytes(options, DataPipeJson.Compact));

    public static string Combine(params string[] parts) => OfBytes(Encoding.UTF8.GetBytes(string.Join("\n", parts)));

    /// <summary>The identity of a completed dataset folder: its own config hash, or an error if it is not complete.</summary>
    public static string OfDataset(string dir)
    {
        var s = DatasetFolder.ReadSuccess(dir) ?? throw new Errors.DataPipeException($"{dir}: input dataset is not complete (no {DatasetFolder.SuccessFile})");
        return s.ConfigHash;
    }

    /// <summary>The identity of an input file: path, size and modification time (not its bytes, which may be huge or remote).</summary>
    public static string OfFile(string path)
    {
        var fi = new FileInfo(path);
        return fi.Exists ? $"{fi.FullName}:{fi.Length}:{fi.LastWriteTimeUtc.Ticks}" : $"{path}:missing";
    }

    private static string OfBytes(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
}
