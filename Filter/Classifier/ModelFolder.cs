using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;

namespace DataPipe.Filter.Classifier;

/// <summary>
/// A trained classifier on disk, readable without TorchSharp:
/// <code>
/// DIR/model.json          format, version, feature settings, hidden size, threshold, training summary
/// DIR/weights.bin         "DPQCW001", int32 buckets, int32 dim, int32 hidden, then float32 little-endian:
///                         table[buckets*dim], hidden bias[hidden], output weights[hidden], output bias
/// DIR/report.json         held-out AUC, precision/recall at the threshold, score histograms
/// DIR/score-histogram.png the held-out score histograms of positives and negatives
/// </code>
/// The folder is written under a temporary name beside the target and renamed when complete, so a failed training
/// never leaves a half-written model behind.
/// </summary>
public static class ModelFolder
{
    public const string InfoFile = "model.json";
    public const string WeightsFile = "weights.bin";
    public const string ReportFile = "report.json";
    public const string HistogramFile = "score-histogram.png";
    private static readonly byte[] Magic = "DPQCW001"u8.ToArray();

    /// <summary>
    /// Writes a complete model folder at <paramref name="dir"/>, replacing an existing one. <paramref name="extra"/>
    /// may write more files into the temporary folder before it is renamed (the report and its picture).
    /// </summary>
    public static void Save(string dir, ClassifierModelInfo info, ClassifierWeights weights, Action<string>? extra = null)
    {
        string full = Path.GetFullPath(dir);
        string parent = Path.GetDirectoryName(full)!;
        string tmp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(tmp);
            File.WriteAllBytes(Path.Combine(tmp, InfoFile), JsonSerializer.SerializeToUtf8Bytes(info, DataPipeJson.Options));
            using (var fs = new FileStream(Path.Combine(tmp, WeightsFile), FileMode.CreateNew, FileAccess.Write))
            {
                WriteWeights(fs, weights);
                fs.Flush(flushToDisk: true);
            }
            extra?.Invoke(tmp);
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(tmp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new DataPipeException($"{full}: cannot write the model folder ({e.Message})", e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Reads a model folder; a missing or incompatible one is an error naming the file and what is wrong.</summary>
    public static (ClassifierModelInfo Info, ClassifierWeights Weights) Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DataPipeException($"{dir}: classifier model folder not found");
        string infoPath = Path.Combine(dir, InfoFile);
        if (!File.Exists(infoPath)) throw new DataPipeException($"{infoPath}: missing; {dir} is not a classifier model folder (train one with `datapipe filter train-classifier`)");
        ClassifierModelInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<ClassifierModelInfo>(File.ReadAllBytes(infoPath), DataPipeJson.Options);
        }
        catch (JsonException e)
        {
            throw new DataPipeException($"{infoPath}: not a valid model description ({e.Message})");
        }
        if (info is null || info.Format != ClassifierModelInfo.FormatName)
            throw new DataPipeException($"{infoPath}: format is '{info?.Format}', expected '{ClassifierModelInfo.FormatName}'");
        if (info.Version != ClassifierModelInfo.CurrentVersion)
            throw new DataPipeException($"{infoPath}: model version {info.Version} is not supported (this build reads version {ClassifierModelInfo.CurrentVersion})");
        info.Features.Validate(infoPath);
        if (info.Hidden < 0) throw new DataPipeException($"{infoPath}: hidden must be >= 0, is {info.Hidden}");

        string weightsPath = Path.Combine(dir, WeightsFile);
        if (!File.Exists(weightsPath)) throw new DataPipeException($"{weightsPath}: missing weights file");
        using var fs = File.OpenRead(weightsPath);
        return (info, ReadWeights(fs, weightsPath, info));
    }

    private static void WriteWeights(Stream s, ClassifierWeights w)
    {
        Span<byte> head = stackalloc byte[8 + 12];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteInt32LittleEndian(head[8..], w.Buckets);
        BinaryPrimitives.WriteInt32LittleEndian(head[12..], w.Dim);
        BinaryPrimitives.WriteInt32LittleEndian(head[16..], w.Hidden);
        s.Write(head);
        WriteFloats(s, w.Table);
        WriteFloats(s, w.HiddenBias);
        WriteFloats(s, w.Output);
        WriteFloats(s, [w.OutputBias]);
    }

    private static ClassifierWeights ReadWeights(Stream s, string path, ClassifierModelInfo info)
    {
        Span<byte> head = stackalloc byte[20];
        if (s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) != head.Length || !head[..8].SequenceEqual(Magic))
            throw new DataPipeException($"{path}: not a DataPipe classifier weights file (bad header)");
        int buckets = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        int dim = BinaryPrimitives.ReadInt32LittleEndian(head[12..]);
        int hidden = BinaryPrimitives.ReadInt32LittleEndian(head[16..]);
        if (buckets != info.Features.Buckets || hidden != info.Hidden || dim != (hidden == 0 ? 1 : hidden))
            throw new DataPipeException($"{path}: weights are for {buckets} buckets x {dim} (hidden {hidden}), but model.json says {info.Features.Buckets} buckets, hidden {info.Hidden}");
        long expected = 20 + 4L * ((long)buckets * dim + 2L * hidden + 1);
        if (s.Length != expected) throw new DataPipeException($"{path}: size is {s.Length} bytes, expected {expected}; the file is truncated or from another model");
        var table = ReadFloats(s, checked(buckets * dim));
        var hiddenBias = ReadFloats(s, hidden);
        var output = ReadFloats(s, hidden);
        float bias = ReadFloats(s, 1)[0];
        return new ClassifierWeights(buckets, hidden, table, hiddenBias, output, bias);
    }

    private static void WriteFloats(Stream s, float[] values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("weights files are little-endian");
        s.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(Stream s, int count)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("weights files are little-endian");
        var values = new float[count];
        s.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
