using DataPipe.Core.Documents;
using DataPipe.Core.Text;
using DataPipe.Dedup.Evaluation;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Dedup;

/// <summary>Small dedup inputs from real text: WikiText-2 paragraphs as documents.</summary>
internal static class DedupCorpus
{
    private static readonly Lazy<string[]> Paragraphs = new(() =>
        [.. File.ReadLines(Repo.Shared("text/wikitext-2/test.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('=') && l.Split(' ').Length >= 80)]);

    /// <summary>The i-th real paragraph of at least 80 words (distinct paragraphs are far from near-duplicates).</summary>
    public static string Paragraph(int i) => Paragraphs.Value[i];

    public static int ParagraphCount => Paragraphs.Value.Length;

    public static Document Doc(int i, string text, string? url = null, DateTime? fetch = null, float? quality = null)
    {
        var d = TestDocuments.Make(i, text);
        d.Url = url ?? $"https://site{i % 5}.example/doc/{i}";
        d.ContentHash = ContentHash.Of(text);
        if (fetch is not null) d.FetchTime = fetch.Value;
        d.QualityScore = quality;
        return d;
    }

    public static Task WriteAsync(string dir, IReadOnlyList<Document> docs, int parts = 3, int rowGroupRows = 7)
        => InputDataset.WriteAsync(dir, docs, docs.Count, parts, $"test:{docs.Count}:{docs.Sum(d => d.Text.Length)}", rowGroupRows);
}
