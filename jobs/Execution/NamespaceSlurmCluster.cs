using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataPipe.Core.Execution;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// A Slurm cluster of one controller and <c>nodes</c> compute nodes on this machine, each a host of its own: a network
/// namespace with its own address on a private bridge (veth pairs, a /24 picked from 10.200-254.x.0 that nothing here
/// uses) and a UTS namespace whose hostname is the node's name, so a task's <c>hostname</c> and the task records name
/// the node it ran on. The machine itself is the login node: it owns the bridge's .1 address, and sbatch/squeue reach
/// slurmctld at .2; node <c>i</c> is .(10+i). Only these addresses appear in slurm.conf. The nodes share this machine's
/// file system, as a cluster shares NFS or Lustre; munged runs once, and its socket, a file-system path, serves every
/// namespace. Daemons as in <see cref="LoopbackSlurmCluster"/> (root, <c>proctrack/linuxproc</c>, no accounting), plus
/// what node failure needs: <c>SlurmdTimeout=6</c>/<c>MessageTimeout=3</c> so a dead node is marked DOWN within
/// seconds, <c>cred_expire=5</c> so a job requeued off it may start again 5 s later (Slurm's default is 120 s), and
/// <c>ReturnToService=2</c>. Each node has <c>cpusPerNode</c> CPUs (default 1: one task per node at a time).
/// Started by the test or bench that uses it and torn down by <see cref="DisposeAsync"/>; a cluster whose owning
/// process died without tearing down is removed by the next one to start.
/// </summary>
public sealed class NamespaceSlurmCluster : IAsyncDisposable
{
    /// <summary>Why the cluster cannot run on this machine (the refused command and its message), or null when it can.</summary>
    public static string? Unavailable { get; } = FindUnavailable();

    private const string ControllerName = "ctl";
    private const int SlurmctldPort = 6817;
    private const int SlurmdPort = 6818;
    /// <summary>Where live clusters are registered (one file per cluster naming its owner pid and its network objects).</summary>
    private static readonly string Registry = Path.Combine(Path.GetTempPath(), "datapipe-netns");

    private readonly string _id = Guid.NewGuid().ToString("N")[..5];
    private readonly int _cpusPerNode;
    private string? _subnet;

    public NamespaceSlurmCluster(int nodes = 3, int cpusPerNode = 1)
    {
        if (nodes is < 1 or > 200) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "nodes must be 1..200");
        _cpusPerNode = Math.Clamp(cpusPerNode, 1, System.Environment.ProcessorCount);
        Nodes = [.. Enumerable.Range(1, nodes).Select(i => $"node{i}")];
        Dir = Path.Combine(Path.GetTempPath(), $"datapipe-nsslurm-{_id}");
    }

    /// <summary>The compute nodes' names (node1, node2, ...), which are also their hostnames.</summary>
    public IReadOnlyList<string> Nodes { get; }

    public string Dir { get; }

    public string ConfPath => Path.Combine(Dir, "slurm.conf");

    public Dictionary<string, string> Environment => new() { ["SLURM_CONF"] = ConfPath };

    public SlurmClient Client => new(Environment);

    public string Partition => "debug";

    public string ControllerAddress => $"{_subnet}.2";

    public string NodeAddress(string node) => $"{_subnet}.{10 + NodeIndex(node)}";

    /// <summary>Sets up the namespaces, starts munged, slurmctld and one slurmd per node, and waits until every node is idle.</summary>
    public async Task StartAsync()
    {
        if (Unavailable is { } reason) throw new InvalidOperationException(reason);
        Directory.CreateDirectory(Registry);
        // Choosing a free subnet and creating its interfaces happen under one lock, so two clusters started at once
        // (two test runs on one machine) never pick the same addresses.
        using (FolderLock.Acquire(Path.Combine(Registry, "registry.lock")))
        {
            await RemoveAbandonedAsync().ConfigureAwait(false);
            _subnet = await FreeSubnetAsync().ConfigureAwait(false);
            await File.WriteAllTextAsync(RegistryEntry(_id), $"{System.Environment.ProcessId}\n{Dir}\n").ConfigureAwait(false);
            await CreateNetworkAsync().ConfigureAwait(false);
        }
        await LocalSlurmDaemons.StartMungeAsync(Dir).ConfigureAwait(false);
        WriteConf();
        await RunAsync(["nsenter", $"--net={NetnsPath(ControllerName)}", "unshare", "--uts", "sh", "-c", $"hostname {ControllerName} && exec slurmctld -i"]).ConfigureAwait(false);
        foreach (var node in Nodes) await StartNodeAsync(node).ConfigureAwait(false);
        await WaitAsync(async () => (await NodeStatesAsync().ConfigureAwait(false)).Values.All(s => s is "idle"), "every node idle", TimeSpan.FromSeconds(90)).ConfigureAwait(false);
    }

    /// <summary>Starts (or restarts) the slurmd of one node inside its namespaces.</summary>
    public Task StartNodeAsync(string node)
    {
        Directory.CreateDirectory(Path.Combine(Dir, "spool", node));
        return RunAsync(["nsenter", $"--net={NetnsPath(node)}", "unshare", "--uts", "sh", "-c", $"hostname {node} && exec slurmd"]);
    }

    /// <summary>
    /// Crashes a node: SIGKILL to every process in its network namespace (its slurmd, the slurmstepd of each job on
    /// it, and the tasks they run), as a power failure would. Returns the number of processes killed. Slurm notices
    /// only through its missed pings, as it would a real crash.
    /// </summary>
    public async Task<int> KillNodeAsync(string node)
    {
        NodeIndex(node);
        int killed = 0;
        // A slurmd can fork while it is being killed; repeat until the namespace is empty.
        for (int round = 0; round < 50; round++)
        {
            var pids = (await RunAsync(["ip", "netns", "pids", NetnsName(node)]).ConfigureAwait(false))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
            if (pids.Count == 0) return killed;
            foreach (int pid in pids)
            {
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill();
                    killed++;
                }
                catch (ArgumentException) { }
                catch (InvalidOperationException) { }
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new InvalidOperationException($"{node}: processes still running in its namespace after 50 rounds of SIGKILL");
    }

    /// <summary>Slurm's state of each node ("idle", "allocated", "down*", ...), from <c>sinfo -N</c>.</summary>
    public async Task<Dictionary<string, string>> NodeStatesAsync()
    {
        string text = await RunAsync(["sinfo", "-h", "-N", "-o", "%N|%T"], allowFailure: true).ConfigureAwait(false);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length == 2) states[parts[0]] = parts[1];
        }
        return states;
    }

    /// <summary>Waits until <paramref name="done"/> holds, failing after <paramref name="limit"/> with the daemons' logs.</summary>
    public async Task WaitAsync(Func<Task<bool>> done, string what, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!await done().ConfigureAwait(false))
        {
            if (clock.Elapsed > limit)
                throw new InvalidOperationException($"the namespace Slurm cluster did not reach '{what}' within {limit.TotalSeconds:F0} s (sinfo: {string.Join(", ", (await NodeStatesAsync().ConfigureAwait(false)).Select(kv => $"{kv.Key} {kv.Value}"))})\n{Logs()}");
            await Task.Delay(250).ConfigureAwait(false);
        }
    }

    /// <summary>The last lines of each daemon's log, for failure messages.</summary>
    public string Logs() => string.Join("\n", Directory.Exists(Dir)
        ? Directory.EnumerateFiles(Dir, "*.log").Order(StringComparer.Ordinal).Select(f => $"{f}:\n{string.Join("\n", File.ReadLines(f).TakeLast(12))}")
        : []);

    /// <summary>Cancels every job, stops the daemons, removes the namespaces, the bridge and the cluster's folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_subnet is null) return;
        try
        {
            await RunAsync(["scancel", "--user=root"], allowFailure: true).ConfigureAwait(false);
            await RunAsync(["scontrol", "shutdown"], allowFailure: true).ConfigureAwait(false);
            // slurmctld asks each slurmd to exit and then exits; give them a moment before the namespaces are emptied.
            for (int i = 0; i < 40 && (await NamespacePidsAsync().ConfigureAwait(false)) > 0; i++) await Task.Delay(250).ConfigureAwait(false);
        }
        finally
        {
            await TearDownAsync(_id, Dir).ConfigureAwait(false);
            _subnet = null;
        }
    }

    private async Task<int> NamespacePidsAsync()
    {
        int count = 0;
        foreach (var host in Nodes.Prepend(ControllerName))
            count += (await RunAsync(["ip", "netns", "pids", NetnsName(host)], allowFailure: true).ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return count;
    }

    private int NodeIndex(string node)
    {
        int i = Nodes.ToList().IndexOf(node);
        return i >= 0 ? i + 1 : throw new ArgumentException($"no node named '{node}' (nodes: {string.Join(", ", Nodes)})", nameof(node));
    }

    private string NetnsName(string host) => NetnsName(_id, host);

    private static string NetnsName(string id, string host) => $"datapipe-{id}-{host}";

    private string NetnsPath(string host) => $"/run/netns/{NetnsName(host)}";

    private static string BridgeName(string id) => $"dp{id}b";

    private static string RegistryEntry(string id) => Path.Combine(Registry, $"{id}.owner");

    /// <summary>The bridge on this machine (the login node's .1), and one namespace plus veth pair per host.</summary>
    private async Task CreateNetworkAsync()
    {
        string bridge = BridgeName(_id);
        await RunAsync(["ip", "link", "add", bridge, "type", "bridge"]).ConfigureAwait(false);
        await RunAsync(["ip", "addr", "add", $"{_subnet}.1/24", "dev", bridge]).ConfigureAwait(false);
        await RunAsync(["ip", "link", "set", bridge, "up"]).ConfigureAwait(false);
        var hosts = Nodes.Select(n => (Name: n, Address: NodeAddress(n))).Prepend((ControllerName, ControllerAddress)).ToList();
        for (int i = 0; i < hosts.Count; i++)
        {
            var (host, address) = hosts[i];
            string ns = NetnsName(host), outside = $"dp{_id}h{i}", inside = $"dp{_id}p{i}";
            await RunAsync(["ip", "netns", "add", ns]).ConfigureAwait(false);
            await RunAsync(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside]).ConfigureAwait(false);
            await RunAsync(["ip", "link", "set", inside, "netns", ns]).ConfigureAwait(false);
            await RunAsync(["ip", "link", "set", outside, "master", bridge]).ConfigureAwait(false);
            await RunAsync(["ip", "link", "set", outside, "up"]).ConfigureAwait(false);
            await RunAsync(["ip", "-n", ns, "addr", "add", $"{address}/24", "dev", inside]).ConfigureAwait(false);
            await RunAsync(["ip", "-n", ns, "link", "set", inside, "up"]).ConfigureAwait(false);
            await RunAsync(["ip", "-n", ns, "link", "set", "lo", "up"]).ConfigureAwait(false);
        }
    }

    /// <summary>A 10.x.y.0/24 that no interface or route on this machine touches.</summary>
    private static async Task<string> FreeSubnetAsync()
    {
        string used = await ExecAsync(["ip", "-4", "-o", "addr", "show"]).ConfigureAwait(false) + await ExecAsync(["ip", "-4", "route", "show", "table", "all"]).ConfigureAwait(false);
        for (int tries = 0; tries < 200; tries++)
        {
            string subnet = $"10.{Random.Shared.Next(200, 255)}.{Random.Shared.Next(1, 255)}";
            if (!System.Text.RegularExpressions.Regex.IsMatch(used, $@"(?<![\d.]){subnet.Replace(".", @"\.", StringComparison.Ordinal)}\.")) return subnet;
        }
        throw new InvalidOperationException("no free 10.200-254.x.0/24 subnet on this machine for the namespace Slurm cluster");
    }

    private void WriteConf()
    {
        var conf = new StringBuilder()
            .AppendLine("ClusterName=datapipens")
            .AppendLine($"SlurmctldHost={ControllerName}({ControllerAddress})")
            .AppendLine($"SlurmctldPort={SlurmctldPort}")
            .AppendLine($"SlurmdPort={SlurmdPort}")
            // cred_expire also sets how long a requeued job waits before it may start again.
            .AppendLine($"AuthInfo=socket={LocalSlurmDaemons.MungeSocket(Dir)},cred_expire=5")
            .AppendLine($"StateSaveLocation={Path.Combine(Dir, "state")}")
            // %n: each node's slurmd keeps its own spool, pid file and log in the shared folder.
            .AppendLine($"SlurmdSpoolDir={Path.Combine(Dir, "spool", "%n")}")
            .AppendLine($"SlurmctldPidFile={Path.Combine(Dir, "slurmctld.pid")}")
            .AppendLine($"SlurmdPidFile={Path.Combine(Dir, "slurmd-%n.pid")}")
            .AppendLine($"SlurmctldLogFile={Path.Combine(Dir, "slurmctld.log")}")
            .AppendLine($"SlurmdLogFile={Path.Combine(Dir, "slurmd-%n.log")}")
            .AppendLine("SlurmdTimeout=6")
            .AppendLine("MessageTimeout=3");
        LocalSlurmDaemons.AppendCommonConf(conf);
        foreach (var node in Nodes)
            conf.AppendLine($"NodeName={node} NodeAddr={NodeAddress(node)} CPUs={_cpusPerNode} RealMemory=1000 State=UNKNOWN");
        conf.AppendLine($"PartitionName={Partition} Nodes={string.Join(',', Nodes)} Default=YES MaxTime=INFINITE State=UP");
        File.WriteAllText(ConfPath, conf.ToString());
    }

    /// <summary>Removes the clusters registered by processes that no longer exist (a test run killed before its teardown).</summary>
    private static async Task RemoveAbandonedAsync()
    {
        foreach (var entry in Directory.EnumerateFiles(Registry, "*.owner"))
        {
            var lines = File.ReadAllLines(entry);
            if (lines.Length >= 2 && int.TryParse(lines[0], CultureInfo.InvariantCulture, out int owner) && Directory.Exists($"/proc/{owner}")) continue;
            await TearDownAsync(Path.GetFileNameWithoutExtension(entry), lines.Length >= 2 ? lines[1] : null).ConfigureAwait(false);
        }
    }

    /// <summary>Kills whatever still runs in a cluster's namespaces, deletes them and its bridge, stops its munged, removes its folder and registry entry.</summary>
    private static async Task TearDownAsync(string id, string? dir)
    {
        string namespaces = await ExecAsync(["ip", "netns", "list"], allowFailure: true).ConfigureAwait(false);
        foreach (var ns in namespaces.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Where(n => n.StartsWith($"datapipe-{id}-", StringComparison.Ordinal)))
        {
            foreach (var pid in (await ExecAsync(["ip", "netns", "pids", ns], allowFailure: true).ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                try
                {
                    using var p = Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture));
                    p.Kill();
                }
                catch (ArgumentException) { }
                catch (InvalidOperationException) { }
            }
            await ExecAsync(["ip", "netns", "del", ns], allowFailure: true).ConfigureAwait(false);
        }
        // Deleting the bridge and the namespaces deletes the veth pairs with them.
        await ExecAsync(["ip", "link", "del", BridgeName(id)], allowFailure: true).ConfigureAwait(false);
        if (dir is not null && Directory.Exists(dir))
        {
            await ExecAsync(["munged", "-s", $"--socket={LocalSlurmDaemons.MungeSocket(dir)}"], allowFailure: true).ConfigureAwait(false);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        File.Delete(RegistryEntry(id));
    }

    /// <summary>Runs a command with this cluster's <c>SLURM_CONF</c>; throws with its output when it fails.</summary>
    private Task<string> RunAsync(string[] args, bool allowFailure = false) => LocalSlurmDaemons.ExecAsync(args, allowFailure, ConfPath);

    private static Task<string> ExecAsync(string[] args, bool allowFailure = false) => LocalSlurmDaemons.ExecAsync(args, allowFailure);

    private static string? FindUnavailable()
    {
        if (!OperatingSystem.IsLinux()) return "the namespace Slurm cluster needs Linux network namespaces";
        if (LocalSlurmDaemons.Missing("the namespace Slurm cluster creates network namespaces and runs slurmctld/slurmd as root; run as root", "/usr/bin/sinfo") is { } missing) return missing;
        // The one capability the cluster cannot do without: a private network and hostname per node. An anonymous
        // namespace pair is created and dropped at once; nothing is left behind.
        try
        {
            var psi = new ProcessStartInfo("unshare", ["--net", "--uts", "true"]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) return $"this machine refuses network/UTS namespaces: 'unshare --net --uts true' exited {p.ExitCode}: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"unshare (util-linux) cannot be started: {e.Message}";
        }
        foreach (var tool in new[] { "/usr/bin/nsenter", "/usr/bin/unshare" })
            if (!File.Exists(tool)) return $"{tool} (util-linux) is missing";
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip")) return "ip (iproute2) is missing; apt-get install iproute2";
        return null;
    }
}
