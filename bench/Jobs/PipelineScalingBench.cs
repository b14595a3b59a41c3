using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DataPipe.Bench.Filter;
using DataPipe.Jobs.Execution;

namespace DataPipe.Bench.Jobs;

/// <summary>
/// <c>pipeline-scaling [--pipeline jobs/pipelines/sample.yaml] [--configs local1,local2,slurm] [--keep]</c>: runs the
/// main job from scratch as the README does (<c>datapipe run FILE</c>, a child process, so start-up counts) once per
/// configuration: the local executor with 1 and with 2 workers, and on a single-node loopback Slurm cluster
/// (<see cref="LoopbackSlurmCluster"/>; each stage a job array of the file's tasks, 2 per stage in sample.yaml). Prints
/// the end-to-end wall time and each step's, the 1→2 worker speedup and Slurm's time relative to local with 2 workers.
/// Each run writes to its own copy of the pipeline file (output moved to a scratch folder, paths made absolute).
/// </summary>
public static class PipelineScalingBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = BenchArgs.Parse(args);
        string pipeline = Path.GetFullPath(a.List("--pipeline", [Path.Combine(BenchArgs.RepoRoot, "jobs", "pipelines", "sample.yaml")])[0]);
        var configs = a.List("--configs", ["local1", "local2", "slurm"]).SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        bool keep = a.List("--keep", []).Count > 0 || args.Contains("--keep");
        string datapipe = Path.Combine(AppContext.BaseDirectory, "datapipe.dll");
        if (!File.Exists(datapipe)) throw new FileNotFoundException($"{datapipe}: the datapipe CLI is not beside the benchmark (build bench, which references jobs)");

        using var scratch = new BenchTempDir("pipeline-scaling");
        Console.WriteLine($"pipeline: {pipeline}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
        var results = new List<(string Config, double Wall, PipelineRecord? Record)>();
        LoopbackSlurmCluster? cluster = null;
        try
        {
            foreach (var config in configs)
            {
                string file = CopyPipeline(pipeline, Path.Combine(scratch.Path, config));
                var cli = new List<string> { datapipe, "run", file };
                var env = new Dictionary<string, string>();
                switch (config)
                {
                    case "local1": cli.AddRange(["--executor", "local", "--workers", "1"]); break;
                    case "local2": cli.AddRange(["--executor", "local", "--workers", "2"]); break;
                    case "slurm":
                        if (LoopbackSlurmCluster.Unavailable is { } why)
                        {
                            Console.WriteLine($"slurm: skipped ({why})");
                            continue;
                        }
                        if (cluster is null)
                        {
                            cluster = new LoopbackSlurmCluster();
                            var start = Stopwatch.StartNew();
                            await cluster.StartAsync().ConfigureAwait(false);
                            Console.WriteLine($"slurm: loopback cluster up in {start.Elapsed.TotalSeconds:F1} s ({cluster.ConfPath})");
                        }
                        cli.AddRange(["--executor", "slurm"]);
                        foreach (var (k, v) in cluster.Environment) env[k] = v;
                        break;
                    default:
                        throw new ArgumentException($"--configs: unknown configuration '{config}' (local1, local2, slurm)");
                }
                Console.WriteLine($"[{config}] dotnet {string.Join(' ', cli.Select(c => c.Contains(' ', StringComparison.Ordinal) ? $"'{c}'" : c))}");
                var clock = Stopwatch.StartNew();
                var (code, output) = await RunCliAsync(cli, env).ConfigureAwait(false);
                double wall = clock.Elapsed.TotalSeconds;
                if (code != 0)
                {
                    Console.WriteLine(output);
                    throw new InvalidOperationException($"[{config}] datapipe run failed with exit code {code}");
                }
                string root = Path.Combine(scratch.Path, config, "out");
                results.Add((config, wall, PipelineRecord.Read(root)));
                Console.WriteLine($"[{config}] {wall:F1} s end to end (load average {LoadAverage()})");
            }
        }
        finally
        {
            if (cluster is not null) await cluster.DisposeAsync().ConfigureAwait(false);
        }

        Print(results);
        if (keep)
        {
            string kept = Path.Combine(Path.GetTempPath(), $"datapipe-pipeline-scaling-{DateTime.UtcNow:yyyyMMddHHmmss}");
            CopyTree(scratch.Path, kept);
            Console.WriteLine($"outputs kept in {kept}");
        }
        return 0;
    }

    private static void Print(List<(string Config, double Wall, PipelineRecord? Record)> results)
    {
        var steps = results.SelectMany(r => r.Record?.Steps.Select(s => s.Step) ?? []).Distinct().ToList();
        string Cell(string config, string step) =>
            results.FirstOrDefault(r => r.Config == config).Record?.Steps.FirstOrDefault(s => s.Step == step) is { } s
                ? s.WallSeconds.ToString("F1", CultureInfo.InvariantCulture) : "";
        double? Seconds(string config, string? step) => step is null
            ? results.Where(r => r.Config == config).Select(r => (double?)r.Wall).FirstOrDefault()
            : results.FirstOrDefault(r => r.Config == config).Record?.Steps.FirstOrDefault(s => s.Step == step)?.WallSeconds;
        static string Ratio(double? a, double? b) => a is double x && b is double y && y > 0 ? (x / y).ToString("F2", CultureInfo.InvariantCulture) : "";

        Console.WriteLine();
        Console.WriteLine($"{"step",-20} {"local 1 worker s",17} {"local 2 workers s",18} {"speedup 1→2",12} {"slurm 2 tasks s",16} {"slurm / local 2",16}");
        foreach (var step in steps.Append("end to end (wall)"))
        {
            bool total = step == "end to end (wall)";
            string l1 = total ? Seconds("local1", null)?.ToString("F1", CultureInfo.InvariantCulture) ?? "" : Cell("local1", step);
            string l2 = total ? Seconds("local2", null)?.ToString("F1", CultureInfo.InvariantCulture) ?? "" : Cell("local2", step);
            string sl = total ? Seconds("slurm", null)?.ToString("F1", CultureInfo.InvariantCulture) ?? "" : Cell("slurm", step);
            string? key = total ? null : step;
            Console.WriteLine($"{step,-20} {l1,17} {l2,18} {Ratio(Seconds("local1", key), Seconds("local2", key)),12} {sl,16} {Ratio(Seconds("slurm", key), Seconds("local2", key)),16}");
        }
        Console.WriteLine();
        Console.WriteLine("Step seconds are each step's wall time in the run (from _pipeline.json); end to end includes the CLI's start-up.");
        Console.WriteLine("On Slurm every task is its own process (start-up and TorchSharp load per task) and steps wait for squeue polls.");
    }

    /// <summary>Copies the pipeline file next to its run: output into the run folder, relative paths made absolute.</summary>
    internal static string CopyPipeline(string pipeline, string runDir)
    {
        Directory.CreateDirectory(runDir);
        string baseDir = Path.GetDirectoryName(pipeline)!;
        var lines = File.ReadAllLines(pipeline).Select(line =>
        {
            if (Regex.IsMatch(line, @"^output:\s")) return $"output: {Path.Combine(runDir, "out")}";
            // Every relative path in the shipped pipelines starts with ../ (they live in jobs/pipelines/).
            return Regex.Replace(line, @"(?<=[\s\[,:])(\.\./[^\s,\]}]*)", m => Path.GetFullPath(Path.Combine(baseDir, m.Value)));
        });
        string file = Path.Combine(runDir, Path.GetFileName(pipeline));
        File.WriteAllLines(file, lines);
        return file;
    }

    private static async Task<(int Code, string Output)> RunCliAsync(IReadOnlyList<string> args, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["NO_COLOR"] = "1";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().ConfigureAwait(false);
        return (p.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    internal static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }
}
