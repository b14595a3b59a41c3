using System.IO.Compression;
using DataPipe.Core.Errors;

namespace DataPipe.Core.Storage;

/// <summary>
/// The entry point to storage: picks the backend for a URI (local path, <c>file://</c>, <c>https://</c>,
/// <c>s3://</c>) and turns input specifications into an ordered list of objects.
/// </summary>
public sealed class StorageResolver
{
    private readonly IStorageBackend[] _backends;

    public StorageResolver(StorageOptions? options = null, HttpClient? httpClient = null)
    {
        Options = options ?? StorageOptions.Default;
        _backends = [new HttpStorage(Options, httpClient), new S3Storage(Options), new LocalStorage()];
    }

    public static StorageResolver Default { get; } = new();

    public StorageOptions Options { get; }

    public IStorageBackend BackendFor(string uri)
        => _backends.FirstOrDefault(b => b.Handles(uri)) ?? throw new DataPipeException($"{uri}: no storage handles this scheme (use a path, file://, https:// or s3://)");

    public Task<Stream> OpenReadAsync(string uri, StorageReadContext? read = null, CancellationToken ct = default)
        => BackendFor(uri).OpenReadAsync(uri, read ?? StorageReadContext.None, ct);

    /// <summary>True for a listing of objects, one per line, as Common Crawl publishes them (<c>warc.paths.gz</c>).</summary>
    public static bool IsListing(string spec)
    {
        string name = spec.Split('?')[0];
        return name.EndsWith(".paths", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".paths.gz", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Expands input specifications, in the order given, into object URIs:
    /// a glob (<c>data/*.warc.gz</c>, <c>s3://bucket/prefix/*.warc.gz</c>) into its matches, sorted;
    /// a local folder into its files, sorted; a listing (<c>*.paths</c>, <c>*.paths.gz</c>, or any file named with a
    /// leading <c>@</c>) into its entries; anything else as it is (a missing file is left for the reader to count).
    /// A glob or listing that yields nothing is an error naming it.
    /// </summary>
    public async Task<IReadOnlyList<string>> ExpandAsync(IEnumerable<string> specs, CancellationToken ct = default)
    {
        var result = new List<string>();
        foreach (var raw in specs)
        {
            string spec = raw.Trim();
            if (spec.Length == 0) continue;
            if (spec.StartsWith('@'))
            {
                result.AddRange(await ReadListingAsync(spec[1..], ct).ConfigureAwait(false));
            }
            else if (IsListing(spec))
            {
                result.AddRange(await ReadListingAsync(spec, ct).ConfigureAwait(false));
            }
            else if (Glob.HasWildcards(spec))
            {
                var matches = await BackendFor(spec).GlobAsync(spec, ct).ConfigureAwait(false);
                if (matches.Count == 0) throw new DataPipeException($"{spec}: no files match");
                result.AddRange(matches);
            }
            else if (BackendFor(spec) is LocalStorage && Directory.Exists(LocalStorage.ToPath(spec)))
            {
                var files = Directory.EnumerateFiles(LocalStorage.ToPath(spec))
                    .Where(f => !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new DataPipeException($"{spec}: folder has no files");
                result.AddRange(files);
            }
            else
            {
                result.Add(spec);
            }
        }
        return result;
    }

    private async Task<IReadOnlyList<string>> ReadListingAsync(string listing, CancellationToken ct)
    {
        var entries = new List<string>();
        await using (var raw = await OpenReadAsync(listing, ct: ct).ConfigureAwait(false))
        {
            Stream s = listing.Split('?')[0].EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            await using (s.ConfigureAwait(false))
            {
                using var reader = new StreamReader(s);
                string? line;
                while ((line = await reader.ReadLineAsync(ct).ConfigureAwait(false)) is not null)
                {
                    line = line.Trim();
                    if (line.Length == 0 || line.StartsWith('#')) continue;
                    entries.Add(ResolveListingEntry(listing, line));
                }
            }
        }
        if (entries.Count == 0) throw new DataPipeException($"{listing}: listing has no entries");
        return entries;
    }

    /// <summary>
    /// An absolute entry (a URI or rooted path) stays as it is. A relative one resolves against
    /// <see cref="StorageOptions.ListingBase"/> when set; otherwise against the local listing's folder when the file
    /// exists there; otherwise against Common Crawl's public base URL.
    /// </summary>
    public string ResolveListingEntry(string listing, string entry)
    {
        if (entry.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(entry)) return entry;
        if (Options.ListingBase is { } b) return Join(b, entry);
        if (BackendFor(listing) is LocalStorage)
        {
            string local = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(LocalStorage.ToPath(listing)))!, entry);
            if (File.Exists(local)) return local;
        }
        return Join(StorageOptions.CommonCrawlBase, entry);

        static string Join(string baseUri, string rel) =>
            baseUri.Contains("://", StringComparison.Ordinal) ? baseUri.TrimEnd('/') + "/" + rel.TrimStart('/') : Path.Combine(baseUri, rel);
    }
}
