namespace DataPipe.Core.Storage;

/// <summary>One kind of storage (local files, https, s3). <see cref="StorageResolver"/> picks the backend by URI.</summary>
public interface IStorageBackend
{
    bool Handles(string uri);

    /// <summary>Opens an object for sequential reading. Remote backends return a stream that resumes after a broken transfer.</summary>
    Task<Stream> OpenReadAsync(string uri, StorageReadContext read, CancellationToken ct);

    /// <summary>Objects matching a glob pattern (<c>*</c>, <c>?</c>, <c>**</c>), sorted by name.</summary>
    Task<IReadOnlyList<string>> GlobAsync(string pattern, CancellationToken ct);
}
