using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace DataPipe.Ingest.Charset;

/// <summary>How a page's encoding was decided, for stats.</summary>
public enum CharsetSource
{
    Bom,
    Header,
    Meta,
    Utf8Valid,
    Fallback,
}

/// <summary>
/// Decodes an HTML payload to text, choosing its encoding the way browsers do (WHATWG Encoding and HTML §13.2.3.2,
/// abridged): a byte-order mark wins; then the charset of the Content-Type header; then a <c>&lt;meta charset&gt;</c>
/// or <c>http-equiv="Content-Type"</c> declaration in the first 1024 bytes; then UTF-8 if the bytes are valid UTF-8;
/// else windows-1252. Labels map as WHATWG says (latin1, iso-8859-1 and us-ascii mean windows-1252). Decoding never
/// throws: bytes invalid in the chosen encoding become U+FFFD.
/// </summary>
public static partial class HtmlCharset
{
    private const int PrescanBytes = 1024;
    private static readonly ConcurrentDictionary<string, Encoding?> ByLabel = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Encoding Windows1252;

    static HtmlCharset()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback);
    }

    /// <summary>Decodes <paramref name="payload"/>; <paramref name="headerCharset"/> is the Content-Type charset parameter, if any.</summary>
    public static string Decode(ReadOnlySpan<byte> payload, string? headerCharset, out Encoding encoding, out CharsetSource source)
    {
        encoding = Detect(payload, headerCharset, out source, out int bomLength);
        return encoding.GetString(payload[bomLength..]);
    }

    /// <summary>
    /// Decodes <paramref name="payload"/> into <paramref name="buffer"/>, replacing it with a larger array when it is too
    /// small; returns the number of characters written. The same decision and output as <see cref="Decode(ReadOnlySpan{byte}, string?, out Encoding, out CharsetSource)"/>.
    /// </summary>
    public static int DecodeInto(ReadOnlySpan<byte> payload, string? headerCharset, ref char[] buffer, out CharsetSource source)
    {
        var encoding = Detect(payload, headerCharset, out source, out int bomLength);
        var bytes = payload[bomLength..];
        int max = encoding.GetMaxCharCount(bytes.Length);
        if (buffer.Length < max) buffer = new char[(int)Math.Min(Array.MaxLength, Math.Max(max, buffer.Length * 2L))];
        return encoding.GetChars(bytes, buffer);
    }

    /// <summary>Decodes with the detected encoding; see the type's summary for the order of evidence.</summary>
    public static string Decode(ReadOnlySpan<byte> payload, string? headerCharset) => Decode(payload, headerCharset, out _, out _);

    public static Encoding Detect(ReadOnlySpan<byte> payload, string? headerCharset, out CharsetSource source, out int bomLength)
    {
        bomLength = 0;
        if (payload.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) { bomLength = 3; source = CharsetSource.Bom; return Encoding.UTF8; }
        if (payload.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) { bomLength = 2; source = CharsetSource.Bom; return Encoding.Unicode; }
        if (payload.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) { bomLength = 2; source = CharsetSource.Bom; return Encoding.BigEndianUnicode; }
        if (headerCharset is not null && Resolve(headerCharset, fromMeta: false) is { } h) { source = CharsetSource.Header; return h; }
        if (MetaCharset(payload) is { } label && Resolve(label, fromMeta: true) is { } m) { source = CharsetSource.Meta; return m; }
        if (System.Text.Unicode.Utf8.IsValid(payload)) { source = CharsetSource.Utf8Valid; return Encoding.UTF8; }
        source = CharsetSource.Fallback;
        return Windows1252;
    }

    /// <summary>The encoding for a charset label, or null when the label is unknown.</summary>
    public static Encoding? Resolve(string label, bool fromMeta = false)
    {
        label = label.Trim().Trim('"', '\'').Trim();
        if (label.Length == 0) return null;
        var e = ByLabel.GetOrAdd(label, static l =>
        {
            string name = l.ToLowerInvariant() switch
            {
                "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1" or "iso_8859-1" or "l1" or "ascii" or "us-ascii" or "ansi_x3.4-1968" or "cp1252" or "x-cp1252" => "windows-1252",
                "utf8" or "unicode-1-1-utf-8" => "utf-8",
                "gb2312" or "gbk" or "x-gbk" => "gb18030", // WHATWG decodes GBK labels as gb18030, its superset
                "shift-jis" or "sjis" or "x-sjis" or "ms_kanji" => "shift_jis",
                "iso-8859-9" or "latin5" => "windows-1254",
                "tis-620" or "iso-8859-11" => "windows-874",
                var other => other,
            };
            try
            {
                return name == "utf-8" ? new UTF8Encoding(false, false) : Encoding.GetEncoding(name, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback);
            }
            catch (ArgumentException)
            {
                return null;
            }
        });
        // A page cannot declare UTF-16 in its own bytes (they would not be ASCII-compatible): WHATWG reads it as UTF-8.
        if (fromMeta && e is UnicodeEncoding) return Encoding.UTF8;
        return e;
    }

    /// <summary>The charset label declared by a meta element within the first 1024 bytes, or null.</summary>
    public static string? MetaCharset(ReadOnlySpan<byte> payload)
    {
        var head = payload[..Math.Min(payload.Length, PrescanBytes)];
        int at = 0;
        while (true)
        {
            int meta = IndexOfIgnoreCase(head[at..], "<meta"u8);
            if (meta < 0) return null;
            int start = at + meta;
            int end = head[start..].IndexOf((byte)'>');
            var tag = end < 0 ? head[start..] : head[start..(start + end)];
            string text = Encoding.Latin1.GetString(tag);
            var direct = MetaCharsetAttribute().Match(text);
            if (direct.Success) return direct.Groups[1].Value;
            if (text.Contains("http-equiv", StringComparison.OrdinalIgnoreCase) && text.Contains("content-type", StringComparison.OrdinalIgnoreCase))
            {
                var inContent = ContentCharset().Match(text);
                if (inContent.Success) return inContent.Groups[1].Value;
            }
            if (end < 0) return null;
            at = start + end + 1;
        }
    }

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> hay, ReadOnlySpan<byte> needle)
    {
        for (int i = 0; i + needle.Length <= hay.Length; i++)
        {
            int lt = hay[i..].IndexOf(needle[0]);
            if (lt < 0) return -1;
            i += lt;
            if (i + needle.Length <= hay.Length && Ascii.EqualsIgnoreCase(hay.Slice(i, needle.Length), needle)) return i;
        }
        return -1;
    }

    [GeneratedRegex("""^<meta\s(?:[^>]*?\s)?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaCharsetAttribute();

    [GeneratedRegex("""content\s*=\s*["']?[^"'>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ContentCharset();
}
