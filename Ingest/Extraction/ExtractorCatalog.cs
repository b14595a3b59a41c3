using DataPipe.Core.Errors;

namespace DataPipe.Ingest.Extraction;

/// <summary>The main-text extractors by name, for <c>--extractor</c>, the ingest stage and the benchmarks.</summary>
public static class ExtractorCatalog
{
    private static readonly Dictionary<string, Func<IMainTextExtractor>> Factories = new(StringComparer.Ordinal)
    {
        ["density"] = () => new DensityExtractor(),
        ["smartreader"] = () => new SmartReaderExtractor(),
        [BlockScoreExtractor.ExtractorName] = () => new BlockScoreExtractor(),
        // All visible text, as a WET file gives it: the no-extraction baseline (negatives, ablation arm a).
        [RealWeb.VisibleTextExtractor.ExtractorName] = () => new RealWeb.VisibleTextExtractor(),
        // The visible lines that are not main text: a boilerplate-only negative sample for the quality classifier.
        [RealWeb.BoilerplateTextExtractor.ExtractorName] = () => new RealWeb.BoilerplateTextExtractor(),
    };

    /// <summary>The extractor used when none is named: the density extractor (quality and speed in its class comment).</summary>
    public const string Default = "density";

    /// <summary>
    /// Extractors that learn from labelled pages: given training pages, an extractor trained on them alone (the
    /// extraction bench scores each set with a model that never saw it).
    /// </summary>
    private static readonly Dictionary<string, Func<IReadOnlyList<ExtractionPage>, IMainTextExtractor>> Trainers = new(StringComparer.Ordinal)
    {
        [BlockScoreExtractor.ExtractorName] = pages => new BlockScoreExtractor(BlockScoreTraining.Train(pages)),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>How to train extractor <paramref name="name"/> on other pages; null when it learns nothing.</summary>
    public static Func<IReadOnlyList<ExtractionPage>, IMainTextExtractor>? Trainer(string name) => Trainers.GetValueOrDefault(name);

    /// <summary>A new extractor named <paramref name="name"/>; an error listing the known names otherwise.</summary>
    public static IMainTextExtractor Create(string name) =>
        Factories.TryGetValue(name, out var factory)
            ? factory()
            : throw new DataPipeException($"unknown extractor '{name}' (known: {string.Join(", ", Factories.Keys)})");
}
