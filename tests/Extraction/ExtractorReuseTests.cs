using System.Text;
using DataPipe.Ingest.Charset;
using DataPipe.Ingest.Extraction;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Extraction;

/// <summary>
/// Ingest reuses one parse tree, one set of scoring arrays and one decoded-HTML buffer per thread from page to page.
/// Whatever the order of pages, each must come out exactly as it does from a fresh parse.
/// </summary>
public class ExtractorReuseTests
{
    private static List<string> Pages() =>
        [.. ExtractionEvaluation.PageFolders(Repo.Shared("html-extraction")).Select(p => File.ReadAllText(Path.Combine(p, ExtractionEvaluation.SourceFile)))];

    [Fact]
    public void Reused_workspace_gives_the_same_text_as_a_fresh_parse_for_every_page_in_any_order()
    {
        var pages = Pages();
        var fresh = pages.Select(p => DensityExtractor.Extract(LiteHtmlParser.Parse(p))).ToList();
        var extractor = new DensityExtractor();
        // Forward, then backward (large pages followed by small ones and the reverse), then each page twice in a row.
        for (int i = 0; i < pages.Count; i++) Assert.Equal(fresh[i], extractor.Extract(pages[i]));
        for (int i = pages.Count - 1; i >= 0; i--) Assert.Equal(fresh[i], extractor.Extract(pages[i].AsSpan()));
        for (int i = 0; i < pages.Count; i += 7)
        {
            Assert.Equal(fresh[i], extractor.Extract(pages[i]));
            Assert.Equal(fresh[i], extractor.Extract(pages[i]));
        }
    }

    [Fact]
    public void Parse_into_a_used_document_leaves_nothing_of_the_previous_page()
    {
        var doc = new LiteHtmlDocument();
        LiteHtmlParser.ParseInto(string.Concat(Enumerable.Repeat("<div class=big><p>long page text</p></div>", 2000)), doc);
        var small = "<html><head><title>T</title></head><body><p class=x>only this</p></body></html>";
        var reused = LiteHtmlParser.ParseInto(small, doc);
        var fresh = LiteHtmlParser.Parse(small);
        Assert.Equal(fresh.Nodes.Length, reused.Nodes.Length);
        for (int i = 0; i < fresh.Nodes.Length; i++)
        {
            var (a, b) = (fresh.Nodes[i], reused.Nodes[i]);
            Assert.Equal((a.Tag, a.Parent, a.FirstChild, a.LastChild, a.NextSibling, a.IsText, a.ClassAndId), (b.Tag, b.Parent, b.FirstChild, b.LastChild, b.NextSibling, b.IsText, b.ClassAndId));
            Assert.Equal(fresh.TextOf(a).ToString(), reused.TextOf(b).ToString());
        }
        Assert.Equal("T", reused.Title);
        Assert.Equal(fresh.Text.ToString(), reused.Text.ToString());
    }

    [Theory]
    [InlineData("utf-8", null)]
    [InlineData("windows-1251", "windows-1251")]
    [InlineData("shift_jis", "shift_jis")]
    [InlineData("utf-16", null)]
    public void Decoding_into_a_reused_buffer_matches_decoding_to_a_string(string encodingName, string? header)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        byte[] bom = encodingName == "utf-16" ? [0xFF, 0xFE] : [];
        var bytes = (byte[])[.. bom, .. encoding.GetBytes("<html><body><p>" + string.Concat(Enumerable.Repeat("Текст テキスト text ", 5000)) + "</p></body></html>")];
        char[] buffer = new char[16]; // too small: must grow
        int n = HtmlCharset.DecodeInto(bytes, header, ref buffer, out var how);
        string expected = HtmlCharset.Decode(bytes, header, out _, out var expectedHow);
        Assert.Equal(expected, new string(buffer, 0, n));
        Assert.Equal(expectedHow, how);
        // A second, shorter page in the grown buffer.
        var shortBytes = (byte[])[.. bom, .. encoding.GetBytes("<p>kurz</p>")];
        n = HtmlCharset.DecodeInto(shortBytes, header, ref buffer, out _);
        Assert.Equal(HtmlCharset.Decode(shortBytes, header), new string(buffer, 0, n));
    }
}
