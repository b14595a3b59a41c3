using System.Diagnostics;
using DataPipe.Core.Config;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Tokenize.Bpe;

namespace DataPipe.Tokenize.Stages;

/// <summary>Options of <see cref="TrainBpeStage"/>, as plain data.</summary>
public sealed record TrainBpeOptions
{
    /// <summary>A completed documents dataset folder, a text file, or a folder of <c>*.txt</c> files.</summary>
    public string Input { get; init; } = "";

    /// <summary>Total vocabulary including the 256 bytes and end-of-text.</summary>
    public int VocabSize { get; init; } = 8192;

    /// <summary>Pairs seen fewer times are never merged.</summary>
    public long MinPairCount { get; init; } = 2;

    /// <summary>Threads that pre-tokenize and count (does not change the result).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// Learns a byte-level BPE from a corpus with <see cref="BpeTrainer"/> and writes it as <c>vocab.json</c> +
/// <c>merges.txt</c> into the stage folder, which <c>bpe:DIR</c> then names. One task (BPE merges are one global
/// sequence); the corpus is streamed once, counting pre-tokenized words in parallel. Counters: characters read,
/// word occurrences, distinct words, merges learned.
/// </summary>
public sealed class TrainBpeStage : IStage
{
    private const int BatchChars = 4 << 20;

    private readonly TrainBpeOptions _options;
    private readonly string _input;

    public TrainBpeStage(TrainBpeOptions options)
    {
        if (options.VocabSize < 257) throw new DataPipeException($"vocabulary size {options.VocabSize} is too small: 256 bytes + end-of-text need 257");
        _options = options;
        _input = Path.GetFullPath(options.Input);
        ConfigHash = Core.Config.ConfigHash.Combine(Name, Core.Config.ConfigHash.Of(options with { Input = "", Threads = 0 }), InputIdentity());
    }

    public string Name => "train-bpe";

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => null;

    public async Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        if (IsDataset)
        {
            long rows = 0;
            foreach (var part in DatasetFolder.RequireCompleteParts(_input)) rows += await DocumentReader.CountRowsAsync(part, ct).ConfigureAwait(false);
            if (rows == 0) throw new DataPipeException($"{_input}: the input dataset has no documents; there is no text to train the tokenizer on");
            return new StagePlan(1, rows, "docs");
        }
        long bytes = TextFiles().Sum(f => new FileInfo(f).Length);
        if (bytes == 0) throw new DataPipeException($"{_input}: the input is empty; there is no text to train the tokenizer on");
        return new StagePlan(1, bytes, "bytes");
    }

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var trainer = new BpeTrainer(new BpeTrainerOptions { VocabSize = _options.VocabSize, MinPairCount = _options.MinPairCount, Threads = _options.Threads });
        var batch = new List<string>();
        long batchChars = 0;
        var clock = Stopwatch.StartNew();
        if (IsDataset)
        {
            foreach (var part in DatasetFolder.RequireCompleteParts(_input))
            {
                ctx.AddInput(part);
                await foreach (var doc in DocumentReader.ReadAsync(part, ct).ConfigureAwait(false))
                {
                    ctx.AddRowsIn();
                    ctx.Progress.Advance(1);
                    Add(doc.Text);
                }
            }
        }
        else
        {
            foreach (var file in TextFiles())
            {
                ctx.AddInput(file);
                using var reader = new StreamReader(file);
                // Lines are kept whole (a word never straddles two batches); each file counts as one input row.
                var chunk = new System.Text.StringBuilder();
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    chunk.Append(line).Append('\n');
                    ctx.Progress.Advance(line.Length + 1);
                    if (chunk.Length >= 1 << 16)
                    {
                        Add(chunk.ToString());
                        chunk.Clear();
                    }
                }
                if (chunk.Length > 0) Add(chunk.ToString());
                ctx.AddRowsIn();
            }
        }
        Flush();
        ctx.Log($"counted {trainer.WordOccurrences} words ({trainer.DistinctWords} distinct) in {trainer.Chars} chars, {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();
        var vocabulary = trainer.Train();
        ctx.Log($"learned {vocabulary.Merges.Count} merges in {clock.Elapsed.TotalSeconds:F1} s");

        // Both files go to the task's temp folder first and are renamed into place together when the task commits.
        string vocabTemp = ctx.CreateOutput(BpeVocabulary.VocabFile), mergesTemp = ctx.CreateOutput(BpeVocabulary.MergesFile);
        string staging = Path.Combine(ctx.TempDir, "bpe");
        vocabulary.Save(staging);
        File.Move(Path.Combine(staging, BpeVocabulary.VocabFile), vocabTemp, overwrite: true);
        File.Move(Path.Combine(staging, BpeVocabulary.MergesFile), mergesTemp, overwrite: true);
        ctx.Counters.Increment("chars", trainer.Chars);
        ctx.Counters.Increment("words", trainer.WordOccurrences);
        ctx.Counters.Increment("words.distinct", trainer.DistinctWords);
        ctx.Counters.Increment("merges", vocabulary.Merges.Count);
        ctx.Counters.Increment("vocab_size", vocabulary.Size);
        ctx.AddRowsOut(vocabulary.Size);

        void Add(string text)
        {
            if (text.Length == 0) return;
            batch.Add(text);
            batchChars += text.Length;
            if (batchChars >= BatchChars) Flush();
        }

        void Flush()
        {
            if (batch.Count == 0) return;
            trainer.Count(batch);
            batch.Clear();
            batchChars = 0;
        }
    }

    private bool IsDataset => Directory.Exists(_input) && File.Exists(Path.Combine(_input, DatasetFolder.SuccessFile));

    private IReadOnlyList<string> TextFiles()
    {
        if (File.Exists(_input)) return [_input];
        if (!Directory.Exists(_input)) throw new DataPipeException($"{_input}: input not found (a documents dataset folder, a text file, or a folder of .txt files)");
        var files = Directory.EnumerateFiles(_input, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DataPipeException($"{_input}: neither a completed documents dataset ({DatasetFolder.SuccessFile}) nor a folder holding .txt files");
        return files;
    }

    private string InputIdentity() => IsDataset
        ? Core.Config.ConfigHash.OfDataset(_input)
        : string.Join("\n", TextFiles().Select(Core.Config.ConfigHash.OfFile));
}
