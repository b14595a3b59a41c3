using System.Diagnostics;
using System.Text.RegularExpressions;
using DataPipe.Core.Datasets;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// The multi-node tests' cluster: a <see cref="NamespaceSlurmCluster"/> of a controller and three one-CPU compute
/// nodes, each in its own network and UTS namespace, started once for the "slurm-nodes" collection and torn down
/// afterwards (also when a test fails). Also holds the reference output: the main job (jobs/pipelines/sample.yaml up to
/// tokenize) run once by the local executor.
/// </summary>
public sealed class SlurmNodesFixture : IAsyncLifetime
{
    public NamespaceSlurmCluster Cluster { get; } = new(nodes: 3, cpusPerNode: 1);

    private readonly TempDir _dir = new("slurm-nodes-local");
    private Task<PipelineDefinition>? _local;

    /// <summary>Why the multi-node tests cannot run here (the refused command and its message), or null when they can.</summary>
    public static string? Unavailable => NamespaceSlurmCluster.Unavailable;

    public Task InitializeAsync() => Unavailable is null ? Cluster.StartAsync() : Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>The main job run to completion by the local executor, once for all the tests of the collection.</summary>
    public Task<PipelineDefinition> LocalReferenceAsync() => _local ??= RunLocalAsync();

    private async Task<PipelineDefinition> RunLocalAsync()
    {
        var p = SamplePipeline.Load(_dir.Path, "local");
        await new LocalPipelineExecutor(2, 1).RunAsync(p, SamplePipeline.Steps(p));
        return p;
    }
}

/// <summary>A test that needs the namespace cluster; skipped, with the refused command or the missing piece, only where it cannot run.</summary>
public sealed class SlurmNodesFactAttribute : FactAttribute
{
    public SlurmNodesFactAttribute()
    {
        if (SlurmNodesFixture.Unavailable is { } reason) Skip = reason;
    }
}

[CollectionDefinition("slurm-nodes")]
public sealed class SlurmNodesCollection : ICollectionFixture<SlurmNodesFixture>;

/// <summary>
/// The main job as shipped (jobs/pipelines/sample.yaml), copied beside a test with its output moved into the test's
/// folder and its relative paths made absolute; the tests run its data steps (ingest to tokenize; training is left out
/// to keep CI short).
/// </summary>
public static class SamplePipeline
{
    public static PipelineDefinition Load(string dir, string output)
    {
        string shipped = Path.Combine(Repo.Root, "jobs", "pipelines", "sample.yaml");
        string baseDir = Path.GetDirectoryName(shipped)!;
        var lines = File.ReadAllLines(shipped).Select(line =>
            Regex.IsMatch(line, @"^output:\s")
                ? $"output: {Path.Combine(dir, output)}"
                // Every relative path in the shipped pipeline starts with ../ (it lives in jobs/pipelines/).
                : Regex.Replace(line, @"(?<=[\s\[,:])(\.\./[^\s,\]}]*)", m => Path.GetFullPath(Path.Combine(baseDir, m.Value))));
        string file = Path.Combine(dir, $"{output}.yaml");
        File.WriteAllLines(file, lines);
        return PipelineLoader.Load(file);
    }

    public static IReadOnlyList<PipelineStep> Steps(PipelineDefinition p) => p.Select(null, "tokenize");

    /// <summary>The pipeline run on Slurm, every array element started with <paramref name="environment"/> added to the submitter's.</summary>
    public static PipelineDefinition OnSlurm(PipelineDefinition p, params (string Name, string Value)[] environment) => p with
    {
        Executor = p.Executor with
        {
            Kind = "slurm",
            Slurm = p.Executor.Slurm with
            {
                ExtraArgs = environment.Length == 0 ? [] : [$"--export=ALL,{string.Join(',', environment.Select(e => $"{e.Name}={e.Value}"))}"],
            },
        },
    };

    /// <summary>Per step, every committed file and its bytes.</summary>
    public static SortedDictionary<string, SortedDictionary<string, byte[]>> Outputs(PipelineDefinition p)
        => new(Steps(p).ToDictionary(s => s.Name, s => JobsFixtures.PartBytes(s.OutputDir)), StringComparer.Ordinal);

    /// <summary>Per step, the host each task's completion record names, in task order.</summary>
    public static List<(string Step, int Task, string Host)> Hosts(PipelineDefinition p)
    {
        var hosts = new List<(string, int, string)>();
        foreach (var step in Steps(p))
        {
            var success = DatasetFolder.ReadSuccess(step.OutputDir)!;
            for (int t = 0; t < success.TaskCount; t++) hosts.Add((step.Name, t, DatasetFolder.ReadTaskRecord(step.OutputDir, t)!.Host));
        }
        return hosts;
    }

    /// <summary>Runs <c>datapipe ARGS</c> against the cluster (its SLURM_CONF) and returns exit code and output.</summary>
    public static async Task<(int Code, string Output)> CliAsync(NamespaceSlurmCluster cluster, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(JobsFixtures.DatapipeDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        foreach (var (k, v) in cluster.Environment) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
