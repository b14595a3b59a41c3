using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using DataPipe.Train;
using DataPipe.Train.Data;

namespace DataPipe.Bench.Train;

/// <summary>Shared pieces of the train benchmarks: byte-level shards of ../shared/data text, config overrides from key=value arguments, unigram entropy.</summary>
internal static class BenchShards
{
    /// <summary>The checkout's root (the folder holding DataPipe.sln).</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln"))) return d.FullName;
        throw new DirectoryNotFoundException($"DataPipe.sln not found above {AppContext.BaseDirectory}");
    }

    public static string SharedText(string relative)
    {
        string p = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data", "text", relative));
        return File.Exists(p) ? p : throw new FileNotFoundException($"{p} not found (is ../shared beside the checkout?)");
    }

    public static Task<TokenManifest> ShakespeareAsync(string dir, long maxBytes) =>
        PlainTextShards.WriteAsync([SharedText("tinyshakespeare.txt")], dir, ByteTokenizer.Instance, valEvery: 10, shards: 2, maxBytes: maxBytes);

    /// <summary>
    /// Applies <c>key=value</c> arguments (the train stage's option names, <see cref="DataPipe.Jobs.Pipeline.Kinds.TrainKind.Schema"/>)
    /// to <paramref name="config"/>; <c>bytes</c>, <c>runs</c> and <c>python</c> are the bench's own and are returned.
    /// </summary>
    public static (TrainConfig Config, Dictionary<string, string> Extra) Parse(string[] args, TrainConfig config)
    {
        var node = new YamlDotNet.RepresentationModel.YamlMappingNode();
        var rest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string a in args)
        {
            int eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"expected key=value, got '{a}'");
            string key = a[..eq].TrimStart('-').Replace('-', '_');
            if (key is "bytes" or "runs" or "python") rest[key] = a[(eq + 1)..];
            else node.Children[new YamlDotNet.RepresentationModel.YamlScalarNode(key)] = new YamlDotNet.RepresentationModel.YamlScalarNode(a[(eq + 1)..]);
        }
        var section = new DataPipe.Core.Options.YamlSection("arguments", "", node);
        var parsed = DataPipe.Jobs.Pipeline.Kinds.TrainKind.Schema.Read(section, config);
        section.EnsureNoUnknownKeys();
        return (parsed.Validate(), rest);
    }

    public static async Task<double> UnigramEntropyAsync(string shards, TokenManifest m, string split)
        => await UnigramEntropy.OfSplitAsync(shards, m, split).ConfigureAwait(false) ?? double.NaN;
}
