using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.RealWeb;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.RealWeb;

public class BoilerplateExtractorTests
{
    [Fact]
    public void Boilerplate_is_the_visible_lines_that_are_not_main_text_lines_or_inside_main_text()
    {
        const string visible = "Home  |  News\nThe harbour was rebuilt in 1854.\nand the town grew around it, slowly and without a plan\nHome\nContact us";
        const string main = "The harbour was rebuilt in 1854.\n\nIts trade never recovered, and the town grew around it, slowly and without a plan.";
        // "Home" occurs inside neither line whole; a short line is matched whole only, so it stays boilerplate.
        Assert.Equal("Home | News\nHome\nContact us", BoilerplateTextExtractor.Subtract(visible, main));
    }

    [Fact]
    public void Boilerplate_of_real_pages_holds_none_of_their_main_text_and_is_registered_by_name()
    {
        var extractor = ExtractorCatalog.Create(BoilerplateTextExtractor.ExtractorName);
        var density = new DensityExtractor();
        string pages = Repo.Shared("html-extraction/pages");
        int withBoth = 0;
        foreach (var dir in Directory.GetDirectories(pages).Order(StringComparer.Ordinal).Take(12))
        {
            string html = File.ReadAllText(Path.Combine(dir, "source.html"));
            string boilerplate = extractor.Extract(html);
            var mainLines = density.Extract(html).Split('\n').Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
                .Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
            Assert.DoesNotContain(boilerplate.Split('\n'), mainLines.Contains);
            if (mainLines.Count > 0 && boilerplate.Length > 0) withBoth++;
        }
        Assert.True(withBoth >= 6, $"only {withBoth} of 12 pages have both main text and boilerplate");
    }
}
