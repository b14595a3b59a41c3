using DataPipe.Core.Errors;

namespace DataPipe.Core.Storage;

/// <summary>Local files: plain paths or <c>file://</c> URIs.</summary>
public sealed class LocalStorage : IStorageBackend
{
    public bool Handles(string uri) => !uri.Contains("://", StringComparison.Ordinal) || uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    public static string ToPath(string uri) => uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(uri).LocalPath : uri;

    public Task<Stream> OpenReadAsync(string uri, StorageReadContext read, CancellationToken ct)
    {
        string path = ToPath(uri);
        try
        {
            Stream s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return Task.FromResult(s);
        }
        catch (FileNotFoundException) { throw new StorageException(uri, "file not found"); }
        catch (DirectoryNotFoundException) { throw new StorageException(uri, "file not found"); }
        catch (UnauthorizedAccessException e) { throw new StorageException(uri, "permission denied", e); }
        catch (IOException e) { throw new StorageException(uri, e.Message, e); }
    }

    public Task<IReadOnlyList<string>> GlobAsync(string pattern, CancellationToken ct)
    {
        string p = ToPath(pattern).Replace('\\', '/');
        string root = Glob.FixedPrefix(p);
        string dir = root.Length == 0 ? "." : root;
        if (!Directory.Exists(dir)) return Task.FromResult<IReadOnlyList<string>>([]);
        var regex = Glob.ToRegex(p);
        bool recursive = p.Contains("**", StringComparison.Ordinal) || p[root.Length..].Contains('/', StringComparison.Ordinal);
        var matches = Directory.EnumerateFiles(dir, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Select(f => root.Length == 0 && f.StartsWith("./", StringComparison.Ordinal) ? f[2..] : f)
            .Select(f => f.Replace('\\', '/'))
            .Where(f => regex.IsMatch(f))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(matches);
    }
}
