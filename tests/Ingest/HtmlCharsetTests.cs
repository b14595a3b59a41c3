using System.Text;
using DataPipe.Ingest.Charset;

namespace DataPipe.Tests.Ingest;

public class HtmlCharsetTests
{
    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void Header_charset_decodes_a_latin1_page()
    {
        var bytes = Latin1("<html><body>Café crème, Straße</body></html>");
        string text = HtmlCharset.Decode(bytes, "ISO-8859-1", out var enc, out var how);
        Assert.Equal(CharsetSource.Header, how);
        Assert.Equal(1252, enc.CodePage); // WHATWG: iso-8859-1 means windows-1252
        Assert.Contains("Café crème, Straße", text);
    }

    [Fact]
    public void Meta_charset_is_used_when_the_header_has_none()
    {
        var body = Encoding.GetEncoding("windows-1251", EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback);
        var bytes = body.GetBytes("<html><head><meta charset=\"windows-1251\"></head><body>Привет, мир</body></html>");
        string text = HtmlCharset.Decode(bytes, null, out _, out var how);
        Assert.Equal(CharsetSource.Meta, how);
        Assert.Contains("Привет, мир", text);
    }

    [Fact]
    public void Http_equiv_content_type_meta_is_understood()
    {
        var bytes = Encoding.GetEncoding("shift_jis").GetBytes("<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=Shift_JIS\"></head><body>日本語のページ</body></html>");
        string text = HtmlCharset.Decode(bytes, null, out _, out var how);
        Assert.Equal(CharsetSource.Meta, how);
        Assert.Contains("日本語のページ", text);
    }

    [Fact]
    public void Byte_order_mark_wins_over_a_wrong_header()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("<p>naïve</p>")];
        string text = HtmlCharset.Decode(bytes, "windows-1252", out _, out var how);
        Assert.Equal(CharsetSource.Bom, how);
        Assert.Equal("<p>naïve</p>", text);
    }

    [Fact]
    public void Undeclared_valid_utf8_is_utf8_and_anything_else_is_windows_1252()
    {
        Assert.Equal("<p>Grüße</p>", HtmlCharset.Decode(Encoding.UTF8.GetBytes("<p>Grüße</p>"), null, out _, out var how1));
        Assert.Equal(CharsetSource.Utf8Valid, how1);
        Assert.Equal("<p>Grüße “quoted”</p>", HtmlCharset.Decode(Encoding.GetEncoding(1252).GetBytes("<p>Grüße “quoted”</p>"), null, out _, out var how2));
        Assert.Equal(CharsetSource.Fallback, how2);
    }

    [Fact]
    public void Invalid_utf8_declared_as_utf8_decodes_with_replacement_characters_and_never_throws()
    {
        byte[] bytes = [.. "<p>ok "u8, 0xC3, 0x28, 0xFF, .. " end</p>"u8];
        string text = HtmlCharset.Decode(bytes, "utf-8");
        Assert.StartsWith("<p>ok ", text);
        Assert.EndsWith(" end</p>", text);
        Assert.Contains('\uFFFD', text);
    }

    [Fact]
    public void Unknown_labels_fall_through_to_the_next_evidence()
    {
        var bytes = Encoding.UTF8.GetBytes("<meta charset=\"utf-8\"><p>ü</p>");
        Assert.Equal("<meta charset=\"utf-8\"><p>ü</p>", HtmlCharset.Decode(bytes, "x-no-such-charset", out _, out var how));
        Assert.Equal(CharsetSource.Meta, how);
        Assert.Null(HtmlCharset.Resolve("bogus-123"));
    }

    [Fact]
    public void Meta_declaring_utf16_in_an_ascii_compatible_page_means_utf8()
    {
        var bytes = Encoding.UTF8.GetBytes("<meta charset=\"utf-16\"><p>ü</p>");
        Assert.Equal("<meta charset=\"utf-16\"><p>ü</p>", HtmlCharset.Decode(bytes, null));
    }
}
