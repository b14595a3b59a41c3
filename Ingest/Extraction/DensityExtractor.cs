using System.Buffers;
using System.Text;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// Main-text extraction by text density and link density over the lite parser's tree ("density").
/// <para>
/// Method (after Arc90/Mozilla Readability's content scoring and the boilerplate-removal literature, e.g.
/// Kohlschütter et al. 2010, "Boilerplate detection using shallow text features"): every paragraph-like block
/// (p, pre, td, h2-h6, section, and containers without block children) with at least 25 characters of text scores
/// 1 + its commas + one point per 100 characters (at most 3); the score flows to its parent in full, its grandparent
/// halved and to the next ancestor at a third. A candidate's score starts from its tag (div +5; pre, td, blockquote +3;
/// lists, forms -3; headings -5) and its class/id (+25 for article/body/content/entry/main/post/story/text words,
/// -25 for comment/footer/sidebar/share/related/promo/widget words), and is scaled by (1 - link density). The best
/// candidate and those of its siblings scoring at least max(10, 20% of the best), or being link-poor paragraphs,
/// form the article. Inside it, navigation, asides, footers, forms and controls are dropped, and containers are
/// dropped when link-heavy (link density over 0.2, or 0.5 for positively named ones), image- or input-heavy, or
/// named negatively.
/// </para>
/// <para>
/// Before scoring, elements that are hidden, or whose class/id names an unlikely block (banner, breadcrumbs, comment,
/// cookie, footer, header, menu, nav, popup, related, share, sidebar, social, sponsor...) without also naming
/// content (article, body, column, main), are removed. When the result is shorter than 500 characters the page is
/// tried again without that removal, then without class weights, then without conditional cleaning, and the
/// longest result wins.
/// </para>
/// <para>
/// Measured on ../shared/data/html-extraction (130 pages, Mozilla Readability's expected output as reference):
/// see <c>dotnet run --project bench -c Release -- extract-f1</c> and the floor in the extraction tests.
/// </para>
/// </summary>
public sealed class DensityExtractor : IMainTextExtractor, IExplainsOutcome
{
    /// <summary>A result shorter than this triggers the next, more permissive pass.</summary>
    public const int MinArticleChars = 500;

    public string Name => "density";

    /// <summary>Arrays kept across pages beyond this many characters of HTML are let go (one huge page must not pin them).</summary>
    private const int MaxRetainedChars = 4 << 20;

    /// <summary>
    /// The parse tree, scoring arrays and output buffer of the last page on this thread, reused for the next one.
    /// Allocating them per page (several hundred KB for a typical 150 KB page, on the large object heap) made the
    /// full ingest run a gen-2 collection every few pages, each one tracing the language models' heap too.
    /// </summary>
    [ThreadStatic]
    private static Workspace? t_workspace;

    private sealed class Workspace
    {
        public readonly LiteHtmlDocument Document = new();
        public readonly PageScoring Scoring = new();
        public readonly StringBuilder Output = new(4096);
        public readonly TextBlocks Blocks = new();
    }

    /// <summary>Density output shorter than this is replaced by the page's best block of prose when that is longer.</summary>
    public const int FallbackBelowChars = 100;

    [ThreadStatic]
    private static ExtractionOutcome t_outcome;

    public ExtractionOutcome LastOutcome => t_outcome;

    public string Extract(string html, string? url = null) => Extract(html.AsSpan(), url);

    public string Extract(ReadOnlySpan<char> html, string? url = null)
    {
        if (html.IsEmpty || LooksBinary(html))
        {
            t_outcome = html.IsEmpty ? ExtractionOutcome.NoVisibleText : ExtractionOutcome.Binary;
            return "";
        }
        var ws = t_workspace ??= new Workspace();
        var doc = LiteHtmlParser.ParseInto(html, ws.Document);
        string text = Extract(doc, ws.Scoring, ws.Output);
        t_outcome = ExtractionOutcome.MainText;
        if (text.Length < FallbackBelowChars) text = Fallback(doc, ws, text);
        if (html.Length > MaxRetainedChars || ws.Output.Capacity > MaxRetainedChars) t_workspace = null;
        return text;
    }

    /// <summary>
    /// The page's text when the density pass found (almost) nothing: the best block of prose (most characters outside
    /// links, at least <see cref="BlockScoreExtractor.MinFallbackWords"/> word-equivalents, link density under one half)
    /// with the prose blocks that share its element, e.g. the <c>br</c>-separated paragraphs of one <c>td</c>. A
    /// fixed rule, not a learned one, so the density extractor stays untrained.
    /// </summary>
    private static string Fallback(LiteHtmlDocument doc, Workspace ws, string densityText)
    {
        var blocks = ws.Blocks;
        blocks.Load(doc);
        blocks.DensityMark.AsSpan(0, blocks.NodeCount).Clear();
        blocks.Segment();
        var all = blocks.All;
        int best = -1;
        float bestScore = 0;
        for (int k = 0; k < all.Length; k++)
        {
            if (!IsProse(all[k])) continue;
            float score = all[k].Chars * (1 - all[k].LinkDensity);
            if (score > bestScore) (best, bestScore) = (k, score);
        }
        if (best < 0)
        {
            if (densityText.Length == 0) t_outcome = all.Length == 0 ? ExtractionOutcome.NoVisibleText : ExtractionOutcome.NoProse;
            return densityText;
        }
        if (all[best].Chars <= densityText.Length) return densityText;
        var w = new BlockTextWriter(ws.Output);
        int owner = all[best].Owner;
        for (int k = 0; k < all.Length; k++)
            if (k == best || (all[k].Owner == owner && IsProse(all[k]))) blocks.Write(all[k], w);
        t_outcome = ExtractionOutcome.FallbackBlock;
        return w.ToString();
    }

    private static bool IsProse(in TextBlock b) => b.WordEquivalents >= BlockScoreExtractor.MinFallbackWords && b.LinkDensity < 0.5f;

    public static string Extract(LiteHtmlDocument doc) => Extract(doc, new PageScoring(), null);

    private static string Extract(LiteHtmlDocument doc, PageScoring page, StringBuilder? output)
    {
        if (doc.Nodes.Length <= 1) return "";
        page.Load(doc);
        string best = "";
        foreach (var pass in Passes)
        {
            string text = page.Run(pass, output);
            if (text.Length >= MinArticleChars) return text;
            if (text.Length > best.Length) best = text;
        }
        return best;
    }

    internal static Pass[] AllPasses => Passes;

    private static readonly Pass[] Passes =
    [
        new(StripUnlikely: true, WeightClasses: true, CleanConditionally: true),
        new(StripUnlikely: false, WeightClasses: true, CleanConditionally: true),
        new(StripUnlikely: false, WeightClasses: false, CleanConditionally: true),
        new(StripUnlikely: false, WeightClasses: false, CleanConditionally: false),
    ];

    /// <summary>Binary content served as HTML: NULs or many control characters in the first KiB.</summary>
    internal static bool LooksBinary(ReadOnlySpan<char> s)
    {
        int n = Math.Min(s.Length, 1024), controls = 0;
        for (int i = 0; i < n; i++)
        {
            char c = s[i];
            if (c == '\0') return true;
            if (c < ' ' && c is not '\n' and not '\r' and not '\t' and not '\f') controls++;
        }
        return controls > n / 10;
    }

    internal readonly record struct Pass(bool StripUnlikely, bool WeightClasses, bool CleanConditionally);
}

/// <summary>Class/id vocabulary of boilerplate and content blocks (substring matches on lower-case "class id").</summary>
internal static class BlockNames
{
    /// <summary>Names of blocks that are almost never the main text; removed before scoring.</summary>
    private static readonly SearchValues<string> Unlikely = SearchValues.Create(
    [
        "-ad-", "ad-break", "agegate", "banner", "breadcrumb", "combx", "comment", "community", "consent", "cookie", "cover-wrap", "disqus",
        "extra", "foot", "gdpr", "header", "legends", "menu", "modal", "nav", "newsletter", "pager", "pagination", "popup",
        "related", "remark", "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "subscribe",
        "supplemental", "yom-remote",
    ], StringComparison.Ordinal);

    /// <summary>Names that rescue an otherwise unlikely block.</summary>
    private static readonly SearchValues<string> MaybeContent = SearchValues.Create(["and", "article", "body", "column", "content", "main", "mathjax", "shadow"], StringComparison.Ordinal);

    private static readonly SearchValues<string> Positive = SearchValues.Create(["article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text", "blog", "story"], StringComparison.Ordinal);

    private static readonly SearchValues<string> Negative = SearchValues.Create(
    [
        "-ad-", "banner", "byline", "combx", "comment", "com-", "contact", "cookie", "foot", "footer", "footnote", "gdpr", "masthead", "media",
        "meta", "modal", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping",
        "tags", "tool", "widget", "hidden",
    ], StringComparison.Ordinal);

    private static readonly string[] UnlikelyRoles = ["menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"];

    /// <summary>
    /// One multi-string search per list (the runtime's SearchValues: one vectorised pass over the name) instead of a
    /// substring search per word, which was ~5% of ingest's CPU time (perf, bench ingest). Each element's name is
    /// classified once per page (<see cref="PageScoring.Load"/>); class/id strings are mostly unique (ids like
    /// "post-1234"), and a per-thread memo of verdicts tried first left the per-word searches at that 5% (perf).
    /// </summary>
    private static bool ContainsAny(string s, SearchValues<string> words) => s.AsSpan().ContainsAny(words);

    public static bool IsUnlikely(string? classAndId) => classAndId is not null && ContainsAny(classAndId, Unlikely) && !ContainsAny(classAndId, MaybeContent);

    public static bool IsUnlikelyRole(string? role) => role is not null && Array.IndexOf(UnlikelyRoles, role) >= 0;

    public static int Weight(string? classAndId)
    {
        if (classAndId is null) return 0;
        int w = 0;
        if (ContainsAny(classAndId, Negative)) w -= 25;
        if (ContainsAny(classAndId, Positive)) w += 25;
        return w;
    }

    /// <summary><see cref="Weight"/>, <see cref="IsUnlikely"/> and <see cref="IsShare"/> of a class/id string.</summary>
    public static (int Weight, bool Unlikely, bool Share) Classify(string classAndId) => (Weight(classAndId), IsUnlikely(classAndId), IsShare(classAndId));

    public static bool IsShare(string? classAndId) => classAndId is not null && (classAndId.Contains("share", StringComparison.Ordinal) || classAndId.Contains("social", StringComparison.Ordinal));
}

/// <summary>
/// The per-page measurements and the passes of <see cref="DensityExtractor"/>; arrays indexed by node, grown as
/// needed and reused from page to page (<see cref="Load"/>).
/// </summary>
internal sealed class PageScoring
{
    private LiteHtmlDocument _doc = new();
    private int _n;
    private bool[] _excluded = [];
    private int[] _textLen = [], _linkLen = [], _commas = [], _pCount = [], _imgCount = [], _liCount = [], _inputCount = [], _embedCount = [], _headingLen = [], _listLen = [], _dataCells = [];
    private bool[] _hasBlockChild = [];
    private int[] _weight = [];
    private int[] _classWeight = [], _ownLen = [], _ownCommas = [];
    private bool[] _unlikelyClass = [], _shareClass = [];
    private float[] _score = [];
    private bool[] _scored = [];
    private int _body;

    /// <summary>Prepares the arrays for <paramref name="doc"/> (every pass clears what it uses).</summary>
    public void Load(LiteHtmlDocument doc)
    {
        _doc = doc;
        _n = doc.Nodes.Length;
        if (_excluded.Length < _n)
        {
            int size = Math.Max(_n, _excluded.Length * 2);
            _excluded = new bool[size];
            _textLen = new int[size];
            _linkLen = new int[size];
            _commas = new int[size];
            _pCount = new int[size];
            _imgCount = new int[size];
            _liCount = new int[size];
            _inputCount = new int[size];
            _embedCount = new int[size];
            _headingLen = new int[size];
            _listLen = new int[size];
            _dataCells = new int[size];
            _hasBlockChild = new bool[size];
            _weight = new int[size];
            _classWeight = new int[size];
            _ownLen = new int[size];
            _ownCommas = new int[size];
            _unlikelyClass = new bool[size];
            _shareClass = new bool[size];
            _score = new float[size];
            _scored = new bool[size];
        }
        int body = doc.Find(HtmlTag.Body);
        _body = body > 0 ? body : 0;

        // What does not depend on the pass, once per page: class/id verdicts, and each text run's length and commas.
        var nodes = doc.Nodes;
        for (int i = 1; i < _n; i++)
        {
            ref readonly var node = ref nodes[i];
            _ownLen[i] = _ownCommas[i] = _classWeight[i] = 0;
            _unlikelyClass[i] = _shareClass[i] = false;
            if (node.IsText) (_ownLen[i], _ownCommas[i]) = MeasureText(doc.TextOf(node));
            else if (node.ClassAndId is { } names) (_classWeight[i], _unlikelyClass[i], _shareClass[i]) = BlockNames.Classify(names);
        }
    }

    /// <summary>When set, <see cref="Write"/> marks every text node it writes (the block scorer reads density's choice as a feature).</summary>
    private bool[]? _mark;

    /// <summary>
    /// Runs the passes as <see cref="DensityExtractor"/> does (the first with at least
    /// <see cref="DensityExtractor.MinArticleChars"/> characters, else the longest) and marks in <paramref name="mark"/>
    /// the text nodes of the text it would return; returns that text's length.
    /// </summary>
    public int MarkArticle(bool[] mark, StringBuilder output)
    {
        var passes = DensityExtractor.AllPasses;
        int best = -1, bestLength = -1;
        for (int p = 0; p < passes.Length; p++)
        {
            mark.AsSpan(0, _n).Clear();
            _mark = mark;
            int length = Run(passes[p], output).Length;
            _mark = null;
            if (length >= DensityExtractor.MinArticleChars) return length;
            if (length > bestLength) (best, bestLength) = (p, length);
        }
        if (best != passes.Length - 1)
        {
            mark.AsSpan(0, _n).Clear();
            _mark = mark;
            Run(passes[best], output);
            _mark = null;
        }
        return bestLength;
    }

    public string Run(DensityExtractor.Pass pass, StringBuilder? output = null)
    {
        Measure(pass);
        int top = ScoreAndPickTop();
        var roots = top <= 0 ? [_body] : GatherSiblings(top);
        return Write(roots, pass, output);
    }

    // ---- measuring ----

    private static bool AlwaysDropped(HtmlTag tag) => tag is HtmlTag.Head or HtmlTag.Nav or HtmlTag.Aside or HtmlTag.Footer or HtmlTag.Button
        or HtmlTag.Select or HtmlTag.Option or HtmlTag.Optgroup or HtmlTag.Input or HtmlTag.Textarea or HtmlTag.Svg
        or HtmlTag.Iframe or HtmlTag.Object or HtmlTag.Embed or HtmlTag.Canvas or HtmlTag.Video or HtmlTag.Audio or HtmlTag.Map
        or HtmlTag.Dialog or HtmlTag.Template or HtmlTag.Noscript or HtmlTag.Script or HtmlTag.Style or HtmlTag.Title or HtmlTag.Meta
        or HtmlTag.Link or HtmlTag.Label or HtmlTag.Form or HtmlTag.Fieldset;

    /// <summary>Elements a <c>div</c> must not contain to be read as a paragraph (Readability's div-to-p rule).</summary>
    private static bool IsBlockForParagraph(HtmlTag tag) => tag is HtmlTag.A or HtmlTag.Blockquote or HtmlTag.Dl or HtmlTag.Div or HtmlTag.Img
        or HtmlTag.Ol or HtmlTag.P or HtmlTag.Pre or HtmlTag.Table or HtmlTag.Ul or HtmlTag.Select or HtmlTag.Section or HtmlTag.Article
        or HtmlTag.H1 or HtmlTag.H2 or HtmlTag.H3 or HtmlTag.H4 or HtmlTag.H5 or HtmlTag.H6 or HtmlTag.Figure or HtmlTag.Header or HtmlTag.Main;

    private void Measure(DensityExtractor.Pass pass)
    {
        var nodes = _doc.Nodes;
        _excluded.AsSpan(0, _n).Clear();
        _textLen.AsSpan(0, _n).Clear();
        _linkLen.AsSpan(0, _n).Clear();
        _commas.AsSpan(0, _n).Clear();
        _pCount.AsSpan(0, _n).Clear();
        _imgCount.AsSpan(0, _n).Clear();
        _liCount.AsSpan(0, _n).Clear();
        _inputCount.AsSpan(0, _n).Clear();
        _embedCount.AsSpan(0, _n).Clear();
        _headingLen.AsSpan(0, _n).Clear();
        _listLen.AsSpan(0, _n).Clear();
        _dataCells.AsSpan(0, _n).Clear();
        _hasBlockChild.AsSpan(0, _n).Clear();
        _weight.AsSpan(0, _n).Clear();
        _score.AsSpan(0, _n).Clear();
        _scored.AsSpan(0, _n).Clear();

        // Top-down: what is removed before scoring. Parents precede children in the node array.
        for (int i = 1; i < _n; i++)
        {
            ref readonly var node = ref nodes[i];
            int parent = node.Parent;
            if (_excluded[parent])
            {
                _excluded[i] = true;
                continue;
            }
            if (node.IsText) continue;
            _weight[i] = pass.WeightClasses ? _classWeight[i] : 0;
            bool drop = (node.Flags & LiteNodeFlags.Hidden) != 0 || AlwaysDropped(node.Tag) || BlockNames.IsUnlikelyRole(node.Role) || node.Role == "author";
            if (!drop && pass.StripUnlikely && node.Tag is not (HtmlTag.Body or HtmlTag.A or HtmlTag.Html or HtmlTag.Article or HtmlTag.Main)
                && _unlikelyClass[i])
                drop = true;
            _excluded[i] = drop;
        }

        // Bottom-up: text and link lengths, commas, counts of paragraphs, images, list items, inputs.
        for (int i = _n - 1; i >= 1; i--)
        {
            ref readonly var node = ref nodes[i];
            int parent = node.Parent;
            if (_excluded[i])
            {
                // Controls and embeds are dropped, but conditional cleaning still counts them.
                if (!node.IsText && !_excluded[parent])
                {
                    if (node.Tag is HtmlTag.Input or HtmlTag.Select or HtmlTag.Textarea) _inputCount[parent]++;
                    else if (node.Tag is HtmlTag.Embed or HtmlTag.Object or HtmlTag.Iframe or HtmlTag.Video) _embedCount[parent]++;
                }
                continue;
            }
            if (node.IsText)
            {
                _textLen[parent] += _ownLen[i];
                _commas[parent] += _ownCommas[i];
                continue;
            }
            var tag = node.Tag;
            if (tag == HtmlTag.A) _linkLen[i] = (node.Flags & LiteNodeFlags.FragmentLink) != 0 ? (int)(_textLen[i] * 0.3) : _textLen[i];
            if (HtmlTags.IsHeading(tag)) _headingLen[i] = _textLen[i];
            if (tag is HtmlTag.Ul or HtmlTag.Ol) _listLen[i] = _textLen[i];
            _textLen[parent] += _textLen[i];
            _linkLen[parent] += _linkLen[i];
            _commas[parent] += _commas[i];
            _pCount[parent] += _pCount[i] + (tag == HtmlTag.P ? 1 : 0);
            _imgCount[parent] += _imgCount[i] + (tag == HtmlTag.Img ? 1 : 0);
            _liCount[parent] += _liCount[i] + (tag == HtmlTag.Li ? 1 : 0);
            _inputCount[parent] += _inputCount[i];
            _embedCount[parent] += _embedCount[i];
            _headingLen[parent] += _headingLen[i];
            _listLen[parent] += _listLen[i];
            _dataCells[parent] += _dataCells[i] + (tag is HtmlTag.Th or HtmlTag.Caption or HtmlTag.Thead ? 1 : 0);
            if (IsBlockForParagraph(tag)) _hasBlockChild[parent] = true;
        }
    }

    /// <summary>Whitespace-collapsed length of a text run (leading/trailing space counted once) and its commas.</summary>
    internal static (int Length, int Commas) MeasureText(ReadOnlySpan<char> text)
    {
        int len = 0, commas = 0;
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space && len > 0) len++;
            space = false;
            len++;
            if (c is ',' or '\u060C' or '\uFE50' or '\uFE10' or '\uFE11' or '\u2E41' or '\u2E34' or '\u2E32' or '\uFF0C') commas++;
        }
        if (space && len > 0) len++;
        return (len, commas);
    }

    private float LinkDensity(int i) => _textLen[i] == 0 ? 0f : Math.Min(1f, (float)_linkLen[i] / _textLen[i]);

    // ---- scoring ----

    private static int TagScore(HtmlTag tag) => tag switch
    {
        HtmlTag.Div or HtmlTag.Article or HtmlTag.Main => 5,
        HtmlTag.Pre or HtmlTag.Td or HtmlTag.Blockquote => 3,
        HtmlTag.Address or HtmlTag.Ol or HtmlTag.Ul or HtmlTag.Dl or HtmlTag.Dd or HtmlTag.Dt or HtmlTag.Li or HtmlTag.Form => -3,
        HtmlTag.H1 or HtmlTag.H2 or HtmlTag.H3 or HtmlTag.H4 or HtmlTag.H5 or HtmlTag.H6 or HtmlTag.Th => -5,
        _ => 0,
    };

    private bool IsParagraphLike(int i, in LiteNode node) => node.Tag switch
    {
        HtmlTag.P or HtmlTag.Pre or HtmlTag.Td or HtmlTag.Section or HtmlTag.H2 or HtmlTag.H3 or HtmlTag.H4 or HtmlTag.H5 or HtmlTag.H6 => true,
        HtmlTag.Div => !_hasBlockChild[i],
        _ => false,
    };

    private int ScoreAndPickTop()
    {
        var nodes = _doc.Nodes;
        for (int i = 1; i < _n; i++)
        {
            ref readonly var node = ref nodes[i];
            if (node.IsText || _excluded[i] || !IsParagraphLike(i, node)) continue;
            int len = _textLen[i];
            if (len < 25) continue;
            float contentScore = 1 + _commas[i] + Math.Min(len / 100, 3);
            int a = node.Parent;
            for (int level = 0; level < 5 && a > 0; level++, a = nodes[a].Parent)
            {
                if (nodes[a].Tag is HtmlTag.Html or HtmlTag.Document) break;
                if (!_scored[a])
                {
                    _scored[a] = true;
                    _score[a] = TagScore(nodes[a].Tag) + _weight[a];
                }
                float divider = level == 0 ? 1 : level == 1 ? 2 : level * 3;
                _score[a] += contentScore / divider;
            }
        }

        // Scale by link density; keep the five best.
        Span<int> best = stackalloc int[5];
        best.Fill(-1);
        for (int i = 1; i < _n; i++)
        {
            if (!_scored[i]) continue;
            _score[i] *= 1 - LinkDensity(i);
            for (int t = 0; t < best.Length; t++)
            {
                if (best[t] < 0 || _score[i] > _score[best[t]])
                {
                    for (int k = best.Length - 1; k > t; k--) best[k] = best[k - 1];
                    best[t] = i;
                    break;
                }
            }
        }
        int top = best[0];
        if (top < 0 || nodes[top].Tag == HtmlTag.Body) return -1;

        // Several near-equal candidates under one ancestor: the article is that ancestor.
        int alternatives = 0;
        for (int t = 1; t < best.Length; t++)
            if (best[t] >= 0 && _score[best[t]] >= 0.75f * _score[top]) alternatives++;
        if (alternatives >= 3)
        {
            for (int p = nodes[top].Parent; p > 0 && nodes[p].Tag != HtmlTag.Body; p = nodes[p].Parent)
            {
                int containing = 0;
                for (int t = 1; t < best.Length; t++)
                    if (best[t] >= 0 && _score[best[t]] >= 0.75f * _score[top] && IsAncestor(p, best[t])) containing++;
                if (containing >= 3)
                {
                    top = p;
                    break;
                }
            }
        }
        if (!_scored[top])
        {
            _scored[top] = true;
            _score[top] = TagScore(nodes[top].Tag) + _weight[top];
        }

        // Climb while the parent scores at least a third of the candidate and more than it.
        float last = _score[top];
        for (int p = nodes[top].Parent; p > 0 && nodes[p].Tag is not (HtmlTag.Body or HtmlTag.Html); p = nodes[p].Parent)
        {
            if (!_scored[p]) continue;
            if (_score[p] < last / 3) break;
            if (_score[p] > last)
            {
                top = p;
                break;
            }
            last = _score[p];
        }
        // A lone child is its parent.
        for (int p = nodes[top].Parent; p > 0 && nodes[p].Tag is not (HtmlTag.Body or HtmlTag.Html) && ElementChildren(p) == 1; p = nodes[p].Parent)
            top = p;
        return top;
    }

    private bool IsAncestor(int ancestor, int node)
    {
        var nodes = _doc.Nodes;
        for (int p = nodes[node].Parent; p > 0; p = nodes[p].Parent)
            if (p == ancestor) return true;
        return false;
    }

    private int ElementChildren(int i)
    {
        var nodes = _doc.Nodes;
        int count = 0;
        for (int c = nodes[i].FirstChild; c > 0; c = nodes[c].NextSibling)
            if (!nodes[c].IsText && !_excluded[c]) count++;
        return count;
    }

    /// <summary>The top candidate and the siblings that belong with it, in document order.</summary>
    private List<int> GatherSiblings(int top)
    {
        var nodes = _doc.Nodes;
        int parent = nodes[top].Parent;
        var roots = new List<int>();
        if (parent <= 0)
        {
            roots.Add(top);
            return roots;
        }
        float topScore = _score[top];
        float threshold = Math.Max(10f, topScore * 0.2f);
        string? topClass = nodes[top].ClassAndId;
        for (int s = nodes[parent].FirstChild; s > 0; s = nodes[s].NextSibling)
        {
            ref readonly var sib = ref nodes[s];
            if (sib.IsText || _excluded[s]) continue;
            bool append = s == top;
            if (!append)
            {
                float bonus = topClass is not null && sib.ClassAndId == topClass ? topScore * 0.2f : 0f;
                if (_scored[s] && _score[s] + bonus >= threshold) append = true;
                else if (sib.Tag == HtmlTag.P || (sib.Tag == HtmlTag.Div && !_hasBlockChild[s]))
                {
                    float ld = LinkDensity(s);
                    int len = _textLen[s];
                    if (len > 80 && ld < 0.25f) append = true;
                    else if (len is > 0 and <= 80 && ld == 0 && EndsSentence(_doc.InnerText(s))) append = true;
                }
            }
            if (append) roots.Add(s);
        }
        return roots;
    }

    private static bool EndsSentence(string text)
    {
        int dot = text.IndexOf('.');
        while (dot >= 0)
        {
            if (dot == text.Length - 1 || char.IsWhiteSpace(text[dot + 1])) return true;
            dot = text.IndexOf('.', dot + 1);
        }
        return false;
    }

    // ---- cleaning and writing ----

    /// <summary>Conditional cleaning of a container inside the article (Readability's rules, thresholds as cited above).</summary>
    private bool RemoveConditionally(int i, in LiteNode node)
    {
        if (node.Tag is not (HtmlTag.Table or HtmlTag.Ul or HtmlTag.Ol or HtmlTag.Div or HtmlTag.Section or HtmlTag.Dl or HtmlTag.Header)) return false;
        if (node.Tag == HtmlTag.Table && _dataCells[i] > 0) return false;
        int weight = _weight[i];
        float score = _scored[i] ? _score[i] : 0f;
        if (weight + score < 0) return true;
        if (_commas[i] >= 10) return false;
        bool isList = node.Tag is HtmlTag.Ul or HtmlTag.Ol;
        int len = _textLen[i];
        float ld = LinkDensity(i);
        // A container made of lists is read as a list, unless it is mostly links (a div of link lists is navigation).
        if (!isList && len > 0 && _listLen[i] > 0.9f * len && ld < 0.5f) isList = true;
        int p = _pCount[i], img = _imgCount[i], li = _liCount[i] - 100, input = _inputCount[i], embeds = _embedCount[i];
        float headingDensity = len == 0 ? 0 : (float)_headingLen[i] / len;
        if (img > 1 && (float)p / img < 0.5f) return true;
        if (!isList && li > p) return true;
        if (input > p / 3) return true;
        if (!isList && headingDensity < 0.9f && len < 25 && (img == 0 || img > 2) && ld > 0) return true;
        if (!isList && weight < 25 && ld > 0.2f) return true;
        if (weight >= 25 && ld > 0.5f) return true;
        if ((embeds == 1 && len < 75) || embeds > 1) return true;
        return false;
    }

    private string Write(List<int> roots, DensityExtractor.Pass pass, StringBuilder? output)
    {
        var nodes = _doc.Nodes;
        var w = output is null ? new BlockTextWriter(Math.Max(256, _textLen[roots[0]] + 64)) : new BlockTextWriter(output);
        string title = _doc.Title;
        int h2Count = 0;
        foreach (int root in roots)
        {
            // Depth-first walk of the root's subtree with enter/leave events, without recursion.
            int i = root;
            bool entering = true;
            int preDepth = 0;
            while (true)
            {
                ref readonly var node = ref nodes[i];
                if (entering)
                {
                    bool skip = _excluded[i] && i != root;
                    if (!skip && !node.IsText)
                    {
                        if (node.Tag == HtmlTag.H1 && i != root) skip = true;
                        else if (pass.CleanConditionally && i != root && RemoveConditionally(i, node)) skip = true;
                        else if (i != root && _shareClass[i] && _textLen[i] < 500) skip = true;
                        else if (HtmlTags.IsHeading(node.Tag) && (_weight[i] < 0 || (node.Tag == HtmlTag.H2 && h2Count++ == 0 && DuplicatesTitle(i, title)))) skip = true;
                    }
                    if (skip)
                    {
                        entering = false;
                    }
                    else if (node.IsText)
                    {
                        if (_mark is not null) _mark[i] = true;
                        if (preDepth > 0) w.Preformatted(_doc.TextOf(node));
                        else w.Text(_doc.TextOf(node));
                        entering = false;
                    }
                    else
                    {
                        Open(w, node.Tag, ref preDepth);
                        if (node.FirstChild > 0)
                        {
                            i = node.FirstChild;
                            continue;
                        }
                        Close(w, node.Tag, ref preDepth);
                        entering = false;
                    }
                }
                if (i == root) break;
                if (nodes[i].NextSibling > 0)
                {
                    i = nodes[i].NextSibling;
                    entering = true;
                    continue;
                }
                i = nodes[i].Parent;
                Close(w, nodes[i].Tag, ref preDepth);
                if (i == root) break;
            }
            w.EndBlock();
        }
        return w.ToString();
    }

    private bool DuplicatesTitle(int heading, string title)
    {
        if (title.Length == 0) return false;
        string text = _doc.InnerText(heading).Trim();
        if (text.Length == 0) return false;
        string collapsed = Collapse(text);
        foreach (var t in TitleForms(title))
        {
            float r = (float)(collapsed.Length - t.Length) / t.Length;
            if (Math.Abs(r) >= 0.5f) continue;
            if (r > 0 ? collapsed.Contains(t, StringComparison.Ordinal) : t.Contains(collapsed, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static readonly string[] TitleSeparators = [" | ", " - ", " \u2013 ", " \u2014 ", " \\ ", " / ", " > ", " \u00BB ", " :: ", ": "];

    /// <summary>The page title, and the title without its site name (the part after the last or before the first separator).</summary>
    private static IEnumerable<string> TitleForms(string title)
    {
        yield return title;
        foreach (var sep in TitleSeparators)
        {
            int last = title.LastIndexOf(sep, StringComparison.Ordinal);
            if (last <= 0) continue;
            yield return title[..last].Trim();
            int first = title.IndexOf(sep, StringComparison.Ordinal);
            yield return title[(first + sep.Length)..].Trim();
        }
    }

    private static string Collapse(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (char.IsWhiteSpace(c)) { space = sb.Length > 0; continue; }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static void Open(BlockTextWriter w, HtmlTag tag, ref int preDepth)
    {
        switch (tag)
        {
            case HtmlTag.Br: w.LineBreak(); break;
            case HtmlTag.Li or HtmlTag.Tr or HtmlTag.Dt or HtmlTag.Dd: w.LineBreak(); break;
            case HtmlTag.Td or HtmlTag.Th or HtmlTag.Img: w.Space(); break;
            case HtmlTag.Pre:
                w.EndBlock();
                preDepth++;
                break;
            default:
                if (HtmlTags.IsBlock(tag)) w.EndBlock();
                break;
        }
    }

    private static void Close(BlockTextWriter w, HtmlTag tag, ref int preDepth)
    {
        switch (tag)
        {
            case HtmlTag.Li or HtmlTag.Tr or HtmlTag.Dt or HtmlTag.Dd: w.LineBreak(); break;
            case HtmlTag.Td or HtmlTag.Th: w.Space(); break;
            case HtmlTag.Pre:
                preDepth--;
                w.EndBlock();
                break;
            case HtmlTag.Ul or HtmlTag.Ol or HtmlTag.Dl or HtmlTag.Table: w.EndBlock(); break;
            default:
                if (HtmlTags.IsBlock(tag)) w.EndBlock();
                break;
        }
    }
}
