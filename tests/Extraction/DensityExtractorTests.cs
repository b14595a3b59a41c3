using DataPipe.Ingest.Extraction;

namespace DataPipe.Tests.Extraction;

public class DensityExtractorTests
{
    private static readonly string Article = string.Join("\n", Enumerable.Range(1, 6).Select(i =>
        $"<p>Paragraph {i} of the story explains, in some detail, how the river changed its course after the flood of the spring, and why the village moved.</p>"));

    private static string Page(string body) => $"<html><head><title>River</title></head><body>{body}</body></html>";

    [Fact]
    public void Article_paragraphs_are_kept_and_separated_by_blank_lines()
    {
        string text = new DensityExtractor().Extract(Page($"<article>{Article}</article>"));
        var paragraphs = text.Split("\n\n");
        Assert.Equal(6, paragraphs.Length);
        Assert.StartsWith("Paragraph 1 of the story", paragraphs[0]);
        Assert.EndsWith("why the village moved.", paragraphs[5]);
    }

    [Fact]
    public void Navigation_footer_sidebar_comments_and_scripts_are_removed()
    {
        string html = Page(
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>" +
            "<div id='sidebar'><p>Sidebar teaser text that is long enough to be a paragraph, with commas, many, many.</p></div>" +
            $"<div class='content'>{Article}<script>var tracking = 'SCRIPTTEXT';</script><style>.x{{color:red}}</style></div>" +
            "<div class='comments'><p>COMMENTTEXT: I disagree with this article, strongly, and at length, for reasons.</p></div>" +
            "<footer>Copyright FOOTERTEXT</footer>");
        string text = new DensityExtractor().Extract(html);
        Assert.Contains("Paragraph 3 of the story", text);
        foreach (var junk in new[] { "Home", "Sidebar", "SCRIPTTEXT", "color:red", "COMMENTTEXT", "FOOTERTEXT" })
            Assert.DoesNotContain(junk, text);
    }

    [Fact]
    public void Empty_and_binary_input_give_empty_text()
    {
        var x = new DensityExtractor();
        Assert.Equal("", x.Extract(""));
        Assert.Equal("", x.Extract("\0\u0001\u0002PNG\0\0\u0003binary"));
        Assert.Equal("", x.Extract("<html><body></body></html>"));
    }
}
