using DataPipe.Core.Errors;

namespace DataPipe.Core.Execution;

/// <summary>
/// An exclusive lock on a file in a stage's folder, shared by every process that can see the folder (local workers,
/// Slurm nodes on a shared file system). On Unix, .NET takes an advisory <c>flock(LOCK_EX)</c> when a file is opened
/// with <see cref="FileShare.None"/>; the kernel releases it when the holder exits, even on <c>kill -9</c>, so a
/// crashed worker never leaves a task claimed forever (NFS clients emulate flock with POSIX locks, which are also
/// released when the holder dies). The lock file is never deleted: deleting it while another process waits on the
/// old inode would let two holders in.
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly FileStream _stream;

    private FolderLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    /// <summary>Takes the lock if nobody holds it; null when another process (or another handle in this one) does.</summary>
    public static FolderLock? TryAcquire(string path)
    {
        if (TryOpen(path) is not { } stream) return null;
        try
        {
            // Who holds it, for `datapipe status` and people reading the folder. A side file: the lock file itself
            // cannot be read by others while it is held (readers take a shared flock).
            File.WriteAllText(path + ".holder", $"{Environment.MachineName} pid {Environment.ProcessId} since {DateTime.UtcNow:O}\n");
        }
        catch (IOException)
        {
            // The note is informational; a full disk must not stop the lock from working.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return new FolderLock(path, stream);
    }

    /// <summary>Opens the lock file exclusively (taking the flock); null when someone else holds it.</summary>
    private static FileStream? TryOpen(string path)
    {
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        FileStream stream;
        try
        {
            Directory.CreateDirectory(dir);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DataPipeException($"{path}: cannot create lock file ({e.Message})", e);
        }
        catch (IOException) when (File.Exists(path))
        {
            // EWOULDBLOCK from flock surfaces as an IOException ("being used by another process").
            return null;
        }
        catch (IOException e)
        {
            throw new DataPipeException($"{path}: cannot create lock file ({e.Message})", e);
        }
        return stream;
    }

    /// <summary>Waits until the lock is free, polling; throws when <paramref name="ct"/> is cancelled.</summary>
    public static async Task<FolderLock> AcquireAsync(string path, CancellationToken ct)
    {
        int delay = 10;
        while (true)
        {
            if (TryAcquire(path) is { } held) return held;
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = Math.Min(250, delay * 2);
        }
    }

    /// <summary>Blocking form of <see cref="AcquireAsync"/>, for the short critical sections (prepare, finalize).</summary>
    public static FolderLock Acquire(string path) => AcquireAsync(path, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// True when some process holds the lock at this moment (the file exists and cannot be locked). The probe takes and
    /// drops the flock without writing a holder note, so looking never changes who the folder says holds it.
    /// </summary>
    public static bool IsHeld(string path)
    {
        if (!File.Exists(path)) return false;
        using var probe = TryOpen(path);
        return probe is null;
    }

    /// <summary>The holder note written by whoever took the lock last ("host pid N since T").</summary>
    public static string? ReadHolder(string path)
    {
        try
        {
            return File.Exists(path + ".holder") ? File.ReadAllText(path + ".holder").Trim() : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public void Dispose() => _stream.Dispose();
}
