using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Stages;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Tokenize;

/// <summary>Real documents from ../shared/data/text: WikiText-2 articles and Common Crawl pages (CCNet, Dolma).</summary>
public static partial class RealTexts
{
    /// <summary>WikiText-2 test articles (split at top-level " = Title = " headings), then every CCNet and Dolma page.</summary>
    public static IReadOnlyList<(string Id, string Text)> Documents { get; } = Load();

    private static List<(string, string)> Load()
    {
        var docs = new List<(string, string)>();
        var article = new List<string>();
        string title = "";
        foreach (var line in File.ReadLines(Repo.Shared("text/wikitext-2/test.txt")))
        {
            if (TopHeading().IsMatch(line))
            {
                Flush();
                title = line.Trim();
            }
            article.Add(line);
        }
        Flush();
        foreach (var file in new[] { "cc_en_head-0091.jsonl.gz", "cc_en_head-0174.jsonl.gz", "dolma-documents-000.json.gz" })
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(Repo.Shared($"text/ccnet/{file}")), CompressionMode.Decompress));
            while (reader.ReadLine() is { } json)
            {
                using var d = JsonDocument.Parse(json);
                var root = d.RootElement;
                string text = (root.TryGetProperty("text", out var t) ? t : root.GetProperty("raw_content")).GetString() ?? "";
                docs.Add(($"{file}:{docs.Count}:{root.GetProperty("id").GetString()}", text));
            }
        }
        return docs;

        void Flush()
        {
            if (article.Count > 0 && title.Length > 0) docs.Add(($"wikitext-2/test:{docs.Count}:{title}", string.Join("\n", article)));
            article.Clear();
        }
    }

    /// <summary>Writes <paramref name="docs"/> as a complete documents dataset (row groups of <paramref name="rowGroupRows"/>) and returns its folder.</summary>
    public static async Task<string> WriteDatasetAsync(string dir, IEnumerable<(string Id, string Text)> docs, int rowGroupRows = 16)
    {
        Directory.CreateDirectory(dir);
        long n = 0;
        await using (var w = await DocumentWriter.CreateAsync(Path.Combine(dir, DatasetFolder.PartFileName(0)), new DocumentWriterOptions { RowGroupRows = rowGroupRows }))
        {
            int i = 0;
            foreach (var (id, text) in docs)
            {
                var doc = TestDocuments.Make(i++, text);
                doc.Id = id;
                await w.WriteAsync(doc);
                n++;
            }
        }
        DatasetFolder.WriteJsonAtomic(Path.Combine(dir, DatasetFolder.SuccessFile), new SuccessRecord { Stage = "fixture", ConfigHash = $"fixture-{n}", TaskCount = 1, RowsOut = n });
        return dir;
    }

    [GeneratedRegex(@"^ = [^=].* = $")]
    private static partial Regex TopHeading();
}
