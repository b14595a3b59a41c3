using System.Diagnostics;
using System.Text;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// What the two Slurm clusters started on this machine for tests and benchmarks (<see cref="LoopbackSlurmCluster"/>,
/// <see cref="NamespaceSlurmCluster"/>) do alike: check that Debian's <c>slurm-wlm</c> and <c>munge</c> are installed
/// and that we are root, start munged with a fresh key and a private socket in the cluster's folder, write the
/// slurm.conf settings they share, and run a command with the cluster's <c>SLURM_CONF</c>.
/// </summary>
internal static class LocalSlurmDaemons
{
    /// <summary>munged's socket in a cluster folder: a file-system path, so it serves every network namespace too.</summary>
    public static string MungeSocket(string dir) => Path.Combine(dir, "munge-run", "munge.socket");

    /// <summary>Why Slurm's daemons cannot be started here (not installed, or <paramref name="notRoot"/>), or null.</summary>
    public static string? Missing(string notRoot, params string[] extraTools)
    {
        string[] needed = ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/sbin/mungekey", "/usr/bin/sbatch", .. extraTools];
        var missing = needed.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0) return $"Slurm is not installed here (missing {string.Join(", ", missing)}; apt-get install slurm-wlm munge, as .ci/run does)";
        if (System.Environment.UserName != "root") return notRoot;
        return null;
    }

    /// <summary>
    /// Creates the cluster folder's munge key and run folders and its <c>state</c> folder, then starts munged as user
    /// munge with a key made by <c>mungekey -c</c>, its socket at <see cref="MungeSocket"/>.
    /// </summary>
    public static async Task StartMungeAsync(string dir)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("a local Slurm cluster needs Linux");
        string keyDir = Path.Combine(dir, "munge-etc"), runDir = Path.Combine(dir, "munge-run");
        Directory.CreateDirectory(keyDir);
        Directory.CreateDirectory(runDir);
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        await ExecAsync(["chown", "munge:munge", keyDir, runDir]).ConfigureAwait(false);
        File.SetUnixFileMode(keyDir, (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(runDir, (UnixFileMode)0b111_101_101);
        string key = Path.Combine(keyDir, "munge.key");
        await ExecAsync(["runuser", "-u", "munge", "--", "mungekey", "-c", "-k", key]).ConfigureAwait(false);
        await ExecAsync(["runuser", "-u", "munge", "--", "munged", $"--key-file={key}", $"--socket={MungeSocket(dir)}",
            $"--pid-file={Path.Combine(runDir, "munged.pid")}", $"--log-file={Path.Combine(keyDir, "munged.log")}", $"--seed-file={Path.Combine(keyDir, "munged.seed")}"]).ConfigureAwait(false);
    }

    /// <summary>
    /// The slurm.conf lines both clusters share: daemons as root, munge authentication, no cgroups (<c>proctrack/linuxproc</c>,
    /// <c>task/none</c>), cores as the consumable resource, no accounting, a node that comes back returns to service.
    /// </summary>
    public static StringBuilder AppendCommonConf(StringBuilder conf) => conf
        .AppendLine("SlurmUser=root")
        .AppendLine("SlurmdUser=root")
        .AppendLine("AuthType=auth/munge")
        .AppendLine("CredType=cred/munge")
        .AppendLine("ProctrackType=proctrack/linuxproc")
        .AppendLine("TaskPlugin=task/none")
        .AppendLine("SelectType=select/cons_tres")
        .AppendLine("SelectTypeParameters=CR_Core")
        .AppendLine("JobAcctGatherType=jobacct_gather/none")
        .AppendLine("AccountingStorageType=accounting_storage/none")
        .AppendLine("JobCompType=jobcomp/none")
        .AppendLine("SchedulerType=sched/backfill")
        .AppendLine("MpiDefault=none")
        .AppendLine("ReturnToService=2")
        .AppendLine("MinJobAge=300");

    /// <summary>Runs a command (with <c>SLURM_CONF</c> set when <paramref name="conf"/> is given), at most 60 s; throws with its output when it fails.</summary>
    public static async Task<string> ExecAsync(string[] args, bool allowFailure = false, string? conf = null)
    {
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args.Skip(1)) psi.ArgumentList.Add(a);
        if (conf is not null) psi.Environment["SLURM_CONF"] = conf;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (p.ExitCode != 0 && !allowFailure)
            throw new InvalidOperationException($"{string.Join(' ', args)} failed (exit {p.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()} {(await stdout.ConfigureAwait(false)).Trim()}".Trim());
        return await stdout.ConfigureAwait(false);
    }
}
