using System.Diagnostics;

namespace DataPipe.Tests.Faults;

/// <summary>
/// A small tmpfs mounted by the test (root with CAP_SYS_ADMIN; null where the machine does not allow it): a real full
/// disk (ENOSPC) or a read-only file system (EROFS), unmounted when disposed.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static TmpfsMount? TryMount(string path, long bytes, bool readOnly = false)
    {
        Directory.CreateDirectory(path);
        if (Environment.UserName != "root") return null;
        return Run("mount", "-t", "tmpfs", "-o", $"size={bytes}{(readOnly ? ",ro" : "")}", "tmpfs", path) ? new TmpfsMount(path) : null;
    }

    /// <summary>Frees space: the same mount, larger.</summary>
    public void Grow(long bytes)
    {
        if (!Run("mount", "-o", $"remount,size={bytes}", Path)) throw new InvalidOperationException($"could not remount {Path}");
    }

    public void Dispose() => Run("umount", "-l", Path);

    private static bool Run(params string[] args)
    {
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args.Skip(1)) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>
/// A fact that needs a real tmpfs mount (root with CAP_SYS_ADMIN). Where none can be mounted it is reported as skipped
/// with the reason, never silently turned into a different test.
/// </summary>
public sealed class MountFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> CanMount = new(() =>
    {
        string probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"datapipe-mount-probe-{Environment.ProcessId}");
        try
        {
            using var mount = TmpfsMount.TryMount(probe, 64 * 1024);
            return mount is not null;
        }
        finally
        {
            try { Directory.Delete(probe); } catch (IOException) { }
        }
    });

    public MountFactAttribute()
    {
        if (!CanMount.Value) Skip = "needs root with the right to mount a tmpfs (CAP_SYS_ADMIN); the no-mount variants of this contract still run";
    }
}
