using System.Text;
using DataPipe.Core.Errors;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Train.Data;

/// <summary>
/// Token shards straight from plain-text files, for tests, benchmarks and experiments on a text corpus that did not
/// come through the pipeline: documents are the blank-line-separated blocks of each file, every
/// <c>1/valEvery</c>-th document goes to the validation split (deterministic), each document is encoded and ended
/// with end-of-text, and the manifest is written last. The pipeline's own shards come from the tokenize stage.
/// </summary>
public static class PlainTextShards
{
    public static async Task<TokenManifest> WriteAsync(IReadOnlyList<string> textFiles, string outDir, ITextTokenizer tokenizer,
        int valEvery = 10, int shards = 2, int rowGroupTokens = 1 << 16, long maxBytes = long.MaxValue, CancellationToken ct = default)
    {
        if (valEvery < 2) throw new ArgumentOutOfRangeException(nameof(valEvery), "valEvery must be >= 2");
        Directory.CreateDirectory(outDir);
        var writers = new List<TokenShardWriter>();
        var entries = new List<ShardEntry>();
        string Name(string split, int i) => $"{split}-{i:D5}.parquet";
        for (int i = 0; i < shards; i++) writers.Add(await TokenShardWriter.CreateAsync(Path.Combine(outDir, Name("train", i)), ct).ConfigureAwait(false));
        writers.Add(await TokenShardWriter.CreateAsync(Path.Combine(outDir, Name("validation", 0)), ct).ConfigureAwait(false));
        foreach (var w in writers) w.RowGroupTokens = rowGroupTokens;
        long bytes = 0;
        int doc = 0;
        try
        {
            foreach (string file in textFiles)
            {
                if (!File.Exists(file)) throw new DataPipeException($"{file}: text file not found");
                foreach (string text in Documents(File.ReadAllText(file)))
                {
                    if (bytes >= maxBytes) break;
                    bytes += Encoding.UTF8.GetByteCount(text);
                    var row = tokenizer.EncodeDocument(text);
                    var writer = doc % valEvery == valEvery - 1 ? writers[^1] : writers[doc % shards];
                    await writer.WriteAsync($"{Path.GetFileName(file)}#{doc}", row, ct).ConfigureAwait(false);
                    doc++;
                }
            }
        }
        finally
        {
            foreach (var w in writers) await w.DisposeAsync().ConfigureAwait(false);
        }
        for (int i = 0; i < writers.Count; i++)
        {
            var w = writers[i];
            bool val = i == writers.Count - 1;
            entries.Add(new ShardEntry { File = val ? Name("validation", 0) : Name("train", i), Split = val ? "validation" : "train", Rows = w.Rows, Tokens = w.TokenCount, Sha256 = w.Sha256 });
        }
        var manifest = new TokenManifest
        {
            Tokenizer = tokenizer.Identity,
            Seed = 0,
            ValFraction = 1.0 / valEvery,
            Shards = entries,
            Train = new SplitTotals { Rows = entries.Where(e => e.Split == "train").Sum(e => e.Rows), Tokens = entries.Where(e => e.Split == "train").Sum(e => e.Tokens) },
            Validation = new SplitTotals { Rows = entries[^1].Rows, Tokens = entries[^1].Tokens },
            SourceDataset = string.Join(",", textFiles.Select(Path.GetFileName)),
        };
        manifest.Save(outDir);
        return manifest;
    }

    /// <summary>Blank-line-separated blocks, trimmed, without empty ones.</summary>
    public static IEnumerable<string> Documents(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
