namespace DataPipe.Ingest.Extraction;

/// <summary>
/// The baseline every main-text extractor must beat ("alltext"): all text a browser would render, navigation and
/// footers included, in blocks. Skips the head, hidden elements, controls and the raw-text elements the parser
/// already drops (script, style, noscript...). Recall near 1 by construction; its precision is the share of the page's
/// words that are content.
/// </summary>
public sealed class VisibleTextExtractor : IMainTextExtractor
{
    public string Name => "alltext";

    public string Extract(string html, string? url = null) => Extract(html.AsSpan(), url);

    public string Extract(ReadOnlySpan<char> html, string? url = null)
    {
        if (html.IsEmpty || DensityExtractor.LooksBinary(html)) return "";
        var doc = LiteHtmlParser.Parse(html);
        var nodes = doc.Nodes;
        var w = new BlockTextWriter(Math.Max(256, doc.Text.Length));
        var skipped = new bool[nodes.Length];
        for (int i = 1; i < nodes.Length; i++)
        {
            ref readonly var node = ref nodes[i];
            if (skipped[node.Parent])
            {
                skipped[i] = true;
                continue;
            }
            if (node.IsText)
            {
                w.Text(doc.TextOf(node));
                continue;
            }
            if ((node.Flags & LiteNodeFlags.Hidden) != 0 || node.Tag is HtmlTag.Head or HtmlTag.Select or HtmlTag.Option or HtmlTag.Button or HtmlTag.Svg)
            {
                skipped[i] = true;
                continue;
            }
            // Document order: an element's start is where its block begins; a block element after text ends the block before.
            if (node.Tag == HtmlTag.Br) w.LineBreak();
            else if (HtmlTags.IsBlock(node.Tag)) w.EndBlock();
            else if (node.Tag is HtmlTag.Td or HtmlTag.Th or HtmlTag.Img) w.Space();
        }
        return w.ToString();
    }
}
