using System.Diagnostics;
using System.Text;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Train.Checkpoints;
using DataPipe.Train.Data;
using DataPipe.Train.Metrics;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Train.Compression;

/// <summary>One compressor's result on the raw stream.</summary>
public sealed record CompressorResult(string Name, long Bytes, double Ratio, double BitsPerByte);

/// <summary><c>compression.json</c>: the numbers of a <see cref="CompressionReport"/>.</summary>
public sealed record CompressionResult
{
    /// <summary>Optimizer steps whose batches were all seen for the first time (the prequential stream).</summary>
    public int Steps { get; init; }
    public long Tokens { get; init; }
    /// <summary>UTF-8 bytes of the text those tokens decode to (each end-of-text counted as one newline byte).</summary>
    public long RawBytes { get; init; }
    /// <summary>Σ over steps of the pre-update loss (nats/token) × tokens, in bits: the model's code for the stream.</summary>
    public double CodeLengthBits { get; init; }
    /// <summary>xz -9 size of the source files that define the model and the training loop, plus the run's config.</summary>
    public long ModelCodeBytes { get; init; }
    /// <summary>Code length in bytes plus <see cref="ModelCodeBytes"/>: the total description length.</summary>
    public double TotalBytes { get; init; }
    public double Ratio { get; init; }
    public double BitsPerByte { get; init; }
    public IReadOnlyList<CompressorResult> Baselines { get; init; } = [];
    public IReadOnlyList<string> CodeFiles { get; init; } = [];
}

/// <summary>
/// Rae's "compression for AGI" argument (OpenAI, 2023; Blier &amp; Ollivier 2018 "The description length of deep
/// learning models"): a model trained online on a stream is a lossless compressor of it. Each batch is coded with the
/// model as it was before the update on that batch (arithmetic coding reaches −log₂ p within a couple of bits), so the
/// code length is the area under the training loss curve, Σ loss_before_update · tokens / ln 2, over the part of the
/// stream seen once; the decoder rebuilds the same model from the same code and config, so their compressed size is
/// added. The ratio is against the raw UTF-8 bytes of the same stream, which are also given to gzip -9, xz -9 and
/// zstd -19 in the same run. The trainer logs the pre-update loss at every step, so no second pass over the model is
/// needed; the stream's text is rebuilt by replaying the run's seeded loader.
/// </summary>
public static class CompressionReport
{
    public const string FileName = "compression.json";

    /// <summary>The compressors the report compares with, as command lines reading stdin and writing stdout.</summary>
    public static readonly IReadOnlyList<(string Name, string File, string[] Args, string DebianPackage)> Compressors =
    [
        ("gzip -9", "gzip", ["-9", "-c"], "gzip"),
        ("xz -9", "xz", ["-9", "-c", "-T1"], "xz-utils"),
        ("zstd -19", "zstd", ["-19", "-c", "-q"], "zstd"),
    ];

    public static async Task<CompressionResult> RunAsync(string runDir, string? dataOverride = null, CancellationToken ct = default)
    {
        runDir = Path.GetFullPath(runDir);
        string checkpoint = Checkpoint.Latest(runDir) ?? throw new DataPipeException($"{runDir}: no checkpoint; is this a train run folder?");
        var header = Checkpoint.ReadHeader(checkpoint);
        var config = header.Config;
        string data = dataOverride ?? header.Data;
        var manifest = TokenManifest.Load(data);
        if (manifest.Tokenizer.VocabHash != header.Tokenizer.VocabHash)
            throw new DataPipeException($"{data}: holds tokenizer '{manifest.Tokenizer.Name}', but {checkpoint} was trained with '{header.Tokenizer.Name}'");
        var tokenizer = TokenizerCatalog.ForShards(data, manifest);

        var (steps, _) = MetricsLog.Read(runDir);
        if (steps.Count == 0) throw new DataPipeException($"{Path.Combine(runDir, MetricsLog.FileName)}: no step rows");
        for (int i = 0; i < steps.Count; i++)
            if (steps[i].Step != i + 1) throw new DataPipeException($"{Path.Combine(runDir, MetricsLog.FileName)}: step rows are not 1..N (row {i + 1} is step {steps[i].Step})");
        // Only batches seen for the first time are part of a prequential code; later epochs repeat the stream.
        var fresh = steps.TakeWhile(s => s.Epoch == 0).ToList();
        if (fresh.Count == 0) throw new DataPipeException($"{runDir}: the first step already repeats data; nothing to report");
        double codeBits = fresh.Sum(s => s.LossBeforeUpdate * s.BatchTokens) / Math.Log(2);
        long tokens = fresh.Sum(s => s.BatchTokens);

        string streamFile = Path.Combine(runDir, $".stream-{Guid.NewGuid():N}.tmp");
        try
        {
            long rawBytes = await WriteStreamAsync(streamFile, data, manifest, tokenizer, config, header.Vocab, tokens, ct).ConfigureAwait(false);
            var baselines = new List<CompressorResult>();
            foreach (var (name, file, args, package) in Compressors)
            {
                long size = await CompressedSizeAsync(file, args, package, streamFile, ct).ConfigureAwait(false);
                baselines.Add(new CompressorResult(name, size, (double)rawBytes / size, size * 8.0 / rawBytes));
            }
            var (codeFiles, codeBytes) = await ModelCodeSizeAsync(runDir, streamFile + ".code", ct).ConfigureAwait(false);
            double total = codeBits / 8 + codeBytes;
            var result = new CompressionResult
            {
                Steps = fresh.Count,
                Tokens = tokens,
                RawBytes = rawBytes,
                CodeLengthBits = codeBits,
                ModelCodeBytes = codeBytes,
                TotalBytes = total,
                Ratio = rawBytes / total,
                BitsPerByte = total * 8 / rawBytes,
                Baselines = baselines,
                CodeFiles = codeFiles,
            };
            DatasetFolder.WriteJsonAtomic(Path.Combine(runDir, FileName), result);
            return result;
        }
        finally
        {
            File.Delete(streamFile);
            File.Delete(streamFile + ".code");
        }
    }

    /// <summary>
    /// Replays the run's training loader for <paramref name="tokens"/> predicted tokens and writes the text they decode
    /// to: documents decoded whole (so multi-byte characters split across tokens come out right), each end-of-text as
    /// one newline. Returns the bytes written.
    /// </summary>
    public static async Task<long> WriteStreamAsync(string path, string data, TokenManifest manifest, ITextTokenizer tokenizer, TrainConfig config, int vocab, long tokens, CancellationToken ct)
    {
        var options = new BatchLoaderOptions("train", config.Batch, config.Context, vocab, config.Seed);
        await using var loader = await BatchLoader.OpenAsync(data, manifest, options, null, ct).ConfigureAwait(false);
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        var document = new List<int>();
        long left = tokens, written = 0;
        byte[] newline = [(byte)'\n'];
        while (left > 0)
        {
            var batch = await loader.NextAsync(ct).ConfigureAwait(false) ?? throw new DataPipeException($"{data}: the training split ended before the run's {tokens} tokens");
            int take = (int)Math.Min(left, batch.Tokens);
            for (int i = 0; i < take; i++)
            {
                int t = (int)batch.Targets[i];
                if (t == tokenizer.EotId)
                {
                    written += await FlushAsync(output, tokenizer, document, ct).ConfigureAwait(false);
                    await output.WriteAsync(newline, ct).ConfigureAwait(false);
                    written++;
                }
                else
                {
                    document.Add(t);
                }
            }
            left -= take;
        }
        written += await FlushAsync(output, tokenizer, document, ct).ConfigureAwait(false);
        return written;
    }

    private static async Task<long> FlushAsync(Stream output, ITextTokenizer tokenizer, List<int> document, CancellationToken ct)
    {
        if (document.Count == 0) return 0;
        var bytes = Encoding.UTF8.GetBytes(tokenizer.Decode(document.ToArray()));
        document.Clear();
        await output.WriteAsync(bytes, ct).ConfigureAwait(false);
        return bytes.Length;
    }

    /// <summary>Size of the compressor's output for the file (the tool reads the file on stdin; output is counted, not kept).</summary>
    public static async Task<long> CompressedSizeAsync(string file, string[] args, string package, string input, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new DataPipeException($"{file}: could not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DataPipeException($"{file}: not installed (Debian package '{package}')", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var count = Task.Run(async () =>
            {
                var buffer = new byte[1 << 16];
                long n = 0;
                int r;
                while ((r = await process.StandardOutput.BaseStream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0) n += r;
                return n;
            }, ct);
            await using (var source = File.OpenRead(input))
                await source.CopyToAsync(process.StandardInput.BaseStream, ct).ConfigureAwait(false);
            process.StandardInput.Close();
            long size = await count.ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0) throw new DataPipeException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
            return size;
        }
    }

    /// <summary>
    /// The xz -9 size of what a decoder needs besides the code stream: the source files of the model, loader, schedule
    /// and trainer (embedded in this assembly at build time) and the run's <c>train.yaml</c>.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Files, long Bytes)> ModelCodeSizeAsync(string runDir, string scratch, CancellationToken ct)
    {
        var assembly = typeof(CompressionReport).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith("source/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) throw new InvalidOperationException("the training source files are not embedded in DataPipe.Train");
        await using (var output = new FileStream(scratch, FileMode.Create, FileAccess.Write))
        {
            foreach (string name in names)
            {
                await using var s = assembly.GetManifestResourceStream(name)!;
                await output.WriteAsync(Encoding.UTF8.GetBytes($"--- {name}\n"), ct).ConfigureAwait(false);
                await s.CopyToAsync(output, ct).ConfigureAwait(false);
            }
            string yaml = Path.Combine(runDir, GptTrainer.ConfigFile);
            if (File.Exists(yaml))
            {
                names.Add(GptTrainer.ConfigFile);
                await output.WriteAsync(Encoding.UTF8.GetBytes($"--- {GptTrainer.ConfigFile}\n"), ct).ConfigureAwait(false);
                await output.WriteAsync(await File.ReadAllBytesAsync(yaml, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }
        }
        var xz = Compressors.Single(c => c.File == "xz");
        return (names, await CompressedSizeAsync(xz.File, xz.Args, xz.DebianPackage, scratch, ct).ConfigureAwait(false));
    }
}
