using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Language;

namespace DataPipe.Ingest;

/// <summary>
/// Everything that determines Ingest's output, as plain data (it is hashed into the stage's config hash, so changing
/// any of it reruns the stage). Caps follow the defaults: 10 MiB per record and per decoded body.
/// </summary>
public sealed record IngestOptions
{
    /// <summary>Input specifications: paths, folders, globs, listings (<c>warc.paths.gz</c>, <c>@file</c>), https:// and s3:// URIs.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Number of tasks: 0 gives one task per input file; fewer tasks than files groups files into byte-balanced groups.</summary>
    public int Tasks { get; init; }

    /// <summary>Main-text extractor name (<see cref="ExtractorCatalog"/>).</summary>
    public string Extractor { get; init; } = ExtractorCatalog.Default;

    /// <summary>Languages the identifier chooses among (ISO 639-1); empty means <see cref="LanguageIdentifier.DefaultLanguages"/>.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>Largest WARC record read, decompressed.</summary>
    public int MaxRecordBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Longest WARC or HTTP header block.</summary>
    public int MaxHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>Largest HTTP payload after removing transfer and content codings.</summary>
    public int MaxBodyBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Documents with fewer characters of main text than this are skipped as empty.</summary>
    public int MinTextChars { get; init; } = 1;
}
