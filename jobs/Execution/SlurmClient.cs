using System.Diagnostics;
using System.Globalization;
using DataPipe.Core.Errors;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Execution;

/// <summary>A job array to submit: a batch script run once per task index, after another job succeeded.</summary>
public sealed record SlurmSubmission
{
    public required string JobName { get; init; }
    public required string Script { get; init; }
    public required int ArraySize { get; init; }
    public required SlurmResources Resources { get; init; }
    /// <summary>The job that must finish successfully first (<c>--dependency=afterok</c>), if any.</summary>
    public string? AfterOk { get; init; }
    public string? Account { get; init; }
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    /// <summary>Slurm's stdout/stderr file pattern per array element (%A job, %a index).</summary>
    public required string OutputPattern { get; init; }
    public required string WorkDir { get; init; }
}

/// <summary>
/// The Slurm commands the executor needs, run as processes: <c>sbatch --parsable</c> to submit job arrays,
/// <c>squeue</c> to see which array elements are still pending or running, <c>scontrol show job</c> for the final
/// state of elements that left the queue (kept by slurmctld for MinJobAge), and <c>scancel</c>. Accounting
/// (<c>sacct</c>) is not assumed: clusters without slurmdbd are common, and the completion records on disk are the
/// authority on what finished.
/// </summary>
public sealed class SlurmClient(IReadOnlyDictionary<string, string>? environment = null)
{
    /// <summary>Variables set for every Slurm command (a test cluster's <c>SLURM_CONF</c>); the rest is inherited.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; } = environment ?? new Dictionary<string, string>();

    public static bool IsInstalled => FindOnPath("sbatch") is not null && FindOnPath("squeue") is not null;

    /// <summary>Submits the array and returns its job id.</summary>
    public async Task<string> SubmitAsync(SlurmSubmission s, CancellationToken ct)
    {
        var args = new List<string>
        {
            "--parsable",
            $"--job-name={s.JobName}",
            $"--array=0-{s.ArraySize - 1}",
            $"--time={s.Resources.Time}",
            $"--cpus-per-task={s.Resources.CpusPerTask}",
            "--ntasks=1",
            $"--output={s.OutputPattern}",
            $"--chdir={s.WorkDir}",
            // A job whose dependency can never be met (upstream failed) is cancelled instead of pending forever.
            "--kill-on-invalid-dep=yes",
            // An element whose node fails is queued again (the task reruns on another node), whatever the site's
            // JobRequeue default; a task that fails on its own is not.
            "--requeue",
        };
        if (s.Resources.Partition is { } p) args.Add($"--partition={p}");
        if (s.Resources.Memory is { } m) args.Add($"--mem={m}");
        if (s.Account is { } a) args.Add($"--account={a}");
        if (s.AfterOk is { } dep) args.Add($"--dependency=afterok:{dep}");
        args.AddRange(s.ExtraArgs);
        args.Add(s.Script);
        var (code, stdout, stderr) = await RunAsync("sbatch", args, ct).ConfigureAwait(false);
        if (code != 0) throw new DataPipeException($"sbatch refused job '{s.JobName}' (exit {code}): {stderr.Trim()} {stdout.Trim()}".Trim());
        string id = stdout.Trim().Split(';')[0];
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new DataPipeException($"sbatch answered '{stdout.Trim()}' for job '{s.JobName}', expected a job id");
        return id;
    }

    /// <summary>States of the array elements still known to the queue, per job id ("RUNNING", "PENDING", ...).</summary>
    public async Task<Dictionary<string, List<string>>> QueueAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        var result = jobIds.ToDictionary(j => j, _ => new List<string>());
        if (jobIds.Count == 0) return result;
        // -r: one line per array element; %F: the array's job id; %T: state. squeue fails for ids it no longer knows.
        var (code, stdout, stderr) = await RunAsync("squeue", ["-h", "-r", "-o", "%F|%T", "-j", string.Join(',', jobIds)], ct).ConfigureAwait(false);
        if (code != 0)
        {
            if (stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return result;
            throw new DataPipeException($"squeue failed (exit {code}): {stderr.Trim()}");
        }
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length == 2 && result.TryGetValue(parts[0], out var list)) list.Add(parts[1]);
        }
        return result;
    }

    /// <summary>Final states of a job's array elements, as long as slurmctld still remembers them; empty when it does not.</summary>
    public async Task<List<string>> FinalStatesAsync(string jobId, CancellationToken ct)
    {
        var (code, stdout, _) = await RunAsync("scontrol", ["show", "job", "-o", jobId], ct).ConfigureAwait(false);
        if (code != 0) return [];
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ').FirstOrDefault(f => f.StartsWith("JobState=", StringComparison.Ordinal)))
            .Where(f => f is not null)
            .Select(f => f!["JobState=".Length..])];
    }

    /// <summary>Every node with its state and, for a node that is not up, Slurm's reason ("down*", "Not responding"), from <c>sinfo -N</c>.</summary>
    public async Task<List<(string Node, string State, string Reason)>> NodesAsync(CancellationToken ct)
    {
        var (code, stdout, stderr) = await RunAsync("sinfo", ["-h", "-N", "-o", "%N|%T|%E"], ct).ConfigureAwait(false);
        if (code != 0) throw new DataPipeException($"sinfo failed (exit {code}): {stderr.Trim()}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|'))
            .Where(p => p.Length == 3)
            .Select(p => (p[0], p[1], p[2] == "none" ? "" : p[2]))
            .DistinctBy(n => n.Item1)];
    }

    public async Task CancelAsync(IReadOnlyCollection<string> jobIds)
    {
        if (jobIds.Count == 0) return;
        await RunAsync("scancel", [.. jobIds], CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Summarizes element states for display: "RUNNING 2, PENDING 1".</summary>
    public static string Describe(IEnumerable<string> states)
    {
        var groups = states.GroupBy(s => s).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}").ToList();
        return groups.Count == 0 ? "left the queue" : string.Join(", ", groups);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(FindOnPath(program) ?? program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new DataPipeException($"{program}: could not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DataPipeException($"{program}: not found or not executable; is Slurm installed on this machine? ({e.Message})", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/bin", "/usr/local/bin"]))
        {
            string p = Path.Combine(dir, program);
            if (File.Exists(p)) return p;
        }
        return null;
    }
}
