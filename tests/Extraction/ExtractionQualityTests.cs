using DataPipe.Ingest.Extraction;
using DataPipe.Tests.Support;
using Xunit.Abstractions;

namespace DataPipe.Tests.Extraction;

public class ExtractionQualityTests(ITestOutputHelper output)
{
    /// <summary>
    /// Measured on the 130 pages of ../shared/data/html-extraction: mean F1 0.9824 (`dotnet run --project bench -c Release -- extract-f1`).
    /// The floor leaves a margin of 0.01 for harmless changes and sits above the target of 0.93.
    /// </summary>
    private const double DensityF1Floor = 0.97;

    [Fact]
    public void Density_extractor_mean_F1_on_the_reference_pages_is_at_least_the_measured_floor()
    {
        var report = ExtractionEvaluation.Evaluate(new DensityExtractor(), Repo.Shared("html-extraction"));
        output.WriteLine(report.ToString());
        foreach (var p in report.Worst(5)) output.WriteLine($"  {p.Page}: {p.Score}");
        Assert.Equal(130, report.Pages.Count);
        Assert.True(report.MeanF1 >= DensityF1Floor, $"{report} is below the floor {DensityF1Floor}");
    }

    [Fact]
    public void Score_of_identical_texts_is_one_and_of_disjoint_texts_is_zero()
    {
        var same = ExtractionScore.Compute("The cat sat, on the mat.", "the CAT sat on the mat");
        Assert.Equal(1.0, same.F1, 6);
        var disjoint = ExtractionScore.Compute("alpha beta", "gamma delta");
        Assert.Equal(0.0, disjoint.F1, 6);
    }

    [Fact]
    public void Score_counts_repeated_tokens_as_a_multiset()
    {
        // Extracted "a a a b" vs reference "a b": overlap 2 of 4 extracted, 2 of 2 reference.
        var s = ExtractionScore.Compute("a a a b", "a b");
        Assert.Equal(0.5, s.Precision, 6);
        Assert.Equal(1.0, s.Recall, 6);
        Assert.Equal(2 * 0.5 / 1.5, s.F1, 6);
    }

    [Fact]
    public void Scripts_written_without_spaces_are_scored_per_character()
    {
        Assert.Equal(["肉", "を", "く", "わ", "え", "た", "abc", "イ", "ヌ"], ExtractionScore.Tokens("肉をくわえたABC イヌ"));
        // One changed character costs one token, not the whole sentence.
        Assert.True(ExtractionScore.Compute("肉をくわえたイヌ", "肉をくわえたネコ").F1 > 0.7);
    }

    [Fact]
    public void Reference_text_separates_block_elements_but_joins_inline_ones()
    {
        string text = ExtractionEvaluation.ReferenceText("<div><p>one</p><p>two</p><ul><li>three</li><li>fo<b>ur</b></li></ul><script>x()</script></div>");
        Assert.Equal(["one", "two", "three", "four"], ExtractionScore.Tokens(text));
    }
}
