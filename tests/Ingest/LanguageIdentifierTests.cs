using DataPipe.Ingest.Language;

namespace DataPipe.Tests.Ingest;

public class LanguageIdentifierTests
{
    private static readonly LanguageIdentifier Identifier = LanguageIdentifier.For(["en", "de", "fr", "es"]);

    [Theory]
    [InlineData("en", "The committee published its annual report on Tuesday, and most of the members agreed with the findings about the budget.")]
    [InlineData("de", "Der Ausschuss hat am Dienstag seinen Jahresbericht veröffentlicht, und die meisten Mitglieder stimmten den Ergebnissen zu.")]
    [InlineData("fr", "Le comité a publié mardi son rapport annuel, et la plupart des membres étaient d'accord avec les conclusions sur le budget.")]
    [InlineData("es", "El comité publicó el martes su informe anual, y la mayoría de los miembros estuvo de acuerdo con las conclusiones del presupuesto.")]
    public void Identifies_the_language_of_a_paragraph_with_high_confidence(string lang, string text)
    {
        var (code, score) = Identifier.Identify(text);
        Assert.Equal(lang, code);
        Assert.InRange(score, 0.5f, 1f);
    }

    [Fact]
    public void Text_without_letters_is_undetermined()
    {
        Assert.Equal((LanguageIdentifier.Undetermined, 0f), Identifier.Identify("12 345 67 -- 89 !!"));
    }

    [Fact]
    public void The_sample_is_the_longest_lines_up_to_the_limit()
    {
        string menu = string.Join('\n', Enumerable.Repeat("Home", 50));
        string prose = string.Join(' ', Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 10));
        string sample = LanguageIdentifier.Sample(menu + "\n" + prose + "\n" + menu);
        Assert.Equal(LanguageIdentifier.SampleChars, sample.Length);
        Assert.StartsWith("The quick brown fox", sample);
        Assert.DoesNotContain("Home", sample);
    }

    [Fact]
    public void One_detector_is_shared_per_language_set()
    {
        Assert.Same(LanguageIdentifier.For(["fr", "en", "de", "es"]), Identifier);
        Assert.NotSame(LanguageIdentifier.For(["en", "de"]), Identifier);
    }
}
