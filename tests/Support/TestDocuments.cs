using DataPipe.Core.Documents;
using DataPipe.Core.Text;

namespace DataPipe.Tests.Support;

/// <summary>Documents for tests that need rows but not real pages.</summary>
public static class TestDocuments
{
    public static Document Make(int i, string? text = null)
    {
        text ??= $"Document number {i}. It has a sentence or two of plain text so that it is not empty.";
        return new Document
        {
            Id = $"<urn:uuid:{new Guid(i, 0, 0, new byte[8])}>",
            Url = $"https://example{i % 7}.org/page/{i}",
            Host = $"example{i % 7}.org",
            FetchTime = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc).AddSeconds(i),
            Lang = "en",
            LangScore = 0.9f,
            Text = text,
            Source = "file:///data/sample.warc.gz",
            SourceOffset = 1000L * i,
            ContentHash = ContentHash.Of(text),
        };
    }
}
