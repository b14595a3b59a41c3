using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Text;
using DataPipe.Tokenize.Shards;

namespace DataPipe.Fuzz.Targets;

/// <summary>
/// The readers every stage trusts with files another stage (or another engine) wrote: the documents Parquet reader,
/// the token shard reader and the token manifest. Their documented rejection is <see cref="DataPipeException"/>
/// (<see cref="DatasetSchemaException"/> for a file that is not what it claims), naming the file.
/// </summary>
public static class DatasetTargets
{
    private static readonly string[] ParquetTokens = ["PAR1", "text", "url", "host", "id", "doc_id", "tokens", "list", "element", "source_offset", "content_hash", "fetch_time", "lang_score"];

    public static FuzzTarget Documents { get; } = new()
    {
        Name = "documents-parquet",
        Parser = "DataPipe.Core.Datasets.DocumentReader.ReadAsync",
        Parse = data =>
        {
            string path = Scratch.Write("documents.parquet", data);
            Drain(DocumentReader.ReadAsync(path));
        },
        IsDocumentedError = e => e is DataPipeException,
        Seeds = DocumentSeeds,
        Instrument = ["DataPipe.Core", "Parquet"],
        Dictionary = ParquetTokens,
    };

    public static FuzzTarget TokenShard { get; } = new()
    {
        Name = "token-shard",
        Parser = "DataPipe.Tokenize.Shards.TokenShardReader.ReadAsync",
        Parse = data =>
        {
            string path = Scratch.Write("tokens.parquet", data);
            Drain(TokenShardReader.ReadAsync(path));
        },
        IsDocumentedError = e => e is DataPipeException,
        Seeds = TokenShardSeeds,
        Instrument = ["DataPipe.Core", "DataPipe.Tokenize", "Parquet"],
        Dictionary = ParquetTokens,
    };

    public static FuzzTarget TokenManifestJson { get; } = new()
    {
        Name = "token-manifest",
        Parser = "DataPipe.Tokenize.Shards.TokenManifest.Load",
        Parse = data =>
        {
            Scratch.Write(TokenManifest.FileName, data);
            TokenManifest.Load(Scratch.Folder);
        },
        IsDocumentedError = e => e is DataPipeException,
        Seeds = ManifestSeeds,
        Instrument = ["DataPipe.Core", "DataPipe.Tokenize"],
        Dictionary = ["\"format\"", "\"datapipe.tokens/1\"", "\"shards\"", "\"tokenizer\"", "null", "[]", "{}", "\"rows\"", "1e999", "\\u0000"],
    };

    private static void Drain<T>(IAsyncEnumerable<T> rows)
    {
        var e = rows.GetAsyncEnumerator();
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) { }
        }
        finally
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static Document Doc(int i, string text) => new()
    {
        Id = $"<urn:uuid:{new Guid(i, 0, 0, new byte[8])}>",
        Url = $"https://example.org/{i}",
        Host = "example.org",
        FetchTime = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc).AddSeconds(i),
        Lang = "en",
        LangScore = 0.75f,
        Text = text,
        Source = "file:///data/sample.warc.gz",
        SourceOffset = 977L * i,
        ContentHash = ContentHash.Of(text),
        QualityScore = i % 2 == 0 ? 0.5f : null,
        DupCluster = i % 3 == 0 ? i : null,
    };

    private static IReadOnlyList<FuzzSeed> DocumentSeeds()
    {
        var seeds = new List<FuzzSeed>();
        string dir = Scratch.NewFolder("document-seeds");
        (string Name, string[] Texts, int RowGroupRows)[] shapes =
        [
            ("one-row", ["A short document."], 1000),
            ("three-rows", ["First paragraph.\n\nSecond.", "", "Ünïcödé — 日本語のテキスト"], 1000),
            ("row-groups", ["alpha", "beta", "gamma", "delta"], 2),
        ];
        foreach (var (name, texts, rowGroupRows) in shapes)
        {
            string path = Path.Combine(dir, name + ".parquet");
            var writer = DocumentWriter.CreateAsync(path, DocumentWriterOptions.Default with { RowGroupRows = rowGroupRows }).GetAwaiter().GetResult();
            for (int i = 0; i < texts.Length; i++) writer.WriteAsync(Doc(i, texts[i])).AsTask().GetAwaiter().GetResult();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            seeds.Add(new FuzzSeed(name, File.ReadAllBytes(path)));
        }
        Directory.Delete(dir, recursive: true);
        return seeds;
    }

    private static IReadOnlyList<FuzzSeed> TokenShardSeeds()
    {
        var seeds = new List<FuzzSeed>();
        string dir = Scratch.NewFolder("shard-seeds");
        (string Name, int[][] Rows, int RowGroupTokens)[] shapes =
        [
            ("one-row", [[1, 2, 3, 50_256]], 1 << 20),
            ("short-and-long", [[50_256], [.. Enumerable.Range(0, 300)], [7, 50_256]], 1 << 20),
            ("row-groups", [[1, 2], [3, 4], [5, 6], [7, 8]], 3),
        ];
        foreach (var (name, rows, rowGroupTokens) in shapes)
        {
            string path = Path.Combine(dir, name + ".parquet");
            var writer = TokenShardWriter.CreateAsync(path).GetAwaiter().GetResult();
            writer.RowGroupTokens = rowGroupTokens;
            for (int i = 0; i < rows.Length; i++) writer.WriteAsync($"doc-{i}", rows[i]).AsTask().GetAwaiter().GetResult();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            seeds.Add(new FuzzSeed(name, File.ReadAllBytes(path)));
        }
        Directory.Delete(dir, recursive: true);
        return seeds;
    }

    private static IReadOnlyList<FuzzSeed> ManifestSeeds()
    {
        string dir = Scratch.NewFolder("manifest-seeds");
        var manifest = new TokenManifest
        {
            Tokenizer = new TokenizerIdentity { Kind = "tiktoken", Name = "gpt2", VocabHash = new string('a', 64), VocabSize = 50_257, EotId = 50_256 },
            Seed = 42,
            ValFraction = 0.01,
            Shards =
            [
                new ShardEntry { File = "train-00000.parquet", Split = "train", Rows = 10, Tokens = 1000, Sha256 = new string('b', 64) },
                new ShardEntry { File = "val-00000.parquet", Split = "validation", Rows = 1, Tokens = 90, Sha256 = new string('c', 64) },
            ],
            Train = new SplitTotals { Rows = 10, Tokens = 1000 },
            Validation = new SplitTotals { Rows = 1, Tokens = 90 },
            SourceDataset = "out/dedup",
            SourceConfigHash = "0123456789abcdef",
        };
        manifest.Save(dir);
        var full = File.ReadAllBytes(Path.Combine(dir, TokenManifest.FileName));
        Directory.Delete(dir, recursive: true);
        return [new FuzzSeed("full", full), new FuzzSeed("minimal", "{\"format\":\"datapipe.tokens/1\"}"u8.ToArray())];
    }
}
