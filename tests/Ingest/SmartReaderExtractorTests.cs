using DataPipe.Ingest.Extraction;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Ingest;

public class SmartReaderExtractorTests
{
    [Fact]
    public void Extracts_the_article_of_a_real_page_as_paragraphs_without_the_navigation()
    {
        string dir = Repo.Shared("html-extraction/pages/001");
        string html = File.ReadAllText(Path.Combine(dir, "source.html"));
        var extractor = ExtractorCatalog.Create("smartreader");
        Assert.Equal("smartreader", extractor.Name);
        string text = extractor.Extract(html, "http://fakehost/test/page.html");
        string reference = ExtractionEvaluation.ReferenceText(File.ReadAllText(Path.Combine(dir, "expected.html")));
        var score = ExtractionScore.Compute(text, reference);
        Assert.True(score.F1 > 0.8, $"F1 {score.F1}");
        Assert.Contains("\n\n", text);
        Assert.DoesNotContain("\n\n\n", text);
    }

    [Fact]
    public void Pages_without_text_give_empty_text_without_throwing()
    {
        var extractor = new SmartReaderExtractor();
        Assert.Equal("", extractor.Extract(""));
        Assert.Equal("", extractor.Extract("<html><body><script>document.write('x')</script><div <p</body>"));
        Assert.Equal("", extractor.Extract("<html><head><title>t</title></head><body></body></html>"));
    }
}
