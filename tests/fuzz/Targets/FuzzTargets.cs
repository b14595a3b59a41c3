namespace DataPipe.Fuzz.Targets;

/// <summary>
/// Every fuzz target, by name. tests/fuzz/run.sh runs one under AFL++; tests/Hostile runs each over its seeds and a
/// bounded number of deterministic mutations in CI.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        DatasetTargets.Documents,
        DatasetTargets.TokenShard,
        DatasetTargets.TokenManifestJson,
        IngestTargets.Warc,
        IngestTargets.HttpPayload,
        IngestTargets.HtmlDensity,
        ExtractionTargets.Charset,
        ExtractionTargets.HtmlSmartReader,
    ];

    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"unknown fuzz target '{name}' (targets: {string.Join(", ", All.Select(t => t.Name))})", nameof(name));
}
