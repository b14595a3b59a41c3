using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// A tolerant HTML tokenizer and tree builder written for main-text extraction at Common Crawl rates.
/// <para>
/// Why our own: the maintained parsers build a full DOM with every attribute, and the SmartReader extractor on top of
/// AngleSharp manages about 27 pages/s per core on the 130 pages of ../shared/data/html-extraction (this machine),
/// two orders of magnitude below what a crawl segment needs (`dotnet run --project bench -c Release -- extract-speed`
/// prints density vs SmartReader vs AngleSharp and HtmlAgilityPack parse-only, same pages, same run). This parser
/// keeps only what extraction reads (tag, class/id, role, visibility) and works over spans in one pass.
/// </para>
/// <para>
/// Rules followed from the HTML Living Standard, simplified: void elements never take children; the contents of
/// script, style, noscript, template, textarea, iframe, xmp, noembed and title are raw text and skipped
/// (the title is kept apart; noframes content is parsed as markup, as a browser without frames renders it: on a
/// frameset page it is the only text); block starts close an open <c>p</c>; <c>li</c>, <c>dt</c>/<c>dd</c>, <c>tr</c>,
/// <c>td</c>/<c>th</c>, table sections and <c>option</c> close their open predecessor; an end tag closes up to its
/// matching open element and is ignored when none is open; character references are decoded (numeric ones with the
/// windows-1252 remap of 0x80-0x9F, named ones through <see cref="WebUtility.HtmlDecode(string)"/>).
/// </para>
/// <para>
/// Hostile input is bounded: the tree is built with an explicit stack and never recursion, elements deeper than
/// <see cref="MaxDepth"/> are not created (their text goes to the deepest open element), and parsing stops after
/// <see cref="MaxNodes"/> nodes, so one million nested tags cost neither stack nor more memory than the page itself.
/// </para>
/// </summary>
public static class LiteHtmlParser
{
    /// <summary>Open elements deeper than this are not created (browsers stop nesting at a few hundred too).</summary>
    public const int MaxDepth = 256;

    /// <summary>A page with more nodes than this is truncated there (a 10 MiB page of real HTML has far fewer).</summary>
    public const int MaxNodes = 1 << 20;

    private const int MaxCachedEntities = 4096;
    private static readonly ConcurrentDictionary<string, string?> NamedEntities = new(StringComparer.Ordinal);

    public static LiteHtmlDocument Parse(string html) => Parse(html.AsSpan());

    public static LiteHtmlDocument Parse(ReadOnlySpan<char> html)
    {
        var b = new Builder(html.Length, reuse: null);
        b.Run(html);
        return b.Finish();
    }

    /// <summary>
    /// Parses into <paramref name="reuse"/>, keeping its node and text arrays when they are large enough: the ingest
    /// path parses page after page on one thread, and two fresh arrays per page (about 3 bytes per byte of HTML, on
    /// the large object heap for any real page) were what drove its gen-2 collections (bench ingest prints the counts).
    /// The previous tree of <paramref name="reuse"/> is gone afterwards.
    /// </summary>
    public static LiteHtmlDocument ParseInto(ReadOnlySpan<char> html, LiteHtmlDocument reuse)
    {
        ArgumentNullException.ThrowIfNull(reuse);
        var b = new Builder(html.Length, reuse);
        b.Run(html);
        return b.Finish();
    }

    private ref struct Builder
    {
        private readonly LiteHtmlDocument _doc;
        private LiteNode[] _nodes;
        private int _count;
        private char[] _text;
        private int _textLength;
        private readonly int[] _open;
        private int _depth;
        private readonly int[] _openCount;
        private int _beyondDepth;
        private bool _truncated;
        private string? _title;

        public Builder(int inputLength, LiteHtmlDocument? reuse)
        {
            _doc = reuse ?? new LiteHtmlDocument();
            int nodes = Math.Clamp(inputLength / 40, 64, MaxNodes);
            int chars = Math.Max(256, inputLength);
            _nodes = reuse is not null && reuse.NodeArray.Length >= nodes ? reuse.NodeArray : new LiteNode[nodes];
            _text = reuse is not null && reuse.TextBuffer.Length >= chars ? reuse.TextBuffer : new char[chars];
            _open = new int[MaxDepth + 1];
            _openCount = new int[256];
            _nodes[0] = new LiteNode { Parent = -1, Tag = HtmlTag.Document };
            _count = 1;
            _open[0] = 0;
            _depth = 1;
        }

        private readonly int Current => _open[_depth - 1];

        public void Run(ReadOnlySpan<char> html)
        {
            int i = 0, n = html.Length;
            while (i < n && !_truncated)
            {
                int lt = html[i..].IndexOf('<');
                if (lt < 0)
                {
                    AppendText(html[i..]);
                    break;
                }
                if (lt > 0) AppendText(html.Slice(i, lt));
                i += lt;
                if (i + 1 >= n)
                {
                    AppendText("<");
                    break;
                }
                char c = html[i + 1];
                if (c == '!')
                {
                    if (html[i..].StartsWith("<!--"))
                    {
                        int end = html[(i + 4)..].IndexOf("-->");
                        i = end < 0 ? n : i + 4 + end + 3;
                    }
                    else i = SkipPast(html, i + 2, '>');
                }
                else if (c == '?') i = SkipPast(html, i + 2, '>');
                else if (c == '/')
                {
                    if (i + 2 < n && char.IsAsciiLetter(html[i + 2]))
                    {
                        int nameEnd = NameEnd(html, i + 2);
                        var (tag, hash) = Name(html[(i + 2)..nameEnd]);
                        i = SkipPast(html, nameEnd, '>');
                        EndTag(tag, hash);
                    }
                    else i = SkipPast(html, i + 2, '>');
                }
                else if (char.IsAsciiLetter(c)) i = StartTag(html, i + 1);
                else
                {
                    AppendText("<");
                    i++;
                }
            }
        }

        private static int SkipPast(ReadOnlySpan<char> html, int from, char c)
        {
            if (from >= html.Length) return html.Length;
            int k = html[from..].IndexOf(c);
            return k < 0 ? html.Length : from + k + 1;
        }

        private static int NameEnd(ReadOnlySpan<char> html, int from)
        {
            int j = from;
            while (j < html.Length)
            {
                char ch = html[j];
                if (ch is '>' or '/' || char.IsWhiteSpace(ch)) break;
                j++;
            }
            return j;
        }

        private static (HtmlTag Tag, int Hash) Name(ReadOnlySpan<char> raw)
        {
            if (raw.Length > 24) return (HtmlTag.Unknown, Hash(raw));
            Span<char> lower = stackalloc char[raw.Length];
            raw.ToLowerInvariant(lower);
            var tag = HtmlTags.Lookup(lower);
            return (tag, tag == HtmlTag.Unknown ? Hash(lower) : 0);
        }

        private static int Hash(ReadOnlySpan<char> name)
        {
            uint h = 2166136261;
            foreach (char ch in name) h = (h ^ char.ToLowerInvariant(ch)) * 16777619;
            return (int)h;
        }

        /// <summary>Parses a start tag whose name begins at <paramref name="from"/>; returns the index after it.</summary>
        private int StartTag(ReadOnlySpan<char> html, int from)
        {
            int n = html.Length;
            int nameEnd = NameEnd(html, from);
            var (tag, hash) = Name(html[from..nameEnd]);
            string? classAndId = null, role = null;
            string? cls = null, id = null;
            var flags = LiteNodeFlags.None;
            int j = nameEnd;
            bool selfClosed = false;
            while (true)
            {
                while (j < n && (char.IsWhiteSpace(html[j]) || html[j] == '/')) j++;
                if (j >= n) return n; // EOF inside a tag: the tag is dropped
                if (html[j] == '>')
                {
                    selfClosed = html[j - 1] == '/';
                    j++;
                    break;
                }
                int an = j;
                while (j < n && html[j] != '=' && html[j] != '>' && !char.IsWhiteSpace(html[j]) && !(html[j] == '/' && j > an)) j++;
                var attrName = html[an..j];
                while (j < n && char.IsWhiteSpace(html[j])) j++;
                ReadOnlySpan<char> value = default;
                if (j < n && html[j] == '=')
                {
                    j++;
                    while (j < n && char.IsWhiteSpace(html[j])) j++;
                    if (j >= n) return n;
                    char q = html[j];
                    if (q is '"' or '\'')
                    {
                        int close = html[(j + 1)..].IndexOf(q);
                        if (close < 0) return n;
                        value = html.Slice(j + 1, close);
                        j += close + 2;
                    }
                    else
                    {
                        int vs = j;
                        while (j < n && html[j] != '>' && !char.IsWhiteSpace(html[j])) j++;
                        value = html[vs..j];
                    }
                }
                if (attrName.Length == 0) { j++; continue; }
                if (attrName.Equals("class", StringComparison.OrdinalIgnoreCase)) cls ??= value.Trim().ToString().ToLowerInvariant();
                else if (attrName.Equals("id", StringComparison.OrdinalIgnoreCase)) id ??= value.Trim().ToString().ToLowerInvariant();
                else if (attrName.Equals("role", StringComparison.OrdinalIgnoreCase)) role ??= value.Trim().ToString().ToLowerInvariant();
                else if (attrName.Equals("hidden", StringComparison.OrdinalIgnoreCase)) flags |= LiteNodeFlags.Hidden;
                else if (attrName.Equals("aria-hidden", StringComparison.OrdinalIgnoreCase))
                {
                    if (value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase)) flags |= LiteNodeFlags.Hidden;
                }
                else if (attrName.Equals("style", StringComparison.OrdinalIgnoreCase))
                {
                    if (StyleHides(value)) flags |= LiteNodeFlags.Hidden;
                }
                else if (attrName.Equals("href", StringComparison.OrdinalIgnoreCase))
                {
                    flags |= LiteNodeFlags.Href;
                    if (value.TrimStart().StartsWith("#")) flags |= LiteNodeFlags.FragmentLink;
                }
                else if ((attrName.Equals("rel", StringComparison.OrdinalIgnoreCase) || attrName.Equals("itemprop", StringComparison.OrdinalIgnoreCase))
                         && value.Contains("author", StringComparison.OrdinalIgnoreCase))
                    role ??= "author";
            }
            if (cls is not null || id is not null) classAndId = cls is null ? id : id is null ? cls : cls + " " + id;
            if (selfClosed) flags |= LiteNodeFlags.SelfClosed;

            if (HtmlTags.IsRawTextSkipped(tag))
            {
                int end = FindRawTextEnd(html, j, tag);
                if (tag == HtmlTag.Title && _title is null) _title = CollapseTitle(html[j..end]);
                if (end >= n) return n;
                return SkipPast(html, end, '>');
            }
            OpenElement(tag, hash, classAndId, role, flags);
            return j;
        }

        private static bool StyleHides(ReadOnlySpan<char> style)
        {
            Span<char> buf = stackalloc char[Math.Min(style.Length, 256)];
            int k = 0;
            foreach (char ch in style)
            {
                if (k == buf.Length) break;
                if (!char.IsWhiteSpace(ch)) buf[k++] = char.ToLowerInvariant(ch);
            }
            var s = buf[..k];
            return s.Contains("display:none", StringComparison.Ordinal) || s.Contains("visibility:hidden", StringComparison.Ordinal);
        }

        /// <summary>Index of the <c>&lt;/name</c> that ends a raw-text element, or the input length.</summary>
        private static int FindRawTextEnd(ReadOnlySpan<char> html, int from, HtmlTag tag)
        {
            string name = tag.ToString();
            int j = from;
            while (j < html.Length)
            {
                int k = html[j..].IndexOf("</", StringComparison.Ordinal);
                if (k < 0) return html.Length;
                j += k;
                int after = j + 2 + name.Length;
                if (after <= html.Length && html.Slice(j + 2, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase)
                    && (after == html.Length || html[after] is '>' or '/' || char.IsWhiteSpace(html[after])))
                    return j;
                j += 2;
            }
            return html.Length;
        }

        private static string CollapseTitle(ReadOnlySpan<char> raw)
        {
            string decoded = raw.Contains('&') ? WebUtility.HtmlDecode(raw.ToString()) : raw.ToString();
            var sb = new StringBuilder(decoded.Length);
            bool space = false;
            foreach (char ch in decoded)
            {
                if (char.IsWhiteSpace(ch)) { space = sb.Length > 0; continue; }
                if (space) sb.Append(' ');
                space = false;
                sb.Append(ch);
            }
            return sb.ToString();
        }

        // ---- tree building ----

        private void OpenElement(HtmlTag tag, int hash, string? classAndId, string? role, LiteNodeFlags flags)
        {
            switch (tag)
            {
                case HtmlTag.Html or HtmlTag.Body or HtmlTag.Head:
                    // Repeated html/body/head tags (common in concatenated or templated pages) add no element.
                    if (_openCount[(int)tag] > 0 || (tag != HtmlTag.Html && HasNode(tag))) return;
                    if (tag == HtmlTag.Body && _openCount[(int)HtmlTag.Head] > 0) PopTo(FindOpen(HtmlTag.Head, stopAtTable: false));
                    break;
                case HtmlTag.Li:
                    CloseParagraph();
                    PopTo(FindOpenUntil(HtmlTag.Li, HtmlTag.Ul, HtmlTag.Ol, HtmlTag.Menu));
                    break;
                case HtmlTag.Dt or HtmlTag.Dd:
                    CloseParagraph();
                    PopTo(FindOpenUntil(HtmlTag.Dt, HtmlTag.Dl, HtmlTag.Dl, HtmlTag.Dl, HtmlTag.Dd));
                    break;
                case HtmlTag.Tr:
                    PopTo(FindOpenUntil(HtmlTag.Tr, HtmlTag.Table, HtmlTag.Table, HtmlTag.Table));
                    break;
                case HtmlTag.Td or HtmlTag.Th:
                    PopTo(FindOpenUntil(HtmlTag.Td, HtmlTag.Tr, HtmlTag.Table, HtmlTag.Table, HtmlTag.Th));
                    break;
                case HtmlTag.Thead or HtmlTag.Tbody or HtmlTag.Tfoot:
                    {
                        int at = FindOpenUntil(HtmlTag.Thead, HtmlTag.Table, HtmlTag.Table, HtmlTag.Table, HtmlTag.Tbody, HtmlTag.Tfoot);
                        PopTo(at);
                        break;
                    }
                case HtmlTag.Option:
                    if (_nodes[Current].Tag == HtmlTag.Option) Pop();
                    break;
                case HtmlTag.Optgroup:
                    if (_nodes[Current].Tag == HtmlTag.Option) Pop();
                    if (_nodes[Current].Tag == HtmlTag.Optgroup) Pop();
                    break;
                case HtmlTag.A:
                    // Nested links are not allowed: the open one ends here (a simplified "adoption agency").
                    if (_openCount[(int)HtmlTag.A] > 0) PopTo(FindOpen(HtmlTag.A, stopAtTable: true));
                    break;
                case HtmlTag.H1 or HtmlTag.H2 or HtmlTag.H3 or HtmlTag.H4 or HtmlTag.H5 or HtmlTag.H6:
                    CloseParagraph();
                    if (HtmlTags.IsHeading(_nodes[Current].Tag)) Pop();
                    break;
                default:
                    if (HtmlTags.ClosesOpenParagraph(tag)) CloseParagraph();
                    break;
            }

            bool leaf = HtmlTags.IsVoid(tag) || (flags & LiteNodeFlags.SelfClosed) != 0;
            if (!leaf && _depth > MaxDepth)
            {
                _beyondDepth++;
                return;
            }
            int node = AddNode(new LiteNode { Tag = tag, NameHash = hash, ClassAndId = classAndId, Role = role, Flags = flags });
            if (node < 0 || leaf) return;
            _open[_depth++] = node;
            _openCount[(int)tag]++;
        }

        private readonly bool HasNode(HtmlTag tag)
        {
            for (int i = 1; i < _count && i < 64; i++)
                if (_nodes[i].Tag == tag && !_nodes[i].IsText) return true;
            return false;
        }

        private void CloseParagraph()
        {
            if (_openCount[(int)HtmlTag.P] > 0) PopTo(FindOpen(HtmlTag.P, stopAtTable: true));
        }

        private void EndTag(HtmlTag tag, int hash)
        {
            switch (tag)
            {
                case HtmlTag.Br:
                    OpenElement(HtmlTag.Br, 0, null, null, LiteNodeFlags.None);
                    return;
                case HtmlTag.Html or HtmlTag.Body:
                    return; // content after </body> still belongs to the body, as in browsers
                case HtmlTag.Unknown:
                    for (int d = _depth - 1; d >= 1; d--)
                    {
                        ref var n = ref _nodes[_open[d]];
                        if (n.Tag == HtmlTag.Unknown && n.NameHash == hash)
                        {
                            PopTo(d);
                            return;
                        }
                        if (n.Tag is HtmlTag.Td or HtmlTag.Th or HtmlTag.Table or HtmlTag.Caption) return;
                    }
                    return;
            }
            if (_openCount[(int)tag] == 0) return;
            bool tableStructure = tag is HtmlTag.Table or HtmlTag.Tr or HtmlTag.Td or HtmlTag.Th or HtmlTag.Tbody or HtmlTag.Thead or HtmlTag.Tfoot or HtmlTag.Caption;
            PopTo(tag == HtmlTag.Table ? FindOpen(tag, stopAtTable: false) : tableStructure ? FindOpenUntil(tag, HtmlTag.Table, HtmlTag.Table, HtmlTag.Table) : FindOpen(tag, stopAtTable: true));
        }

        /// <summary>Stack position of the innermost open <paramref name="tag"/>, not looking past a table cell when asked; -1 if none.</summary>
        private readonly int FindOpen(HtmlTag tag, bool stopAtTable)
        {
            if (_openCount[(int)tag] == 0) return -1;
            for (int d = _depth - 1; d >= 1; d--)
            {
                var t = _nodes[_open[d]].Tag;
                if (t == tag) return d;
                if (stopAtTable && t is HtmlTag.Td or HtmlTag.Th or HtmlTag.Table or HtmlTag.Caption or HtmlTag.Button or HtmlTag.Template) return -1;
            }
            return -1;
        }

        /// <summary>Like <see cref="FindOpen"/> for <paramref name="tag"/> or <paramref name="alt1"/>/<paramref name="alt2"/>, stopping at the given scope elements.</summary>
        private readonly int FindOpenUntil(HtmlTag tag, HtmlTag stop1, HtmlTag stop2, HtmlTag stop3, HtmlTag alt1 = HtmlTag.Document, HtmlTag alt2 = HtmlTag.Document)
        {
            if (_openCount[(int)tag] == 0 && (alt1 == HtmlTag.Document || _openCount[(int)alt1] == 0) && (alt2 == HtmlTag.Document || _openCount[(int)alt2] == 0)) return -1;
            for (int d = _depth - 1; d >= 1; d--)
            {
                var t = _nodes[_open[d]].Tag;
                if (t == tag || t == alt1 || t == alt2) return d;
                if (t == stop1 || t == stop2 || t == stop3) return -1;
            }
            return -1;
        }

        /// <summary>Closes the open element at stack position <paramref name="d"/> and everything opened inside it.</summary>
        private void PopTo(int d)
        {
            if (d < 1) return;
            while (_depth > d) Pop();
        }

        private void Pop()
        {
            if (_depth <= 1) return;
            _openCount[(int)_nodes[_open[--_depth]].Tag]--;
        }

        private int AddNode(LiteNode node)
        {
            if (_count >= MaxNodes)
            {
                _truncated = true;
                return -1;
            }
            if (_count == _nodes.Length) Array.Resize(ref _nodes, Math.Min(MaxNodes, _nodes.Length * 2));
            int parent = Current;
            node.Parent = parent;
            int index = _count++;
            ref var p = ref _nodes[parent];
            if (p.LastChild == 0) p.FirstChild = index;
            else _nodes[p.LastChild].NextSibling = index;
            p.LastChild = index;
            _nodes[index] = node;
            return index;
        }

        // ---- text ----

        private void AppendText(ReadOnlySpan<char> raw)
        {
            if (raw.IsEmpty) return;
            int start = _textLength;
            EnsureText(raw.Length);
            int amp = raw.IndexOf('&');
            if (amp < 0)
            {
                raw.CopyTo(_text.AsSpan(_textLength));
                _textLength += raw.Length;
            }
            else DecodeInto(raw);
            int len = _textLength - start;
            if (len == 0) return;
            int parent = Current;
            int last = _nodes[parent].LastChild;
            if (last != 0 && _nodes[last].IsText && _nodes[last].TextStart + _nodes[last].TextLength == start)
            {
                _nodes[last].TextLength += len;
                return;
            }
            if (AddNode(new LiteNode { IsText = true, TextStart = start, TextLength = len }) < 0) _textLength = start;
        }

        private void EnsureText(int extra)
        {
            if (_textLength + extra <= _text.Length) return;
            Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + extra));
        }

        private void Emit(char c) => _text[_textLength++] = c;

        /// <summary>Copies <paramref name="raw"/> with character references decoded (never longer than the input, except astral code points).</summary>
        private void DecodeInto(ReadOnlySpan<char> raw)
        {
            int i = 0;
            while (i < raw.Length)
            {
                int amp = raw[i..].IndexOf('&');
                if (amp < 0)
                {
                    raw[i..].CopyTo(_text.AsSpan(_textLength));
                    _textLength += raw.Length - i;
                    return;
                }
                raw.Slice(i, amp).CopyTo(_text.AsSpan(_textLength));
                _textLength += amp;
                i += amp;
                i += DecodeReference(raw[i..]);
            }
        }

        /// <summary>Decodes the reference at the start of <paramref name="s"/> (which begins with '&amp;'); returns chars consumed.</summary>
        private int DecodeReference(ReadOnlySpan<char> s)
        {
            if (s.Length > 2 && s[1] == '#')
            {
                bool hex = s[2] is 'x' or 'X';
                int j = hex ? 3 : 2;
                int value = 0, digits = 0;
                while (j < s.Length)
                {
                    int d = hex ? HexValue(s[j]) : (char.IsAsciiDigit(s[j]) ? s[j] - '0' : -1);
                    if (d < 0) break;
                    if (value < 0x110000) value = value * (hex ? 16 : 10) + d;
                    digits++;
                    j++;
                }
                if (digits == 0)
                {
                    Emit('&');
                    return 1;
                }
                if (j < s.Length && s[j] == ';') j++;
                EmitCodePoint(value);
                return j;
            }
            int k = 1;
            while (k < s.Length && k <= 32 && char.IsAsciiLetterOrDigit(s[k])) k++;
            if (k == 1)
            {
                Emit('&');
                return 1;
            }
            var name = s[1..k];
            if (k < s.Length && s[k] == ';')
            {
                string? decoded = Named(name);
                if (decoded is not null)
                {
                    EnsureText(decoded.Length);
                    foreach (char ch in decoded) Emit(ch);
                    return k + 1;
                }
            }
            else
            {
                // Legacy references browsers accept without the semicolon.
                foreach (var (legacy, ch) in LegacyWithoutSemicolon)
                {
                    if (name.StartsWith(legacy, StringComparison.Ordinal))
                    {
                        Emit(ch);
                        return 1 + legacy.Length;
                    }
                }
            }
            Emit('&');
            return 1;
        }

        private static readonly (string, char)[] LegacyWithoutSemicolon =
            [("amp", '&'), ("lt", '<'), ("gt", '>'), ("quot", '"'), ("nbsp", '\u00A0'), ("copy", '\u00A9'), ("reg", '\u00AE')];

        private static string? Named(ReadOnlySpan<char> name)
        {
            var lookup = NamedEntities.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(name, out var cached)) return cached;
            string reference = "&" + name.ToString() + ";";
            string decoded = WebUtility.HtmlDecode(reference);
            string? result = decoded == reference ? null : decoded;
            if (NamedEntities.Count < MaxCachedEntities) NamedEntities.TryAdd(name.ToString(), result);
            return result;
        }

        private static int HexValue(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };

        /// <summary>The C1 range as windows-1252 reads it (HTML's numeric reference rule).</summary>
        private static readonly char[] Windows1252C1 =
        [
            '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021', '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
            '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014', '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
        ];

        private void EmitCodePoint(int value)
        {
            if (value is >= 0x80 and <= 0x9F)
            {
                Emit(Windows1252C1[value - 0x80]);
                return;
            }
            if (value == 0 || value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF)
            {
                Emit('\uFFFD');
                return;
            }
            if (value < 0x10000)
            {
                Emit((char)value);
                return;
            }
            EnsureText(2);
            var rune = new Rune(value);
            rune.EncodeToUtf16(_text.AsSpan(_textLength));
            _textLength += 2;
        }

        public readonly LiteHtmlDocument Finish()
        {
            _doc.NodeArray = _nodes;
            _doc.NodeCount = _count;
            _doc.TextBuffer = _text;
            _doc.TextLength = _textLength;
            _doc.Title = _title ?? "";
            _doc.TagsBeyondMaxDepth = _beyondDepth;
            _doc.Truncated = _truncated;
            return _doc;
        }
    }
}
