namespace DataPipe.Ingest.Extraction;

/// <summary>What the lite parser records about an element's attributes.</summary>
[Flags]
public enum LiteNodeFlags : byte
{
    None = 0,
    /// <summary>Not rendered: a <c>hidden</c> attribute, <c>aria-hidden="true"</c>, or an inline style with <c>display:none</c> / <c>visibility:hidden</c>.</summary>
    Hidden = 1,
    /// <summary>The element was opened with <c>&lt;tag/&gt;</c>.</summary>
    SelfClosed = 2,
    /// <summary>An <c>a</c> element whose <c>href</c> is a fragment (<c>#...</c>) on the same page.</summary>
    FragmentLink = 4,
    /// <summary>The element has an <c>href</c> attribute (an <c>a</c> without one is an anchor, not a link).</summary>
    Href = 8,
}

/// <summary>
/// One node of a <see cref="LiteHtmlDocument"/>: an element or a run of decoded text. Nodes live in one array in
/// document order (a parent always precedes its children), linked by indexes, so walks need no recursion.
/// </summary>
public struct LiteNode
{
    public int Parent;
    public int FirstChild;
    public int LastChild;
    public int NextSibling;
    /// <summary>For text nodes: where the decoded text starts in <see cref="LiteHtmlDocument.Text"/>.</summary>
    public int TextStart;
    /// <summary>For text nodes: its length in chars.</summary>
    public int TextLength;
    /// <summary>For unknown element names: a hash of the lower-case name (matches an end tag to its start tag).</summary>
    public int NameHash;
    public HtmlTag Tag;
    public bool IsText;
    public LiteNodeFlags Flags;
    /// <summary>Lower-case <c>class</c> and <c>id</c> values joined by a space, or null when the element has neither.</summary>
    public string? ClassAndId;
    /// <summary>Lower-case <c>role</c> attribute (or <c>itemprop</c>/<c>rel</c> when it names an author), or null.</summary>
    public string? Role;

    public readonly bool IsElement => !IsText;
}

/// <summary>The tree <see cref="LiteHtmlParser"/> builds: nodes over one shared buffer of decoded text.</summary>
public sealed class LiteHtmlDocument
{
    internal LiteNode[] NodeArray = [];
    internal int NodeCount;
    internal char[] TextBuffer = [];
    internal int TextLength;

    /// <summary>Node 0 is the document itself; the rest follow in document order.</summary>
    public ReadOnlySpan<LiteNode> Nodes => NodeArray.AsSpan(0, NodeCount);

    /// <summary>All decoded text of the page, text nodes point into it.</summary>
    public ReadOnlySpan<char> Text => TextBuffer.AsSpan(0, TextLength);

    /// <summary>The decoded, whitespace-collapsed content of the first <c>title</c> element; empty when none.</summary>
    public string Title { get; internal set; } = "";

    /// <summary>Start tags ignored because the open-element depth had reached <see cref="LiteHtmlParser.MaxDepth"/>.</summary>
    public int TagsBeyondMaxDepth { get; internal set; }

    /// <summary>True when parsing stopped at <see cref="LiteHtmlParser.MaxNodes"/> nodes; the rest of the page is dropped.</summary>
    public bool Truncated { get; internal set; }

    public ReadOnlySpan<char> TextOf(in LiteNode node) => node.IsText ? TextBuffer.AsSpan(node.TextStart, node.TextLength) : default;

    /// <summary>Index of the first element with <paramref name="tag"/>, or -1.</summary>
    public int Find(HtmlTag tag)
    {
        var nodes = Nodes;
        for (int i = 1; i < nodes.Length; i++)
            if (!nodes[i].IsText && nodes[i].Tag == tag) return i;
        return -1;
    }

    /// <summary>All text under <paramref name="node"/> in document order, raw (not whitespace-collapsed). Iterative.</summary>
    public string InnerText(int node)
    {
        var nodes = Nodes;
        if ((uint)node >= (uint)nodes.Length) return "";
        if (nodes[node].IsText) return TextOf(nodes[node]).ToString();
        var sb = new System.Text.StringBuilder();
        int i = nodes[node].FirstChild;
        while (i > 0)
        {
            ref readonly var n = ref nodes[i];
            if (n.IsText) sb.Append(TextOf(n));
            if (!n.IsText && n.FirstChild > 0)
            {
                i = n.FirstChild;
                continue;
            }
            // Next in document order without leaving the subtree of `node`.
            while (i != node && nodes[i].NextSibling == 0) i = nodes[i].Parent;
            if (i == node) break;
            i = nodes[i].NextSibling;
        }
        return sb.ToString();
    }
}
