using System.Text;
using DataPipe.Core.Errors;
using DataPipe.Ingest.Charset;
using DataPipe.Ingest.Extraction;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Extraction;

/// <summary>
/// The block scorer on small handmade pages, one markup pattern each: the article text must come out, the
/// navigation around it must not. Sentences are long enough to be prose; menus are links.
/// </summary>
public class BlockScoreExtractorTests
{
    private static readonly BlockScoreExtractor Extractor = new();

    /// <summary>The markup-pattern pages are checked with the default extractor (density) and the block scorer.</summary>
    public static TheoryData<string> Extractors => new() { "density", BlockScoreExtractor.ExtractorName };

    private const string Para1 = "The river rose four metres overnight, and by morning the lower town was under water while the council met in the school hall to decide what could still be saved.";
    private const string Para2 = "Volunteers carried furniture up the hill for most of the day, although the older residents said they had seen worse floods in the winter of their childhood.";
    private const string Para3 = "By evening the water had started to fall again, leaving a line of brown mud along every wall that the town will be cleaning for weeks to come.";

    private static string Menu => "<a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/sport'>Sport</a> | <a href='/weather'>Weather</a> | <a href='/contact'>Contact us</a>";

    private static void AssertHasArticle(string text)
    {
        foreach (var p in new[] { Para1, Para2, Para3 })
            Assert.Contains(p[..60], text.ReplaceLineEndings(" "));
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void Table_layout_with_font_and_double_br_paragraphs_keeps_the_article_and_the_block_scorer_drops_the_menu_cell(string extractorName)
    {
        string html = $"""
            <html><head><title>Flood</title></head><body bgcolor=white>
            <table width=100%><tr><td width=150 valign=top>{Menu.Replace(" | ", "<br>")}</td>
            <td valign=top><p><font id=font face=Arial size=2><b>Town flooded</b><br><br>{Para1}<br><br>{Para2}<br><br>{Para3}</font></td></tr></table>
            <center><font size=1>Copyright 2008 The Daily Paper. All rights reserved.</font></center></body></html>
            """;
        var extractor = ExtractorCatalog.Create(extractorName);
        string text = extractor.Extract(html);
        AssertHasArticle(text);
        // Density keeps the whole table on a page this small (the menu cell comes along); the block scorer drops it.
        if (extractorName == BlockScoreExtractor.ExtractorName) Assert.DoesNotContain("Weather", text);
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void Paragraphs_separated_only_by_br_are_all_kept_and_the_block_scorer_drops_the_menus(string extractorName)
    {
        string html = $"<html><body><div id=top>{Menu}</div><div>{Para1}<br><br>{Para2}<br>\n<br>{Para3}</div><div class=footer>{Menu}</div></body></html>";
        var extractor = ExtractorCatalog.Create(extractorName);
        string text = extractor.Extract(html);
        AssertHasArticle(text);
        // Density keeps the whole body on a page this small; the block scorer drops the link lists.
        if (extractorName == BlockScoreExtractor.ExtractorName) Assert.DoesNotContain("Contact us", text);
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void Unclosed_and_misnested_tags_do_not_lose_text(string extractorName)
    {
        string html = $"<html><body><ul><li>{Menu}</ul><div><p>{Para1}<p><b><i>{Para2}</b></i><p>{Para3}</div></span></table></body>";
        AssertHasArticle(ExtractorCatalog.Create(extractorName).Extract(html));
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void Windows_1252_page_decoded_by_its_meta_charset_keeps_its_umlauts(string extractorName)
    {
        const string german = "Die Bürgerinnen und Bürger der Stadt haben am Sonntag über den Neubau der Brücke abgestimmt, und die Mehrheit war größer als erwartet.";
        string html = $"<html><head><meta charset=windows-1252></head><body><div>{Menu}</div><article><p>{german}</p><p>{german.Replace("Sonntag", "Montag")}</p></article></body></html>";
        byte[] bytes = Encoding.GetEncoding(1252).GetBytes(html);
        var extractor = ExtractorCatalog.Create(extractorName);
        string text = extractor.Extract(HtmlCharset.Decode(bytes, null));
        Assert.Contains("Bürgerinnen und Bürger", text);
        Assert.Contains("größer als erwartet", text);
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void Japanese_article_without_spaces_is_kept(string extractorName)
    {
        const string ja1 = "東京都内の公園で今朝、桜が満開になったと気象庁が発表しました。平年より五日早く、昨年より二日遅い開花となりました。";
        const string ja2 = "公園には朝早くから多くの人が訪れ、写真を撮ったり散歩をしたりして春の訪れを楽しんでいました。週末まで見頃が続く見込みです。";
        string html = $"<html><head><meta charset=utf-8></head><body><ul><li><a href=/>ホーム</a><li><a href=/n>ニュース</a><li><a href=/w>天気</a></ul><div class=article><p>{ja1}</p><p>{ja2}</p></div><div class=footer><a href=/c>お問い合わせ</a></div></body></html>";
        var extractor = ExtractorCatalog.Create(extractorName);
        string text = extractor.Extract(html);
        Assert.Contains(ja1, text);
        Assert.Contains(ja2, text);
        Assert.DoesNotContain("お問い合わせ", text);
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void Lists_tables_and_code_inside_the_article_are_kept(string extractorName)
    {
        string html = $"""
            <html><body><nav>{Menu}</nav><article><h1>Installing the tool</h1><p>{Para1}</p>
            <ul><li>Download the archive from the release page of the project</li><li>Unpack it into a folder of your choice</li></ul>
            <pre><code>tar xzf tool-1.2.tar.gz
            cd tool-1.2 &amp;&amp; ./configure</code></pre>
            <table><tr><th>Version</th><th>Released</th></tr><tr><td>1.2</td><td>March 2021</td></tr></table>
            <p>{Para2}</p><p>{Para3}</p></article><footer>{Menu}</footer></body></html>
            """;
        var extractor = ExtractorCatalog.Create(extractorName);
        string text = extractor.Extract(html);
        AssertHasArticle(text);
        Assert.Contains("Unpack it into a folder of your choice", text);
        Assert.Contains("tar xzf tool-1.2.tar.gz", text);
    }

    [Theory]
    [MemberData(nameof(Extractors))]
    public void Blog_post_is_chosen_over_the_about_me_sidebar(string extractorName)
    {
        const string about = "Hi, I am Jane, a mother of two who loves baking, gardening and long walks with our dog. Welcome to my little corner of the internet!";
        string html = $"""
            <html><body><div id=header><h1><a href=/>Jane's kitchen</a></h1></div>
            <div id=main><div class=post><h2 class=post-title>Sourdough, again</h2><div class=post-body><p>{Para1}</p><p>{Para2}</p><p>{Para3}</p></div>
            <div class=post-footer>Posted by Jane at 9:14 PM | <a href=#c>3 comments</a></div></div></div>
            <div id=sidebar><h2>About me</h2><p>{about}</p><h2>Archive</h2><ul><li><a href=/1>March (4)</a><li><a href=/2>February (7)</a></ul></div>
            </body></html>
            """;
        var extractor = ExtractorCatalog.Create(extractorName);
        string text = extractor.Extract(html);
        AssertHasArticle(text);
        Assert.DoesNotContain("February (7)", text);
    }

    [Fact]
    public void Unclosed_name_anchor_around_the_whole_page_is_not_read_as_a_link()
    {
        // <a name=top> opened at the top of the body and never closed: every text of the page sits inside an a element.
        string html = $"<html><body><a name=top><table><tr><td>{Menu}</td></tr></table><div><p>{Para1}</p><p>{Para2}</p><p>{Para3}</p></div></body></html>";
        string text = Extractor.Extract(html);
        AssertHasArticle(text);
        Assert.DoesNotContain("Weather", text);
    }

    [Fact]
    public void Page_with_no_block_above_the_threshold_falls_back_to_its_best_prose_block()
    {
        // A model that keeps nothing: the threshold cannot be reached.
        var model = new BlockScoreModel(new float[BlockFeatures.Count], 0, new float[Stage2Features.Count], 0, threshold: 1.01f);
        var extractor = new BlockScoreExtractor(model);
        string html = $"<html><body><div>{Menu}</div><p>{Para1}</p><div>{Menu}</div></body></html>";
        string text = extractor.Extract(html);
        Assert.Equal(Para1, text);
        Assert.Equal(ExtractionOutcome.FallbackBlock, extractor.LastOutcome);
    }

    [Fact]
    public void Empty_results_say_why_no_visible_text_no_prose_or_binary()
    {
        Assert.Equal("", Extractor.Extract("<html><head><title>x</title><script>var a = 1;</script></head><body><img src=a.png></body></html>"));
        Assert.Equal(ExtractionOutcome.NoVisibleText, Extractor.LastOutcome);

        var keepNothing = new BlockScoreExtractor(new BlockScoreModel(new float[BlockFeatures.Count], 0, new float[Stage2Features.Count], 0, 1.01f));
        Assert.Equal("", keepNothing.Extract($"<html><body><div>{Menu}</div></body></html>"));
        Assert.Equal(ExtractionOutcome.NoProse, keepNothing.LastOutcome);

        Assert.Equal("", Extractor.Extract("\0\0\0PK\u0003\u0004 binary"));
        Assert.Equal(ExtractionOutcome.Binary, Extractor.LastOutcome);
    }

    [Fact]
    public void Frameset_page_without_text_is_empty_and_says_no_visible_text()
    {
        string html = "<html><head><title>Site</title></head><frameset cols='20%,80%'><frame src=menu.html><frame src=main.html></frameset></html>";
        Assert.Equal("", Extractor.Extract(html));
        Assert.Equal(ExtractionOutcome.NoVisibleText, Extractor.LastOutcome);
    }

    [Fact]
    public void Readers_comments_below_the_article_are_dropped_but_a_comment_named_wrapper_around_the_article_is_not()
    {
        const string Reply = "I grew up in that town and the council has ignored the river for years, so none of this surprises anyone who lived there through the last flood.";
        string comments = $"<div id=comments><h3>3 comments</h3><div class='comment'><p>{Reply}</p></div><div class='comment reply'><p>{Reply.Replace("town", "village")}</p></div></div>";
        string html = $"<html><body><div class=article><h1>Flood</h1><p>{Para1}</p><p>{Para2}</p><p>{Para3}</p></div>{comments}</body></html>";
        string text = Extractor.Extract(html);
        Assert.Contains(Para2, text);
        Assert.DoesNotContain("council has ignored", text);

        string wrapped = $"<html><body><div class='post comments-open'><p>{Para1}</p><p>{Para2}</p><p>{Para3}</p></div></body></html>";
        string kept = Extractor.Extract(wrapped);
        Assert.Contains(Para1, kept);
        Assert.Contains(Para3, kept);
    }

    [Fact]
    public void Frameset_page_with_prose_in_noframes_is_read_by_both_extractors()
    {
        string html = $"<html><head><title>Site</title></head><frameset cols='20%,80%'><frame src=menu.html><frame src=main.html>"
            + $"<noframes><body><p>{Para1}</p><p>{Para2}</p></body></noframes></frameset></html>";
        foreach (IMainTextExtractor extractor in new IMainTextExtractor[] { Extractor, new DensityExtractor() })
        {
            string text = extractor.Extract(html);
            Assert.Contains(Para1, text);
            Assert.Contains(Para2, text);
        }
    }

    [Fact]
    public void Explain_lists_every_block_and_the_kept_ones_are_the_extracted_text()
    {
        string html = $"<html><body><div>{Menu}</div><p>{Para1}</p><p>{Para2}</p><p>{Para3}</p><div class=footer>{Menu}</div></body></html>";
        var (blocks, outcome) = Extractor.Explain(html);
        Assert.Equal(ExtractionOutcome.MainText, outcome);
        Assert.Equal(5, blocks.Count);
        Assert.All(blocks, b => Assert.Contains(b.Kept ? "kept" : "dropped", b.Why));
        Assert.Equal(Extractor.Extract(html), string.Join("\n\n", blocks.Where(b => b.Kept).Select(b => b.Text)));
    }

    /// <summary>
    /// Extraction skips the trees for blocks of mostly links (never kept, never the fallback); the explanation scores
    /// every block fully. Both must keep the same blocks on real pages.
    /// </summary>
    [Theory]
    [InlineData("cleaneval")]
    [InlineData("dragnet")]
    [InlineData("trafilatura")]
    [InlineData("html-extraction")]
    public void Extraction_keeps_the_same_blocks_as_the_fully_scored_explanation_on_real_pages(string set)
    {
        foreach (var page in ExtractionSets.Load(Repo.SharedData, set, 12))
        {
            var (blocks, _) = Extractor.Explain(page.Html);
            Assert.True(Extractor.Extract(page.Html) == string.Join("\n\n", blocks.Where(b => b.Kept).Select(b => b.Text)), $"{set}/{page.Id}");
        }
    }

    [Fact]
    public void Shipped_model_round_trips_through_its_text_form_and_a_missing_feature_is_an_error()
    {
        var model = BlockScoreModel.Shipped;
        var sw = new StringWriter();
        model.Write(sw, "test");
        var again = BlockScoreModel.Read(new StringReader(sw.ToString()), "copy");
        Assert.Equal(model.Threshold, again.Threshold);
        string html = $"<html><body><div>{Menu}</div><p>{Para1}</p><p>{Para2}</p></body></html>";
        Assert.Equal(new BlockScoreExtractor(model).Extract(html), new BlockScoreExtractor(again).Extract(html));

        string missing = string.Join('\n', sw.ToString().Split('\n').Where(l => !l.StartsWith("link_density ", StringComparison.Ordinal)));
        var e = Assert.Throws<DataPipeException>(() => BlockScoreModel.Read(new StringReader(missing), "broken.txt"));
        Assert.Contains("link_density", e.Message);
        Assert.Contains("broken.txt", e.Message);
    }
}
