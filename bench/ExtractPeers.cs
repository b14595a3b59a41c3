using DataPipe.Ingest.Extraction;

namespace DataPipe.Bench;

/// <summary>
/// The extractors the extraction benchmarks compare: every extractor of <see cref="ExtractorCatalog"/>, the default
/// (density) first; SmartReader, the C# port of Mozilla Readability whose output is the test set's reference, is one.
/// </summary>
internal static class ExtractPeers
{
    public static List<IMainTextExtractor> All()
    {
        var list = ExtractorCatalog.Names.OrderBy(n => n == ExtractorCatalog.Default ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal)
            .Select(ExtractorCatalog.Create).ToList();
        return list;
    }

    /// <summary>The shared test set, beside the checkout: <c>../shared/data/html-extraction</c>.</summary>
    public static string TestSet(string[] args)
    {
        for (int i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--pages") return args[i + 1];
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "..", "shared", "data", "html-extraction");
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln")) && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new DirectoryNotFoundException("../shared/data/html-extraction not found beside the checkout; pass --pages DIR");
    }
}
