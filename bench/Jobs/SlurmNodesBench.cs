using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DataPipe.Bench.Filter;
using DataPipe.Core.Datasets;
using DataPipe.Jobs.Execution;

namespace DataPipe.Bench.Jobs;

/// <summary>
/// <c>slurm-nodes [--pipeline jobs/pipelines/sample.yaml] [--nodes 1 3] [--tasks N] [--until STEP]</c>: runs the main
/// job from scratch as a user submits it (<c>datapipe run FILE --executor slurm</c>, a child process) on a
/// <see cref="NamespaceSlurmCluster"/> of each size in turn, every node with one CPU, so one node runs one task at a
/// time and N nodes up to N. Prints the end-to-end wall time, each step's, where every task ran (tasks per node) and
/// the N-node time relative to the first size. All nodes share this machine's cores: more nodes can only overlap the
/// tasks' start-up and waits, never add CPU. <c>--tasks</c> replaces every stage's task count in the copy (the shipped
/// file has 2, so a third node has nothing to run).
/// </summary>
public static class SlurmNodesBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = BenchArgs.Parse(args);
        string pipeline = Path.GetFullPath(a.List("--pipeline", [Path.Combine(BenchArgs.RepoRoot, "jobs", "pipelines", "sample.yaml")])[0]);
        var sizes = a.List("--nodes", ["1", "3"]).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        int tasks = a.Int("--tasks", 0);
        string? until = a.List("--until", []).FirstOrDefault();
        if (NamespaceSlurmCluster.Unavailable is { } why)
        {
            Console.WriteLine($"slurm-nodes: cannot run here: {why}");
            return 1;
        }
        string datapipe = Path.Combine(AppContext.BaseDirectory, "datapipe.dll");
        if (!File.Exists(datapipe)) throw new FileNotFoundException($"{datapipe}: the datapipe CLI is not beside the benchmark (build bench, which references jobs)");

        using var scratch = new BenchTempDir("slurm-nodes");
        Console.WriteLine($"pipeline: {pipeline}{(tasks > 0 ? $", every stage at {tasks} tasks" : "")}{(until is null ? "" : $", until {until}")}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores shared by every node; load average {PipelineScalingBench.LoadAverage()} at start");
        var results = new List<Result>();
        foreach (int n in sizes)
        {
            string runDir = Path.Combine(scratch.Path, $"nodes{n}");
            string file = PipelineScalingBench.CopyPipeline(pipeline, runDir);
            if (tasks > 0) File.WriteAllLines(file, File.ReadAllLines(file).Select(l => Regex.Replace(l, @"^(\s+tasks:\s*)\d+\s*$", m => m.Groups[1].Value + tasks.ToString(CultureInfo.InvariantCulture))));
            await using var cluster = new NamespaceSlurmCluster(nodes: n, cpusPerNode: 1);
            var up = Stopwatch.StartNew();
            await cluster.StartAsync().ConfigureAwait(false);
            Console.WriteLine($"[{n} node(s)] cluster up in {up.Elapsed.TotalSeconds:F1} s: controller {cluster.ControllerAddress}, {string.Join(", ", cluster.Nodes.Select(x => $"{x} {cluster.NodeAddress(x)}"))}");
            var cli = new List<string> { datapipe, "run", file, "--executor", "slurm" };
            if (until is not null) cli.AddRange(["--until", until]);
            Console.WriteLine($"[{n} node(s)] SLURM_CONF={cluster.ConfPath} dotnet {string.Join(' ', cli)}");
            var clock = Stopwatch.StartNew();
            var (code, output, launcherCpu) = await RunCliAsync(cli, cluster.Environment).ConfigureAwait(false);
            double wall = clock.Elapsed.TotalSeconds;
            if (code != 0)
            {
                Console.WriteLine(output);
                throw new InvalidOperationException($"[{n} node(s)] datapipe run failed with exit code {code}");
            }
            var record = PipelineRecord.Read(Path.Combine(runDir, "out"))!;
            var hosts = record.Steps.SelectMany(s => TaskHosts(s.OutputDir)).ToList();
            results.Add(new Result(n, wall, launcherCpu, record, hosts));
            Console.WriteLine($"[{n} node(s)] {wall:F1} s end to end, launcher CPU {launcherCpu:F1} s, load average {PipelineScalingBench.LoadAverage()}; tasks per node: {string.Join(", ", hosts.GroupBy(h => h).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}");
        }
        Print(results);
        return 0;
    }

    private sealed record Result(int Nodes, double Wall, double LauncherCpu, PipelineRecord Record, List<string> Hosts);

    /// <summary>The host named by each task's completion record (a reused step has none from this run).</summary>
    private static IEnumerable<string> TaskHosts(string stepDir)
    {
        if (DatasetFolder.ReadSuccess(stepDir) is not { } success) yield break;
        for (int t = 0; t < success.TaskCount; t++)
            if (DatasetFolder.ReadTaskRecord(stepDir, t) is { } r) yield return r.Host;
    }

    /// <summary>Seconds from the earliest task start to the latest task end of a step, from its completion records.</summary>
    private static double? TaskSpan(string stepDir)
    {
        if (DatasetFolder.ReadSuccess(stepDir) is not { } success) return null;
        var records = Enumerable.Range(0, success.TaskCount).Select(t => DatasetFolder.ReadTaskRecord(stepDir, t)).OfType<DataPipe.Core.Stages.TaskRecord>().ToList();
        if (records.Count == 0) return null;
        return (records.Max(r => r.FinishedAt) - records.Min(r => r.FinishedAt.AddSeconds(-r.Seconds))).TotalSeconds;
    }

    private static void Print(List<Result> results)
    {
        if (results.Count == 0) return;
        var first = results[0];
        Console.WriteLine();
        Console.WriteLine($"{"step",-20}" + string.Concat(results.Select(r => $"{$"{r.Nodes} node(s) s",14}")) + string.Concat(results.Skip(1).Select(r => $"{$"{r.Nodes} / {first.Nodes}",10}")));
        foreach (var step in first.Record.Steps.Select(s => s.Step))
        {
            double? Step(Result r) => r.Record.Steps.FirstOrDefault(s => s.Step == step) is { } s ? TaskSpan(s.OutputDir) : null;
            Console.WriteLine($"{step,-20}" + string.Concat(results.Select(r => $"{Step(r)?.ToString("F1", CultureInfo.InvariantCulture) ?? "",14}"))
                + string.Concat(results.Skip(1).Select(r => $"{(Step(r) is double x && Step(first) is double y && y > 0 ? (x / y).ToString("F2", CultureInfo.InvariantCulture) : ""),10}")));
        }
        Console.WriteLine($"{"end to end (wall)",-20}" + string.Concat(results.Select(r => $"{r.Wall.ToString("F1", CultureInfo.InvariantCulture),14}"))
            + string.Concat(results.Skip(1).Select(r => $"{(r.Wall / first.Wall).ToString("F2", CultureInfo.InvariantCulture),10}")));
        Console.WriteLine();
        Console.WriteLine("Step seconds run from the first task's start to the last task's end (task records): process start-up before a task and");
        Console.WriteLine("the waits between steps (dependency release, scheduling, squeue polls) are outside them, inside end to end.");
        Console.WriteLine("Launcher CPU is the submitting process only: the tasks run under slurmd, and this test cluster keeps no accounting of their CPU time.");
    }

    private static async Task<(int Code, string Output, double LauncherCpuSeconds)> RunCliAsync(IReadOnlyList<string> args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["NO_COLOR"] = "1";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        double before = ChildrenCpuSeconds();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        return (p.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false), ChildrenCpuSeconds() - before);
    }

    /// <summary>User + system CPU of this process's waited-for children (cutime + cstime in /proc/self/stat, in 1/100 s ticks).</summary>
    private static double ChildrenCpuSeconds()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        // Fields after the command name in parentheses; cutime and cstime are fields 16 and 17 of the whole line.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }
}
