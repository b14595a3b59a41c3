using DataPipe.Core.Errors;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Tests.Tokenize;

public class TiktokenTextTokenizerTests
{
    // Expected ids come from OpenAI's tiktoken (npm package tiktoken 1.0.22, encode_ordinary), run once by hand.
    public static TheoryData<string, string, int[]> Reference => new()
    {
        { "cl100k_base", "Hello, world!", [9906, 11, 1917, 0] },
        { "cl100k_base", "  The quick brown fox jumps over the lazy dog.\n\nIt's 2024; naïve café — 東京 🚀 x+=1;", [220, 578, 4062, 14198, 39935, 35308, 927, 279, 16053, 5679, 382, 2181, 596, 220, 2366, 19, 26, 95980, 588, 53050, 2001, 61696, 109, 47653, 11410, 248, 222, 865, 8664, 16, 26] },
        { "cl100k_base", "<|endoftext|> is plain text here", [27, 91, 8862, 728, 428, 91, 29, 374, 14733, 1495, 1618] },
        { "cl100k_base", "    def f(x):\n        return x**2\r\n", [262, 711, 282, 2120, 997, 286, 471, 865, 334, 17, 319] },
        { "o200k_base", "Hello, world!", [13225, 11, 2375, 0] },
        { "o200k_base", "  The quick brown fox jumps over the lazy dog.\n\nIt's 2024; naïve café — 東京 🚀 x+=1;", [220, 623, 4853, 19705, 68347, 65613, 1072, 290, 29082, 6446, 364, 15834, 220, 1323, 19, 26, 153475, 737, 30469, 2733, 185244, 169883, 222, 1215, 18287, 16, 26] },
        { "o200k_base", "<|endoftext|> is plain text here", [27, 91, 419, 1440, 919, 91, 29, 382, 21402, 2201, 2105] },
        { "o200k_base", "    def f(x):\n        return x**2\r\n", [271, 1056, 285, 4061, 1883, 309, 622, 1215, 410, 17, 370] },
    };

    [Theory]
    [MemberData(nameof(Reference))]
    public void Token_ids_equal_OpenAI_tiktoken_reference_ids(string encoding, string text, int[] expected)
    {
        ITextTokenizer tokenizer = TiktokenTextTokenizer.Get(encoding);
        Assert.Equal(expected, tokenizer.Encode(text));
        Assert.Equal(text, tokenizer.Decode(expected));
    }

    [Fact]
    public void A_document_spelling_end_of_text_never_yields_the_end_of_text_id()
    {
        ITextTokenizer tokenizer = TiktokenTextTokenizer.Get(TiktokenTextTokenizer.Cl100kBase);
        var ids = tokenizer.Encode("before <|endoftext|><|fim_prefix|> after");
        Assert.DoesNotContain(tokenizer.EotId, ids);
        Assert.DoesNotContain(100258, ids);
        Assert.Equal("before <|endoftext|><|fim_prefix|> after", tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("cl100k_base", 100_277, 100_257)]
    [InlineData("o200k_base", 200_019, 199_999)]
    public void Identity_names_the_encoding_its_vocabulary_size_and_end_of_text(string encoding, int vocabSize, int eot)
    {
        var id = TiktokenTextTokenizer.Get(encoding).Identity;
        Assert.Equal(TiktokenTextTokenizer.Kind, id.Kind);
        Assert.Equal(encoding, id.Name);
        Assert.Equal(vocabSize, id.VocabSize);
        Assert.Equal(eot, id.EotId);
        Assert.Equal(64, id.VocabHash.Length);
        Assert.NotEqual(TiktokenTextTokenizer.Get(encoding == "cl100k_base" ? "o200k_base" : "cl100k_base").Identity.VocabHash, id.VocabHash);
    }

    [Fact]
    public void Every_real_document_round_trips_through_cl100k_and_o200k()
    {
        foreach (var name in TiktokenTextTokenizer.Names)
        {
            ITextTokenizer tokenizer = TiktokenTextTokenizer.Get(name);
            foreach (var (id, text) in RealTexts.Documents)
            {
                int[] ids = [.. tokenizer.Encode(text), tokenizer.EotId];
                Assert.True(ids.All(t => t >= 0 && t < tokenizer.VocabSize), $"{name} {id}: token id out of range");
                Assert.True(text == tokenizer.Decode(ids), $"{name} {id}: decode(encode(text)) differs from the text");
            }
        }
    }

    [Fact]
    public void Invalid_surrogates_and_control_characters_encode_as_bytes_without_failing()
    {
        ITextTokenizer tokenizer = TiktokenTextTokenizer.Get(TiktokenTextTokenizer.Cl100kBase);
        string text = "bad \uD800 half \uDFFF pair, NUL \0 and bell \a, escape \u001b[0m";
        var ids = tokenizer.Encode(text);
        Assert.NotEmpty(ids);
        Assert.Equal(text.Replace('\uD800', '\uFFFD').Replace('\uDFFF', '\uFFFD'), tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("cl100k")]
    [InlineData("cl100k_base")]
    [InlineData("o200k")]
    [InlineData("byte")]
    public void The_catalog_knows_the_pretrained_names_and_aliases(string spec)
        => Assert.NotNull(TokenizerCatalog.Create(spec));

    [Fact]
    public void An_unknown_tokenizer_name_is_one_clear_error()
    {
        var e = Assert.Throws<DataPipeException>(() => TokenizerCatalog.Create("gpt5_base"));
        Assert.Contains("gpt5_base", e.Message);
    }
}
