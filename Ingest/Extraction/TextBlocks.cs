using System.Text;

namespace DataPipe.Ingest.Extraction;

/// <summary>One run of text between two block boundaries, with what the block scorer measures about it.</summary>
internal struct TextBlock
{
    /// <summary>First and last node of the block (document order); its text nodes are the unexcluded ones in between.</summary>
    public int Start, End;
    /// <summary>The nearest block-level element holding the text.</summary>
    public int Owner;
    /// <summary>Whitespace-collapsed characters; of them in links; in scripts written without spaces (CJK, Thai).</summary>
    public int Chars, LinkChars, UnspacedChars;
    /// <summary>Space-separated words (a CJK sentence is one); commas; sentence ends (. ! ? and their full-width forms); digits.</summary>
    public int Words, Commas, SentenceEnds, Digits;
    /// <summary>Characters of the block that the density extractor's article holds.</summary>
    public int DensityChars;
    /// <summary>Characters of page text before the block.</summary>
    public int Offset;
    public bool EndsSentence;

    /// <summary>Length in words where spaced scripts count words and unspaced ones count about two characters a word.</summary>
    public readonly float WordEquivalents => Words + UnspacedChars * 0.5f;

    public readonly float LinkDensity => Chars == 0 ? 0 : Math.Min(1f, (float)LinkChars / Chars);
}

/// <summary>Ancestor-or-self facts of an element, one bit each (computed top-down, parents before children).</summary>
[Flags]
internal enum PathFlags
{
    None = 0,
    Nav = 1 << 0, Aside = 1 << 1, Footer = 1 << 2, Header = 1 << 3, Form = 1 << 4, ListItem = 1 << 5, List = 1 << 6, Table = 1 << 7,
    Link = 1 << 8, Heading = 1 << 9, Article = 1 << 10, Blockquote = 1 << 11, Pre = 1 << 12, Code = 1 << 13, Paragraph = 1 << 14,
    PositiveName = 1 << 15, NegativeName = 1 << 16, UnlikelyName = 1 << 17, Font = 1 << 18, Emphasis = 1 << 19, Label = 1 << 20,
    Figure = 1 << 21, Address = 1 << 22, Dropped = 1 << 23,
}

/// <summary>
/// Cuts a parsed page into text blocks, as boilerpipe does (Kohlschütter et al. 2010): a block ends wherever the text
/// changes its nearest block-level element (p, div, td, li, headings...), and at two consecutive <c>br</c> (the
/// paragraphs of pages that never used <c>p</c>). Text that is never rendered (head, hidden elements, controls) is in
/// no block. Per node it also keeps the path facts (<see cref="PathFlags"/>), the depth, and the text and link
/// lengths of every element's subtree, which the block features read.
/// </summary>
internal sealed class TextBlocks
{
    public LiteHtmlDocument Doc = new();
    public int NodeCount;
    public PathFlags[] Flags = [];
    public int[] Depth = [], Owner = [], SubtreeChars = [], SubtreeLinkChars = [];
    public bool[] DensityMark = [];
    /// <summary>Per node: some node of its subtree (itself included) is in the density extractor's article.</summary>
    public bool[] SubtreeDensity = [];
    /// <summary>Scratch per node for the second stage's container votes.</summary>
    public float[] VoteSum = [], VoteChars = [];
    public TextBlock[] Blocks = [];
    public int BlockCount;
    public int TotalChars;
    /// <summary>Per block: its rank by characters on the page (<see cref="BlockFeatures"/>' scratch), and the page's longest and median block.</summary>
    public float[] RankScratch = [];
    public int[] SortScratch = [];
    public int PageMaxChars, PageMedianChars;
    /// <summary>
    /// Per node: what its own class/id says (<see cref="OwnNamePositive"/>, <see cref="OwnNameNegative"/>,
    /// <see cref="OwnNameUnlikely"/>, set by <see cref="Load"/>; <see cref="BlockFeatures"/> adds its own bits), and
    /// what its ancestors' say.
    /// </summary>
    public byte[] OwnNames = [], AncestorNames = [];
    public const byte OwnNamePositive = 1, OwnNameNegative = 2, OwnNameUnlikely = 4;
    /// <summary>Per node, two words: the bits of its hashed class/id words.</summary>
    public ulong[] NameWords = [];

    public ReadOnlySpan<TextBlock> All => Blocks.AsSpan(0, BlockCount);

    private static bool IsDropped(in LiteNode node) =>
        (node.Flags & LiteNodeFlags.Hidden) != 0 || node.Tag is HtmlTag.Head or HtmlTag.Select or HtmlTag.Option or HtmlTag.Optgroup
            or HtmlTag.Button or HtmlTag.Svg or HtmlTag.Math or HtmlTag.Textarea or HtmlTag.Input or HtmlTag.Canvas or HtmlTag.Object
            or HtmlTag.Dialog or HtmlTag.Template;

    public void Load(LiteHtmlDocument doc)
    {
        Doc = doc;
        int n = NodeCount = doc.Nodes.Length;
        if (Flags.Length < n)
        {
            int size = Math.Max(n, Flags.Length * 2);
            Flags = new PathFlags[size];
            Depth = new int[size];
            Owner = new int[size];
            SubtreeChars = new int[size];
            SubtreeLinkChars = new int[size];
            DensityMark = new bool[size];
            SubtreeDensity = new bool[size];
            VoteSum = new float[size];
            VoteChars = new float[size];
            OwnNames = new byte[size];
            AncestorNames = new byte[size];
            NameWords = new ulong[2 * size];
        }
        var nodes = doc.Nodes;
        Flags[0] = PathFlags.None;
        Depth[0] = 0;
        Owner[0] = 0;
        OwnNames.AsSpan(0, n).Clear();
        for (int i = 1; i < n; i++)
        {
            ref readonly var node = ref nodes[i];
            int parent = node.Parent;
            var f = Flags[parent];
            Depth[i] = Depth[parent] + 1;
            if (node.IsText)
            {
                Flags[i] = f;
                Owner[i] = Owner[parent];
                continue;
            }
            if (IsDropped(node)) f |= PathFlags.Dropped;
            f |= node.Tag switch
            {
                HtmlTag.Nav or HtmlTag.Menu => PathFlags.Nav,
                HtmlTag.Aside => PathFlags.Aside,
                HtmlTag.Footer => PathFlags.Footer,
                HtmlTag.Header => PathFlags.Header,
                HtmlTag.Form or HtmlTag.Fieldset => PathFlags.Form,
                HtmlTag.Li or HtmlTag.Dd or HtmlTag.Dt => PathFlags.ListItem,
                HtmlTag.Ul or HtmlTag.Ol or HtmlTag.Dl => PathFlags.List,
                HtmlTag.Table => PathFlags.Table,
                // An anchor without href (<a name=top> left open around a whole page) is not a link.
                HtmlTag.A => (node.Flags & LiteNodeFlags.Href) != 0 ? PathFlags.Link : PathFlags.None,
                HtmlTag.H1 or HtmlTag.H2 or HtmlTag.H3 or HtmlTag.H4 or HtmlTag.H5 or HtmlTag.H6 => PathFlags.Heading,
                HtmlTag.Article or HtmlTag.Main => PathFlags.Article,
                HtmlTag.Blockquote => PathFlags.Blockquote,
                HtmlTag.Pre => PathFlags.Pre,
                HtmlTag.Code or HtmlTag.Kbd or HtmlTag.Samp or HtmlTag.Tt => PathFlags.Code,
                HtmlTag.P => PathFlags.Paragraph,
                HtmlTag.Font or HtmlTag.Center => PathFlags.Font,
                HtmlTag.B or HtmlTag.Strong or HtmlTag.Em or HtmlTag.I => PathFlags.Emphasis,
                HtmlTag.Label or HtmlTag.Legend => PathFlags.Label,
                HtmlTag.Figure or HtmlTag.Figcaption => PathFlags.Figure,
                HtmlTag.Address => PathFlags.Address,
                _ => PathFlags.None,
            };
            if (node.ClassAndId is { } names)
            {
                int w = BlockNames.Weight(names);
                if (w > 0) f |= PathFlags.PositiveName;
                if (w < 0) f |= PathFlags.NegativeName;
                bool unlikely = BlockNames.IsUnlikely(names);
                if (unlikely) f |= PathFlags.UnlikelyName;
                OwnNames[i] = (byte)((w > 0 ? OwnNamePositive : 0) | (w < 0 ? OwnNameNegative : 0) | (unlikely ? OwnNameUnlikely : 0));
            }
            if (BlockNames.IsUnlikelyRole(node.Role)) f |= PathFlags.Nav;
            Flags[i] = f;
            Owner[i] = HtmlTags.IsBlock(node.Tag) || node.Tag == HtmlTag.Document ? i : Owner[parent];
        }

        // Bottom-up: rendered text and link characters under each element.
        SubtreeChars.AsSpan(0, n).Clear();
        SubtreeLinkChars.AsSpan(0, n).Clear();
        for (int i = n - 1; i >= 1; i--)
        {
            ref readonly var node = ref nodes[i];
            if ((Flags[i] & PathFlags.Dropped) != 0) continue;
            if (node.IsText)
            {
                int len = PageScoring.MeasureText(doc.TextOf(node)).Length;
                SubtreeChars[i] = len;
                if ((Flags[i] & PathFlags.Link) != 0) SubtreeLinkChars[i] = len;
            }
            SubtreeChars[node.Parent] += SubtreeChars[i];
            SubtreeLinkChars[node.Parent] += SubtreeLinkChars[i];
        }
    }

    /// <summary>Cuts the loaded page into blocks; <see cref="DensityMark"/> must be filled first (or cleared).</summary>
    public void Segment()
    {
        var nodes = Doc.Nodes;
        BlockCount = 0;
        TotalChars = 0;
        int current = -1, lastOwner = -1, breaks = 0;
        for (int i = 1; i < NodeCount; i++)
        {
            ref readonly var node = ref nodes[i];
            if ((Flags[i] & PathFlags.Dropped) != 0) continue;
            if (!node.IsText)
            {
                if (node.Tag == HtmlTag.Br) breaks++;
                else if (node.Tag == HtmlTag.Hr) breaks = 2;
                continue;
            }
            var text = Doc.TextOf(node);
            if (text.IsWhiteSpace()) continue;
            int owner = Owner[i];
            if (current < 0 || owner != lastOwner || breaks >= 2)
            {
                if (BlockCount == Blocks.Length) Array.Resize(ref Blocks, Math.Max(64, Blocks.Length * 2));
                current = BlockCount++;
                Blocks[current] = new TextBlock { Start = i, Owner = owner, Offset = TotalChars };
            }
            lastOwner = owner;
            breaks = 0;
            ref var b = ref Blocks[current];
            b.End = i;
            int before = b.Chars;
            Measure(text, ref b);
            int added = b.Chars - before;
            if ((Flags[i] & PathFlags.Link) != 0) b.LinkChars += added;
            if (DensityMark[i]) b.DensityChars += added;
            TotalChars += added;
        }
    }

    /// <summary>Adds a text run's counts to <paramref name="b"/> (a space joins it to text already there).</summary>
    private static void Measure(ReadOnlySpan<char> text, ref TextBlock b)
    {
        bool space = b.Chars > 0, inWord = false;
        char last = ' ';
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                inWord = false;
                continue;
            }
            if (space && b.Chars > 0) b.Chars++;
            space = false;
            b.Chars++;
            last = c;
            if (IsUnspaced(c))
            {
                b.UnspacedChars++;
                inWord = false;
            }
            else if (char.IsLetterOrDigit(c))
            {
                if (!inWord) b.Words++;
                inWord = true;
                if (char.IsDigit(c)) b.Digits++;
            }
            else
            {
                inWord = false;
                if (c is ',' or '\u3001' or '\uFF0C' or '\u060C') b.Commas++;
                else if (c is '.' or '!' or '?' or '\u3002' or '\uFF01' or '\uFF1F' or '\u0964') b.SentenceEnds++;
            }
        }
        if (last != ' ') b.EndsSentence = last is '.' or '!' or '?' or '"' or '\u201D' or ':' or ';' or ')' or '\u3002' or '\uFF01' or '\uFF1F' or '\u0964';
    }

    /// <summary>Han, kana, Hangul syllables and Thai: scripts where a space does not end a word.</summary>
    internal static bool IsUnspaced(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\u0E00' and <= '\u0E7F') or (>= '\uFF66' and <= '\uFF9F') or (>= '\uAC00' and <= '\uD7AF');

    /// <summary>Writes block <paramref name="b"/> (line breaks from br, pre text verbatim, cells apart) to <paramref name="w"/>.</summary>
    public void Write(in TextBlock b, BlockTextWriter w)
    {
        var nodes = Doc.Nodes;
        for (int i = b.Start; i <= b.End; i++)
        {
            ref readonly var node = ref nodes[i];
            if ((Flags[i] & PathFlags.Dropped) != 0) continue;
            if (node.IsText)
            {
                if ((Flags[i] & PathFlags.Pre) != 0) w.Preformatted(Doc.TextOf(node));
                else w.Text(Doc.TextOf(node));
            }
            else if (node.Tag == HtmlTag.Br) w.LineBreak();
            else if (node.Tag is HtmlTag.Td or HtmlTag.Th or HtmlTag.Img) w.Space();
        }
        w.EndBlock();
    }

    /// <summary>The text of one block, whitespace collapsed.</summary>
    public string TextOf(in TextBlock b)
    {
        var w = new BlockTextWriter(b.Chars + 16);
        Write(b, w);
        return w.ToString();
    }

    /// <summary>The element path of a block's owner, e.g. <c>body/table/tr/td.story</c>, at most <paramref name="levels"/> deep.</summary>
    public string PathOf(int element, int levels = 6)
    {
        var nodes = Doc.Nodes;
        var parts = new List<string>();
        for (int e = element; e > 0 && parts.Count < levels; e = nodes[e].Parent)
        {
            string name = nodes[e].Tag == HtmlTag.Unknown ? "?" : nodes[e].Tag.ToString().ToLowerInvariant();
            if (nodes[e].ClassAndId is { } c) name += "." + (c.Length > 24 ? c[..24] : c).Replace(' ', '.');
            parts.Add(name);
        }
        parts.Reverse();
        return string.Join('/', parts);
    }
}
