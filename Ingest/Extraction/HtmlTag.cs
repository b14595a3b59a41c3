namespace DataPipe.Ingest.Extraction;

/// <summary>
/// The HTML elements the lite parser and the density extractor tell apart. Every other element name is
/// <see cref="Unknown"/> (kept in the tree as an inline element, matched on close by a hash of its name).
/// </summary>
public enum HtmlTag : byte
{
    Unknown,
    Document,
    Html, Head, Body, Title, Meta, Link, Base, Script, Style, Noscript, Template, Textarea, Iframe, Xmp, Noembed, Noframes,
    Svg, Math, Canvas, Video, Audio, Object, Embed, Param, Source, Track, Picture, Map, Area,
    Div, P, Span, A, Br, Hr, Wbr, Img, Input, Button, Select, Option, Optgroup, Label, Form, Fieldset, Legend,
    H1, H2, H3, H4, H5, H6,
    Ul, Ol, Li, Dl, Dt, Dd, Menu,
    Table, Caption, Colgroup, Col, Thead, Tbody, Tfoot, Tr, Td, Th,
    Pre, Code, Blockquote, Section, Article, Main, Nav, Header, Footer, Aside, Figure, Figcaption, Address, Details, Summary, Dialog, Center,
    B, I, Em, Strong, U, S, Small, Sub, Sup, Abbr, Cite, Q, Time, Mark, Font, Tt, Kbd, Samp, Var, Del, Ins, Big, Nobr,
}

/// <summary>Facts about tags (HTML Living Standard, "void elements", "raw text elements", block-level content).</summary>
public static class HtmlTags
{
    private static readonly bool[] VoidTags = Build(HtmlTag.Area, HtmlTag.Base, HtmlTag.Br, HtmlTag.Col, HtmlTag.Embed, HtmlTag.Hr, HtmlTag.Img,
        HtmlTag.Input, HtmlTag.Link, HtmlTag.Meta, HtmlTag.Param, HtmlTag.Source, HtmlTag.Track, HtmlTag.Wbr);

    private static readonly bool[] BlockTags = Build(HtmlTag.Address, HtmlTag.Article, HtmlTag.Aside, HtmlTag.Blockquote, HtmlTag.Details,
        HtmlTag.Dialog, HtmlTag.Div, HtmlTag.Dl, HtmlTag.Dt, HtmlTag.Dd, HtmlTag.Fieldset, HtmlTag.Figcaption, HtmlTag.Figure, HtmlTag.Footer,
        HtmlTag.Form, HtmlTag.H1, HtmlTag.H2, HtmlTag.H3, HtmlTag.H4, HtmlTag.H5, HtmlTag.H6, HtmlTag.Header, HtmlTag.Hr, HtmlTag.Li,
        HtmlTag.Main, HtmlTag.Menu, HtmlTag.Nav, HtmlTag.Ol, HtmlTag.P, HtmlTag.Pre, HtmlTag.Section, HtmlTag.Table, HtmlTag.Ul,
        HtmlTag.Center, HtmlTag.Summary, HtmlTag.Caption, HtmlTag.Tr, HtmlTag.Thead, HtmlTag.Tbody, HtmlTag.Tfoot, HtmlTag.Td, HtmlTag.Th,
        HtmlTag.Body, HtmlTag.Html, HtmlTag.Legend, HtmlTag.Select, HtmlTag.Textarea, HtmlTag.Iframe, HtmlTag.Video, HtmlTag.Audio,
        HtmlTag.Canvas, HtmlTag.Object, HtmlTag.Noscript, HtmlTag.Noframes);

    /// <summary>Elements whose start tag closes an open <c>p</c> (the "close a p element" rule of the tree builder).</summary>
    private static readonly bool[] ClosesParagraph = Build(HtmlTag.Address, HtmlTag.Article, HtmlTag.Aside, HtmlTag.Blockquote, HtmlTag.Details,
        HtmlTag.Dialog, HtmlTag.Div, HtmlTag.Dl, HtmlTag.Fieldset, HtmlTag.Figcaption, HtmlTag.Figure, HtmlTag.Footer, HtmlTag.Form,
        HtmlTag.H1, HtmlTag.H2, HtmlTag.H3, HtmlTag.H4, HtmlTag.H5, HtmlTag.H6, HtmlTag.Header, HtmlTag.Hr, HtmlTag.Main, HtmlTag.Menu,
        HtmlTag.Nav, HtmlTag.Ol, HtmlTag.P, HtmlTag.Pre, HtmlTag.Section, HtmlTag.Table, HtmlTag.Ul, HtmlTag.Center, HtmlTag.Summary,
        HtmlTag.Li, HtmlTag.Dt, HtmlTag.Dd, HtmlTag.Xmp);

    private static bool[] Build(params HtmlTag[] tags)
    {
        var set = new bool[256];
        foreach (var t in tags) set[(int)t] = true;
        return set;
    }

    public static bool IsVoid(HtmlTag tag) => VoidTags[(int)tag];

    /// <summary>Elements that start a new line of text when rendered (block-level and table structure).</summary>
    public static bool IsBlock(HtmlTag tag) => BlockTags[(int)tag];

    public static bool ClosesOpenParagraph(HtmlTag tag) => ClosesParagraph[(int)tag];

    public static bool IsHeading(HtmlTag tag) => tag is >= HtmlTag.H1 and <= HtmlTag.H6;

    /// <summary>
    /// Elements whose content the tokenizer skips as raw text: it is never page text. Not <c>noframes</c>: a frameset
    /// page's only text is its <c>noframes</c> body (what a reader without frames sees), so it is parsed as markup.
    /// </summary>
    public static bool IsRawTextSkipped(HtmlTag tag) =>
        tag is HtmlTag.Script or HtmlTag.Style or HtmlTag.Noscript or HtmlTag.Template or HtmlTag.Textarea or HtmlTag.Iframe
            or HtmlTag.Xmp or HtmlTag.Noembed or HtmlTag.Title;

    /// <summary>The tag for a lower-case ASCII element name; <see cref="HtmlTag.Unknown"/> for any other name.</summary>
    public static HtmlTag Lookup(ReadOnlySpan<char> lower) => lower switch
    {
        "html" => HtmlTag.Html, "head" => HtmlTag.Head, "body" => HtmlTag.Body, "title" => HtmlTag.Title, "meta" => HtmlTag.Meta,
        "link" => HtmlTag.Link, "base" => HtmlTag.Base, "script" => HtmlTag.Script, "style" => HtmlTag.Style, "noscript" => HtmlTag.Noscript,
        "template" => HtmlTag.Template, "textarea" => HtmlTag.Textarea, "iframe" => HtmlTag.Iframe, "xmp" => HtmlTag.Xmp,
        "noembed" => HtmlTag.Noembed, "noframes" => HtmlTag.Noframes, "svg" => HtmlTag.Svg, "math" => HtmlTag.Math,
        "canvas" => HtmlTag.Canvas, "video" => HtmlTag.Video, "audio" => HtmlTag.Audio, "object" => HtmlTag.Object,
        "embed" => HtmlTag.Embed, "param" => HtmlTag.Param, "source" => HtmlTag.Source, "track" => HtmlTag.Track,
        "picture" => HtmlTag.Picture, "map" => HtmlTag.Map, "area" => HtmlTag.Area, "div" => HtmlTag.Div, "p" => HtmlTag.P,
        "span" => HtmlTag.Span, "a" => HtmlTag.A, "br" => HtmlTag.Br, "hr" => HtmlTag.Hr, "wbr" => HtmlTag.Wbr, "img" => HtmlTag.Img,
        "input" => HtmlTag.Input, "button" => HtmlTag.Button, "select" => HtmlTag.Select, "option" => HtmlTag.Option,
        "optgroup" => HtmlTag.Optgroup, "label" => HtmlTag.Label, "form" => HtmlTag.Form, "fieldset" => HtmlTag.Fieldset,
        "legend" => HtmlTag.Legend, "h1" => HtmlTag.H1, "h2" => HtmlTag.H2, "h3" => HtmlTag.H3, "h4" => HtmlTag.H4, "h5" => HtmlTag.H5,
        "h6" => HtmlTag.H6, "ul" => HtmlTag.Ul, "ol" => HtmlTag.Ol, "li" => HtmlTag.Li, "dl" => HtmlTag.Dl, "dt" => HtmlTag.Dt,
        "dd" => HtmlTag.Dd, "menu" => HtmlTag.Menu, "table" => HtmlTag.Table, "caption" => HtmlTag.Caption,
        "colgroup" => HtmlTag.Colgroup, "col" => HtmlTag.Col, "thead" => HtmlTag.Thead, "tbody" => HtmlTag.Tbody,
        "tfoot" => HtmlTag.Tfoot, "tr" => HtmlTag.Tr, "td" => HtmlTag.Td, "th" => HtmlTag.Th, "pre" => HtmlTag.Pre,
        "code" => HtmlTag.Code, "blockquote" => HtmlTag.Blockquote, "section" => HtmlTag.Section, "article" => HtmlTag.Article,
        "main" => HtmlTag.Main, "nav" => HtmlTag.Nav, "header" => HtmlTag.Header, "footer" => HtmlTag.Footer, "aside" => HtmlTag.Aside,
        "figure" => HtmlTag.Figure, "figcaption" => HtmlTag.Figcaption, "address" => HtmlTag.Address, "details" => HtmlTag.Details,
        "summary" => HtmlTag.Summary, "dialog" => HtmlTag.Dialog, "center" => HtmlTag.Center, "b" => HtmlTag.B, "i" => HtmlTag.I,
        "em" => HtmlTag.Em, "strong" => HtmlTag.Strong, "u" => HtmlTag.U, "s" => HtmlTag.S, "small" => HtmlTag.Small,
        "sub" => HtmlTag.Sub, "sup" => HtmlTag.Sup, "abbr" => HtmlTag.Abbr, "cite" => HtmlTag.Cite, "q" => HtmlTag.Q,
        "time" => HtmlTag.Time, "mark" => HtmlTag.Mark, "font" => HtmlTag.Font, "tt" => HtmlTag.Tt, "kbd" => HtmlTag.Kbd,
        "samp" => HtmlTag.Samp, "var" => HtmlTag.Var, "del" => HtmlTag.Del, "ins" => HtmlTag.Ins, "big" => HtmlTag.Big,
        "nobr" => HtmlTag.Nobr,
        _ => HtmlTag.Unknown,
    };
}
