using System.Globalization;
using System.IO.Compression;
using System.Text;
using DataPipe.Core.Text;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Core;

public class TextNormalizerTests
{
    [Fact]
    public void Case_punctuation_digits_and_spacing_do_not_change_the_normalized_text()
    {
        Assert.Equal(TextNormalizer.Normalize("Hello, World! Posted 2024-05-01."), TextNormalizer.Normalize("hello   world\n\nposted 1999/12/31"));
    }

    [Fact]
    public void Compatibility_forms_fold_to_the_same_letters()
    {
        Assert.Equal("fine", TextNormalizer.Normalize("ﬁne"));
        Assert.Equal(TextNormalizer.Normalize("Ｆｕｌｌｗｉｄｔｈ"), TextNormalizer.Normalize("fullwidth"));
    }

    [Fact]
    public void Content_hash_is_equal_for_equal_normalized_text_and_differs_otherwise()
    {
        Assert.Equal(ContentHash.Of("A cat sat."), ContentHash.Of("a CAT   sat"));
        Assert.NotEqual(ContentHash.Of("a cat sat"), ContentHash.Of("a dog sat"));
    }

    [Fact]
    public void Empty_and_whitespace_text_normalize_to_empty()
    {
        Assert.Equal("", TextNormalizer.Normalize(""));
        Assert.Equal("", TextNormalizer.Normalize(" \n\t ..."));
    }

    [Fact]
    public void Normalizes_every_character_as_the_rune_by_rune_definition_does()
    {
        var texts = new List<string>
        {
            "İstanbul ΣΊΣΥΦΟΣ Straße ǅemal 𐐀𐐨 ＡＢＣ① ½ e\u0301 tab\tand\u00A0nbsp \u200Bzero-width \uFEFF bom",
            "\u0007 bell, \u007F del, emoji 😀 and 🇩🇪 flags",
            "Ⅻ roman, ٣ arabic-indic, ３ fullwidth digits; ＂quotes＂ «guillemets» — dashes … ellipsis",
        };
        foreach (var f in Directory.GetFiles(Repo.Shared("text/ccnet"), "*.gz"))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(f), CompressionMode.Decompress));
            while (reader.ReadLine() is { } line) texts.Add(line);
        }
        foreach (var t in texts) Assert.Equal(Definition(t), TextNormalizer.Normalize(t));
    }

    /// <summary>The normalization as its summary defines it, one rune at a time.</summary>
    private static string Definition(string text)
    {
        if (text.Length == 0) return "";
        string s = text.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder();
        bool pendingSpace = false;
        foreach (var rune in s.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(rune);
            if (Rune.IsWhiteSpace(rune) || cat is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (Rune.IsPunctuation(rune) || Rune.IsSymbol(rune)) continue;
            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(Rune.IsDigit(rune) ? "0" : Rune.ToLowerInvariant(rune).ToString());
        }
        return sb.ToString();
    }
}
