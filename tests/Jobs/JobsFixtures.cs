using System.Collections.Concurrent;
using System.Diagnostics;
using DataPipe.Core.Config;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Pipeline;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// <c>kind: numbers</c> for tests: writes <c>rows</c> documents per task (ids continue across tasks), optionally reading
/// an upstream dataset so its hash chains like a real stage's; counts every task run so tests can see what reran.
/// </summary>
public sealed class NumbersKind : IStageKind
{
    public ConcurrentBag<(string Step, int Task)> Runs { get; } = [];

    public string Kind => "numbers";


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        int rows = spec.Options.Int("rows", 10, min: 0);
        int delayMs = spec.Options.Int("delay_ms", 0, min: 0);
        string? upstream = spec.Input.Count > 0 ? context.Resolve(spec.Section, "input", spec.Input[0]).Single : null;
        int tasks = spec.TasksOr(2);
        return
        [
            new PipelineStep
            {
                StageName = spec.Name, Name = spec.Name, Kind = Kind, OutputDir = spec.OutputDir, Tasks = tasks, Resources = spec.Resources,
                Build = _ => Task.FromResult<IStage>(new NumbersStage(spec.Name, tasks, rows, delayMs, upstream, Runs)),
            },
        ];
    }
}

public sealed class NumbersStage(string name, int tasks, int rows, int delayMs, string? upstream, ConcurrentBag<(string, int)> runs) : IStage
{
    public string Name => name;

    public string ConfigHash { get; } = DataPipe.Core.Config.ConfigHash.Combine("numbers", $"{tasks}/{rows}", upstream is null ? "" : DataPipe.Core.Config.ConfigHash.OfDataset(upstream));

    public IReadOnlyList<ColumnDescription>? OutputSchema => DocumentSchema.Describe();

    public Task<StagePlan> PlanAsync(CancellationToken ct) => Task.FromResult(new StagePlan(tasks, (long)tasks * rows));

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        runs.Add((name, ctx.TaskIndex));
        await using var w = await ctx.CreateDocumentWriterAsync(ct: ct);
        for (int i = 0; i < rows; i++)
        {
            if (delayMs > 0) await Task.Delay(delayMs, ct);
            ctx.AddRowsIn();
            await w.WriteAsync(TestDocuments.Make(ctx.TaskIndex * rows + i), ct);
            ctx.AddRowsOut();
        }
    }
}

public static class JobsFixtures
{
    public static StageKinds KindsWith(NumbersKind numbers) => StageKinds.BuiltIn().Add(numbers);

    /// <summary>A complete documents dataset of <paramref name="rows"/> rows in <paramref name="parts"/> parts.</summary>
    public static async Task<string> DocumentsDatasetAsync(string dir, int rows, int parts)
    {
        var stage = new NumbersStage("source", parts, rows / parts, 0, null, []);
        await new LocalExecutor().RunAsync(stage, dir, new ExecutorOptions { Workers = 2 });
        return dir;
    }

    public static PipelineDefinition Load(string dir, string yaml, StageKinds? kinds = null)
    {
        string file = Path.Combine(dir, "pipeline.yaml");
        File.WriteAllText(file, yaml);
        return PipelineLoader.Load(file, kinds ?? StageKinds.BuiltIn());
    }

    /// <summary>The built CLI beside the test assembly (the test project references jobs).</summary>
    public static string DatapipeDll => Path.Combine(AppContext.BaseDirectory, "datapipe.dll");

    /// <summary>Runs <c>datapipe ARGS</c> as a child process and returns its exit code and output.</summary>
    public static Task<(int Code, string Stdout, string Stderr)> CliAsync(params string[] args) => CliAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs <c>datapipe ARGS</c> with extra environment variables and returns its exit code and output.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> CliAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = StartCli(environment, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <c>datapipe ARGS</c> from <paramref name="folder"/> (relative paths in ARGS are relative to it).</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> CliInFolderAsync(string folder, params string[] args)
    {
        using var p = StartCli(new Dictionary<string, string>(), args, folder);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    public static Process StartCli(params string[] args) => StartCli(new Dictionary<string, string>(), args);

    /// <summary>Starts <c>datapipe ARGS</c> with extra environment variables (a fault point, for example).</summary>
    public static Process StartCli(IReadOnlyDictionary<string, string> environment, params string[] args) => StartCli(environment, args, null);

    private static Process StartCli(IReadOnlyDictionary<string, string> environment, string[] args, string? folder)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (folder is not null) psi.WorkingDirectory = folder;
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        psi.ArgumentList.Add(DatapipeDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        return Process.Start(psi)!;
    }

    /// <summary>Every committed file of a dataset folder with its bytes (records and logs excluded: they hold times).</summary>
    public static SortedDictionary<string, byte[]> PartBytes(string dir)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(dir, f);
            if (rel.StartsWith('_') || rel.Contains("/_", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith('.')) continue;
            result[rel] = File.ReadAllBytes(f);
        }
        return result;
    }
}
