using System.IO.Compression;
using System.Text.Json;
using DataPipe.Core.Datasets;

namespace DataPipe.Bench.Tokenize;

/// <summary>
/// Real documents for the tokenizer benchmarks: WikiText-2 test and validation articles, Tiny Shakespeare speeches
/// (blank-line separated), the CCNet and Dolma Common Crawl pages of ../shared/data/text, and every document of the
/// documents datasets passed with <c>--docs DIR</c> (for example the ingested sample, out/sample/ingest).
/// </summary>
internal static class TokenizeBenchCorpus
{
    public static List<(string Id, string Text)> Load(string[] args)
    {
        string text = Path.Combine(SharedData(args), "text");
        var docs = new List<(string, string)>();
        foreach (var split in new[] { "test", "valid" })
        {
            var article = new List<string>();
            foreach (var line in File.ReadLines(Path.Combine(text, "wikitext-2", $"{split}.txt")))
            {
                if (line.StartsWith(" = ", StringComparison.Ordinal) && !line.StartsWith(" = =", StringComparison.Ordinal) && article.Count > 0)
                {
                    docs.Add(($"wikitext-2/{split}:{docs.Count}", string.Join("\n", article)));
                    article.Clear();
                }
                article.Add(line);
            }
            if (article.Count > 0) docs.Add(($"wikitext-2/{split}:{docs.Count}", string.Join("\n", article)));
        }
        foreach (var speech in File.ReadAllText(Path.Combine(text, "tinyshakespeare.txt")).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            docs.Add(($"tinyshakespeare:{docs.Count}", speech));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(text, "ccnet"), "*.gz").Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
            while (reader.ReadLine() is { } json)
            {
                using var d = JsonDocument.Parse(json);
                docs.Add(($"{Path.GetFileName(file)}:{docs.Count}", d.RootElement.GetProperty("text").GetString() ?? ""));
            }
        }
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] != "--docs") continue;
            foreach (var part in DatasetFolder.RequireCompleteParts(args[i + 1]))
                foreach (var doc in DocumentReader.ReadAsync(part).ToBlockingEnumerable())
                    docs.Add((doc.Id, doc.Text));
        }
        return docs;
    }

    public static string SharedData(string[] args)
    {
        for (int i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--shared") return args[i + 1];
        string candidate = Path.Combine(RepoRoot(), "..", "shared", "data");
        if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        throw new DirectoryNotFoundException("../shared/data not found beside the checkout; pass --shared DIR");
    }

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln"))) return d.FullName;
        throw new DirectoryNotFoundException($"DataPipe.sln not found above {AppContext.BaseDirectory}");
    }

    public static string? Option(string[] args, string name)
    {
        for (int i = 0; i + 1 < args.Length; i++)
            if (args[i] == name) return args[i + 1];
        return null;
    }
}
