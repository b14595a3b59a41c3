using System.Text;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Tests.Extraction;

public class GoldTextTests
{
    private const string Text = "Paul wrote: the river rose four metres overnight.\nGrüße aus Köln.";

    [Fact]
    public void Utf16_text_behind_a_byte_order_mark_mangled_into_replacement_characters_is_decoded()
    {
        byte[] bytes = [0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD, .. Encoding.Unicode.GetBytes(Text)];
        Assert.Equal(Text, GoldText.Decode(bytes));
    }

    [Fact]
    public void Utf16_whose_carriage_return_bytes_were_deleted_by_a_newline_conversion_is_read_in_step()
    {
        const string Lines = "First line …\r\nSecond line\r\nThird line";
        byte[] utf16 = Encoding.Unicode.GetBytes(Lines);
        byte[] mangled = [0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD, .. utf16.Where(b => b != 0x0D)];
        Assert.Equal("First line …\nSecond line\nThird line", GoldText.Decode(mangled));
    }

    [Fact]
    public void Utf16_with_its_own_byte_order_mark_either_endianness_and_plain_utf8_are_decoded()
    {
        Assert.Equal(Text, GoldText.Decode([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Text)]));
        Assert.Equal(Text, GoldText.Decode([.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(Text)]));
        Assert.Equal(Text, GoldText.Decode(Encoding.UTF8.GetBytes(Text)));
        Assert.Equal(Text, GoldText.Decode([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Text)]));
    }

    [Theory]
    [InlineData("!@#$%^&*() COMMENTS")]
    [InlineData("!@#$%^&**() COMMENTS")]
    [InlineData("@#$%^&*() COMMENTS")]
    [InlineData("!@ $%^&*() COMMENTS")]
    public void A_dragnet_gold_text_ends_where_its_comment_thread_separator_line_begins(string separator)
    {
        string gold = $"How to lose weight\nThe article's last paragraph.\n{separator}\nGreat post! Thanks.\nPosted by: Ann";
        Assert.Equal("How to lose weight\nThe article's last paragraph.", GoldText.ArticleOnly(gold));
    }

    [Fact]
    public void A_gold_text_whose_words_merely_mention_comments_is_kept_whole()
    {
        const string Gold = "READER COMMENTS\nCyfarthfa Castle is definitely scary.\nThe comments below were sent by readers.";
        Assert.Equal(Gold, GoldText.ArticleOnly(Gold));
    }
}
