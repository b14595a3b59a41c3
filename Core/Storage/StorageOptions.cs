namespace DataPipe.Core.Storage;

/// <summary>Retry and transfer settings for remote storage (https, s3).</summary>
public sealed record StorageOptions
{
    public static readonly StorageOptions Default = new();

    /// <summary>Retries after the first failure of one request (open or read), before the error is final.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>First backoff delay; doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest single backoff delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time to wait for response headers, and between reads of a body, before the attempt counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Base URL for relative entries of a listing (<c>warc.paths.gz</c>). Null: the listing's own folder when the
    /// entry exists there, else <see cref="CommonCrawlBase"/>.
    /// </summary>
    public string? ListingBase { get; init; }

    public const string CommonCrawlBase = "https://data.commoncrawl.org/";
}
