using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Language;
using DataPipe.Ingest.Warc;
using DataPipe.Tests.Support;
using Xunit.Abstractions;

namespace DataPipe.Tests.Ingest;

public class LanguageFirstPassTests(ITestOutputHelper output)
{
    private static readonly LanguageFirstPass Pass = new(LanguageIdentifier.DefaultLanguages);

    [Theory]
    [InlineData("en", "The committee published its annual report on Tuesday, and most of the members agreed with the findings about the budget that was proposed for the coming year by the council.")]
    [InlineData("de", "Der Ausschuss hat am Dienstag seinen Jahresbericht veröffentlicht, und die meisten Mitglieder stimmten den Ergebnissen zu, die für das kommende Jahr auch von der Stadt vorgeschlagen wurden.")]
    [InlineData("fr", "Le comité a publié mardi son rapport annuel, et la plupart des membres étaient d'accord avec les conclusions sur le budget qui sont proposées pour une année dans la ville.")]
    [InlineData("es", "El comité publicó el martes su informe anual, y la mayoría de los miembros estuvo de acuerdo con las conclusiones del presupuesto que se propone para el año que viene.")]
    public void Settles_prose_rich_in_function_words(string lang, string text)
    {
        Assert.Equal(lang, Pass.TryIdentify(text));
    }

    [Theory]
    [InlineData("Home News Sport Weather Contact Login Register Search")]
    [InlineData("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.")]
    [InlineData("Президент подписал закон о бюджете на следующий год, и большинство депутатов поддержали его вчера вечером в Москве.")]
    public void Leaves_menus_filler_and_scripts_it_has_no_rule_for_to_the_detector(string text)
    {
        Assert.Null(Pass.TryIdentify(text));
    }

    [Theory]
    [InlineData("zh", "DeepMind的AlphaGo AI能够打败围棋冠军也跟这些神经网络有很大关系。但是AlphaGo必须进行训练才行，开发人员向AlphaGo提供了历史对弈中的大约3000万记录。")]
    [InlineData("ja", "肉をくわえたイヌが、橋を渡っていました。ふと下を見ると、川の中にも肉をくわえたイヌがいます。")]
    [InlineData("ko", "대통령은 어제 내년 예산에 관한 법률에 서명했으며 대부분의 의원들이 이를 지지했습니다.")]
    [InlineData("el", "Ο Πρόεδρος υπέγραψε τον νόμο για τον προϋπολογισμό του επόμενου έτους, και η πλειονότητα των βουλευτών τον υποστήριξε.")]
    public void Settles_by_script_what_the_detector_decides_by_rule(string lang, string text)
    {
        Assert.Equal(lang, Pass.TryIdentify(text));
        Assert.Equal((lang, 1f), LanguageIdentifier.For().IdentifyWithLingua(text));
    }

    [Fact]
    public void Script_rules_need_their_languages_in_the_set()
    {
        Assert.Null(new LanguageFirstPass(["en", "de", "zh"]).TryIdentify("肉をくわえたイヌが、橋を渡っていました。ふと下を見ると、川の中にも肉をくわえたイヌがいます。"));
        Assert.Null(new LanguageFirstPass(["en", "de"]).TryIdentify("Ο Πρόεδρος υπέγραψε τον νόμο για τον προϋπολογισμό του επόμενου έτους, και η πλειονότητα των βουλευτών."));
    }

    [Fact]
    public void Leaves_a_text_with_a_close_runner_up_to_the_detector()
    {
        // Half English, half German function words: no language has three times the weight of the other.
        string text = "The report of the committee and the findings that were published on Tuesday. Der Bericht und die Ergebnisse, die am Dienstag für den Rat veröffentlicht wurden, sind nicht neu.";
        Assert.Null(Pass.TryIdentify(text));
    }

    [Fact]
    public void Decides_only_among_the_configured_languages()
    {
        var frenchAndGerman = new LanguageFirstPass(["fr", "de"]);
        Assert.Equal(["fr", "de"], frenchAndGerman.Languages);
        Assert.Null(frenchAndGerman.TryIdentify("The committee published its annual report on Tuesday, and most of the members agreed with the findings about the budget that was proposed."));
    }

    [Fact]
    public void Identifier_with_the_stopword_pass_gives_the_same_language_as_Lingua_alone_on_the_real_texts()
    {
        var id = LanguageIdentifier.For();
        var texts = RealTexts();
        int settled = 0, unchanged = 0;
        var changed = new List<string>();
        foreach (var text in texts)
        {
            var lingua = id.IdentifyWithLingua(text);
            var combined = id.Identify(text);
            if (id.IdentifyWithFirstPass(text) is not null)
            {
                settled++;
                // Where the pass decides, Lingua is sure of its answer too: the same confidence is reported.
                if (lingua.Lang == combined.Lang) Assert.Equal(lingua.Score, combined.Score, 3);
            }
            if (lingua.Lang == combined.Lang) unchanged++;
            else changed.Add($"{lingua.Lang} -> {combined.Lang}: {LanguageIdentifier.Sample(text)}");
        }
        output.WriteLine($"{texts.Count} real texts: first pass settled {settled}; language unchanged vs Lingua alone on {unchanged} ({100.0 * unchanged / texts.Count:F1}%)");
        foreach (var c in changed) output.WriteLine(c);
        Assert.True(texts.Count >= 150, $"expected at least 150 real texts, got {texts.Count}");
        Assert.True(settled >= texts.Count / 2, $"the pass settled only {settled} of {texts.Count}");
        Assert.True(unchanged >= texts.Count * 99 / 100, $"language changed on {changed.Count} of {texts.Count} texts:\n{string.Join('\n', changed)}");
    }

    /// <summary>The main text of the 130 extraction pages, the WET records of the Common Crawl capture, the CCNet documents.</summary>
    private static List<string> RealTexts()
    {
        var texts = new List<string>();
        var extractor = new DensityExtractor();
        foreach (var dir in Directory.GetDirectories(Repo.Shared("html-extraction/pages")).Order(StringComparer.Ordinal))
            texts.Add(extractor.Extract(File.ReadAllText(Path.Combine(dir, "source.html"))));
        using (var reader = new WarcReader(File.OpenRead(Repo.Shared("warc/cc-whirlwind.warc.wet.gz"))))
        {
            while (reader.TryRead(out var rec))
                if (rec.Type == "conversion") texts.Add(Encoding.UTF8.GetString(rec.Block.Span));
        }
        foreach (var f in Directory.GetFiles(Repo.Shared("text/ccnet"), "*.gz").Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(f), CompressionMode.Decompress));
            while (reader.ReadLine() is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("raw_content", out var t) || doc.RootElement.TryGetProperty("text", out t)) texts.Add(t.GetString() ?? "");
            }
        }
        return [.. texts.Where(t => t.Length > 0)];
    }
}
