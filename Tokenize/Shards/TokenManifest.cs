using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;

namespace DataPipe.Tokenize.Shards;

/// <summary>
/// <c>manifest.json</c> of a token shard folder (docs/architecture.md, "Datasets"): the tokenizer's identity, every shard with its
/// split, rows, tokens and SHA-256, the totals, and the seed and validation fraction of the split. Train refuses shards
/// whose tokenizer hash differs from its checkpoint's.
/// </summary>
public sealed record TokenManifest
{
    public const string FileName = "manifest.json";
    public const string CurrentFormat = "datapipe.tokens/1";

    public string Format { get; init; } = CurrentFormat;
    public TokenizerIdentity Tokenizer { get; init; } = new();
    public long Seed { get; init; }
    public double ValFraction { get; init; }
    public IReadOnlyList<ShardEntry> Shards { get; init; } = [];
    public SplitTotals Train { get; init; } = new();
    public SplitTotals Validation { get; init; } = new();

    /// <summary>The documents dataset the shards were made from, and its config hash.</summary>
    public string SourceDataset { get; init; } = "";
    public string SourceConfigHash { get; init; } = "";

    public IEnumerable<ShardEntry> ShardsOf(string split) => Shards.Where(s => s.Split == split);

    public static TokenManifest Load(string dir)
    {
        string path = Path.Combine(dir, FileName);
        var m = DatasetFolder.ReadJson<TokenManifest>(path) ?? throw new DataPipeException($"{path}: token manifest not found");
        if (m.Format != CurrentFormat) throw new DataPipeException($"{path}: unknown format '{m.Format}', expected '{CurrentFormat}'");
        return m;
    }

    public void Save(string dir) => DatasetFolder.WriteJsonAtomic(Path.Combine(dir, FileName), this);
}

/// <summary>Which tokenizer made the shards: kind ("tiktoken" or "bpe"), name, SHA-256 of its vocabulary, size, end-of-text id.</summary>
public sealed record TokenizerIdentity
{
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string VocabHash { get; init; } = "";
    public int VocabSize { get; init; }
    public int EotId { get; init; }
}

/// <summary>One shard file, relative to the manifest's folder.</summary>
public sealed record ShardEntry
{
    public string File { get; init; } = "";
    public string Split { get; init; } = "train";
    public long Rows { get; init; }
    public long Tokens { get; init; }
    public string Sha256 { get; init; } = "";
}

public sealed record SplitTotals
{
    public long Rows { get; init; }
    public long Tokens { get; init; }
}
