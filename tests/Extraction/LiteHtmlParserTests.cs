using System.Diagnostics;
using System.Text;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Tests.Extraction;

public class LiteHtmlParserTests
{
    private static string Texts(LiteHtmlDocument doc)
    {
        var sb = new StringBuilder();
        foreach (ref readonly var n in doc.Nodes)
            if (n.IsText) sb.Append(doc.TextOf(n));
        return sb.ToString();
    }

    private static List<HtmlTag> ChildTags(LiteHtmlDocument doc, int parent)
    {
        var nodes = doc.Nodes;
        var tags = new List<HtmlTag>();
        for (int c = nodes[parent].FirstChild; c > 0; c = nodes[c].NextSibling)
            if (!nodes[c].IsText) tags.Add(nodes[c].Tag);
        return tags;
    }

    [Fact]
    public void Named_numeric_and_legacy_entities_are_decoded()
    {
        var doc = LiteHtmlParser.Parse("<p>caf&eacute; &amp; cr&#232;me &#x2014; &lt;tag&gt; &copy 2024 &euro;&nbsp;5 &#128512; &#150; &bogus; AT&T</p>");
        Assert.Equal("café & crème — <tag> © 2024 €\u00A05 😀 – &bogus; AT&T", Texts(doc));
    }

    [Fact]
    public void Invalid_numeric_references_become_the_replacement_character()
    {
        var doc = LiteHtmlParser.Parse("<p>&#0;&#xD800;&#x110000;&#;</p>");
        Assert.Equal("\uFFFD\uFFFD\uFFFD&#;", Texts(doc));
    }

    [Fact]
    public void Script_style_noscript_and_template_content_is_not_text_and_the_title_is_kept_apart()
    {
        var doc = LiteHtmlParser.Parse(
            "<html><head><title>The &amp; Title</title><style>p{color:red}</style></head><body>" +
            "<script>if (a < b && c > d) document.write('</p>');</script>visible<noscript>NOSCRIPT</noscript>" +
            "<template><p>TEMPLATE</p></template><SCRIPT type=x>more</SCRIPT > text</body></html>");
        Assert.Equal("visible text", Texts(doc));
        Assert.Equal("The & Title", doc.Title);
    }

    [Fact]
    public void Nested_tables_keep_their_cells_in_their_own_rows()
    {
        var doc = LiteHtmlParser.Parse("<table><tr><td>a<table><tr><td>inner1<td>inner2</table>b<td>c</table>");
        var nodes = doc.Nodes;
        int outer = doc.Find(HtmlTag.Table);
        int outerRow = nodes[outer].FirstChild;
        Assert.Equal(HtmlTag.Tr, nodes[outerRow].Tag);
        Assert.Equal([HtmlTag.Td, HtmlTag.Td], ChildTags(doc, outerRow));
        int firstCell = nodes[outerRow].FirstChild;
        Assert.Equal("ainner1inner2b", doc.InnerText(firstCell));
        Assert.Equal("c", doc.InnerText(nodes[firstCell].NextSibling));
    }

    [Fact]
    public void Implied_end_tags_close_paragraphs_list_items_and_cells()
    {
        var doc = LiteHtmlParser.Parse("<body><p>one<p>two<div>three</div><ul><li>a<li>b<ul><li>c</ul><li>d</ul><dl><dt>t<dd>d</dl>");
        int body = doc.Find(HtmlTag.Body);
        Assert.Equal([HtmlTag.P, HtmlTag.P, HtmlTag.Div, HtmlTag.Ul, HtmlTag.Dl], ChildTags(doc, body));
        int ul = doc.Find(HtmlTag.Ul);
        Assert.Equal([HtmlTag.Li, HtmlTag.Li, HtmlTag.Li], ChildTags(doc, ul));
        int dl = doc.Find(HtmlTag.Dl);
        Assert.Equal([HtmlTag.Dt, HtmlTag.Dd], ChildTags(doc, dl));
    }

    [Fact]
    public void Malformed_markup_is_tolerated_and_keeps_its_text()
    {
        string[] inputs =
        [
            "<div class=\"unterminated>text",
            "<p>a</b></i></span>b</p></p></div>c",
            "<<>>< p>x</ p><!-- unterminated comment",
            "<b><i>misnested</b> tail</i>",
            "text < 5 and > 3 & more",
            "<div attr=unquoted other='single' empty= >ok</div>",
            "</only></end></tags>",
            "<a href=x><a href=y>nested links</a></a>",
            "<!DOCTYPE html><?xml version='1.0'?><![CDATA[x]]>after",
            "<p",
        ];
        foreach (var html in inputs)
        {
            var doc = LiteHtmlParser.Parse(html);
            Assert.True(doc.Nodes.Length >= 1);
        }
        Assert.Equal("ab", Texts(LiteHtmlParser.Parse("<p>a</b></i></span>b</p></p></div>")));
        Assert.Equal("text < 5 and > 3 & more", Texts(LiteHtmlParser.Parse("text < 5 and > 3 & more")));
        Assert.Equal("misnested tail", Texts(LiteHtmlParser.Parse("<b><i>misnested</b> tail</i>")));
        Assert.Equal("after", Texts(LiteHtmlParser.Parse("<!DOCTYPE html><?xml version='1.0'?><![CDATA[x]]>after")));
        Assert.Equal("ok", Texts(LiteHtmlParser.Parse("<div attr=unquoted other='single' empty= >ok</div>")));
    }

    [Fact]
    public void Class_id_role_and_hidden_attributes_are_recorded()
    {
        var doc = LiteHtmlParser.Parse("<div CLASS='Main Content' id=Story role=Main><p hidden>h</p><span style='display: none'>s</span><i aria-hidden=\"true\">i</i></div>");
        var div = doc.Nodes[doc.Find(HtmlTag.Div)];
        Assert.Equal("main content story", div.ClassAndId);
        Assert.Equal("main", div.Role);
        foreach (var tag in new[] { HtmlTag.P, HtmlTag.Span, HtmlTag.I })
            Assert.True((doc.Nodes[doc.Find(tag)].Flags & LiteNodeFlags.Hidden) != 0, tag.ToString());
    }

    [Fact]
    public void A_million_nested_tags_are_parsed_without_recursion_within_bounded_depth_and_memory()
    {
        const int depth = 1_000_000;
        var sb = new StringBuilder(depth * 11 + 64);
        for (int i = 0; i < depth; i++) sb.Append("<div>");
        sb.Append("deep text");
        for (int i = 0; i < depth; i++) sb.Append("</div>");
        sb.Append("<p>after</p>");
        string html = sb.ToString();

        long before = GC.GetAllocatedBytesForCurrentThread();
        var doc = LiteHtmlParser.Parse(html);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The open-element stack stops at MaxDepth: deeper tags make no nodes, their text goes to the deepest element.
        Assert.True(doc.Nodes.Length < LiteHtmlParser.MaxDepth + 10, $"{doc.Nodes.Length} nodes");
        Assert.Equal(depth - LiteHtmlParser.MaxDepth, doc.TagsBeyondMaxDepth);
        Assert.Equal("deep textafter", Texts(doc));
        // Memory in proportion to the input (11 MB of chars), not to the nesting.
        Assert.True(allocated < 4L * html.Length * sizeof(char), $"{allocated:N0} bytes allocated for {html.Length:N0} chars");

        // The extractor walks the same tree without recursion as well.
        string text = new DensityExtractor().Extract(html);
        Assert.Contains("deep text", text);
    }

    [Fact]
    public void Node_count_is_capped_so_a_page_of_tiny_tags_cannot_exhaust_memory()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < LiteHtmlParser.MaxNodes + 1000; i++) sb.Append("<br>");
        var doc = LiteHtmlParser.Parse(sb.ToString());
        Assert.True(doc.Truncated);
        Assert.Equal(LiteHtmlParser.MaxNodes, doc.Nodes.Length);
    }
}
