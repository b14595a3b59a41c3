using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// A single-node Slurm cluster on this machine, for the tests and the pipeline benchmarks, started from Debian's
/// <c>slurm-wlm</c> and <c>munge</c> and stopped afterwards: munged runs as user munge with a key made by
/// <c>mungekey -c</c> and a private socket; slurmctld and slurmd run as root (<c>SlurmUser=root</c>) with
/// <c>proctrack/linuxproc</c>, <c>task/none</c>, <c>select/cons_tres</c>, no accounting, state and spool in a temp
/// folder, on free loopback ports, the node line from <c>hostname -s</c>, <c>nproc</c> and <c>free -m</c>. Commands
/// find it through <see cref="Environment"/> (<c>SLURM_CONF</c>).
/// </summary>
public sealed class LoopbackSlurmCluster : IAsyncDisposable
{
    /// <summary>Why the cluster cannot run on this machine, or null when it can.</summary>
    public static string? Unavailable { get; } = FindUnavailable();

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"datapipe-slurm-{Guid.NewGuid():N}"[..30]);

    public string Dir => _dir;

    public string ConfPath => Path.Combine(_dir, "slurm.conf");

    public Dictionary<string, string> Environment => new() { ["SLURM_CONF"] = ConfPath };

    public SlurmClient Client => new(Environment);

    public string Partition => "debug";

    /// <summary>Starts munged, slurmctld and slurmd and waits until the node is idle; fails loudly with the daemons' logs.</summary>
    public async Task StartAsync()
    {
        if (Unavailable is { } reason || !OperatingSystem.IsLinux()) throw new InvalidOperationException(Unavailable ?? "the loopback Slurm cluster needs Linux");
        Directory.CreateDirectory(_dir);
        Directory.CreateDirectory(Path.Combine(_dir, "spool"));
        await LocalSlurmDaemons.StartMungeAsync(_dir);

        string host = (await RunAsync("hostname", "-s")).Trim();
        int cpus = System.Environment.ProcessorCount;
        string free = await RunAsync("free", "-m");
        long totalMb = long.Parse(free.Split('\n').First(l => l.StartsWith("Mem:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        var conf = new StringBuilder()
            .AppendLine("ClusterName=datapipetest")
            .AppendLine($"SlurmctldHost={host}(127.0.0.1)")
            .AppendLine($"SlurmctldPort={FreePort()}")
            .AppendLine($"SlurmdPort={FreePort()}")
            .AppendLine($"AuthInfo=socket={LocalSlurmDaemons.MungeSocket(_dir)}")
            .AppendLine($"StateSaveLocation={Path.Combine(_dir, "state")}")
            .AppendLine($"SlurmdSpoolDir={Path.Combine(_dir, "spool")}")
            .AppendLine($"SlurmctldPidFile={Path.Combine(_dir, "slurmctld.pid")}")
            .AppendLine($"SlurmdPidFile={Path.Combine(_dir, "slurmd.pid")}")
            .AppendLine($"SlurmctldLogFile={Path.Combine(_dir, "slurmctld.log")}")
            .AppendLine($"SlurmdLogFile={Path.Combine(_dir, "slurmd.log")}");
        LocalSlurmDaemons.AppendCommonConf(conf)
            .AppendLine($"NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={totalMb * 8 / 10} State=UNKNOWN")
            .AppendLine($"PartitionName={Partition} Nodes={host} Default=YES MaxTime=INFINITE State=UP");
        File.WriteAllText(ConfPath, conf.ToString());

        await RunAsync("slurmctld", "-i");
        await RunAsync("slurmd");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            string state = await RunAsync(allowFailure: true, "sinfo", "-h", "-o", "%T");
            if (state.Contains("idle", StringComparison.Ordinal) || state.Contains("mix", StringComparison.Ordinal)) return;
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                string logs = string.Join("\n", new[] { "slurmctld.log", "slurmd.log" }.Select(f => Path.Combine(_dir, f)).Where(File.Exists).Select(f => $"{f}:\n{string.Join("\n", File.ReadLines(f).TakeLast(15))}"));
                throw new InvalidOperationException($"the loopback Slurm cluster did not become idle within 60 s (sinfo: '{state.Trim()}')\n{logs}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Cancels every job, shuts the daemons down and removes the cluster's folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Unavailable is not null || !Directory.Exists(_dir)) return;
        try
        {
            await RunAsync(allowFailure: true, "scancel", "--user=root");
            await RunAsync(allowFailure: true, "scontrol", "shutdown");
            await WaitGoneAsync(Path.Combine(_dir, "slurmctld.pid"));
            await WaitGoneAsync(Path.Combine(_dir, "slurmd.pid"));
            await RunAsync(allowFailure: true, "munged", "-s", $"--socket={LocalSlurmDaemons.MungeSocket(_dir)}");
        }
        finally
        {
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Waits for the daemon named in a pid file to exit (at most 15 s), then kills it if it is still there.</summary>
    private static async Task WaitGoneAsync(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid)) return;
        for (int i = 0; i < 60; i++)
        {
            if (!Directory.Exists($"/proc/{pid}")) return;
            await Task.Delay(250);
        }
        try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
    }

    private Task<string> RunAsync(params string[] args) => RunAsync(false, args);

    private Task<string> RunAsync(bool allowFailure, params string[] args) => LocalSlurmDaemons.ExecAsync(args, allowFailure, ConfPath);

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static string? FindUnavailable()
    {
        if (!OperatingSystem.IsLinux()) return "the loopback Slurm cluster needs Linux";
        return LocalSlurmDaemons.Missing("the loopback Slurm cluster runs slurmctld/slurmd as root (SlurmUser=root); run as root");
    }
}
