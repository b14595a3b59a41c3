using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DataPipe.Bench.Harness;

/// <summary>
/// <c>bench report [--quick] [--only NAME,...] [--out bench/REPORT.md]</c>: runs the headline benchmarks one after
/// another, each in its own process (this bench again), and writes their figures as one markdown table to
/// bench/REPORT.md: figure, ours, peer, ratio, target and verdict, the physical limit, machine, load average before and
/// after, and the command that printed it. Each benchmark's full output is kept under bench/out/report/. <c>--quick</c>
/// runs smaller sizes (same benchmarks, same peers) in a fraction of the time. <c>--only NAME,...</c> reruns those
/// benchmarks and keeps the other rows from their last run (kept under bench/out/report/), marked with that run's time.
/// </summary>
internal static class BenchReport
{
    private sealed record Entry(string Name, string[] Full, string[] Quick);

    /// <summary>What one benchmark's run left beside its rows: its command, load average around it, exit code, end time.</summary>
    private sealed record Done(string Command, string LoadBefore, string LoadAfter, int ExitCode, DateTime Finished);

    // The headline benchmarks and their arguments (full, quick). Sizes are chosen so that the full report takes about a
    // quarter of an hour on the 2-core build machine when it is not shared. The longest (dedup at 1M documents) runs last.
    private static readonly Entry[] Entries =
    [
        new("tokenize-vs-tiktoken", ["--passes", "3", "--runs", "2", "--skip-bpe"], ["--passes", "2", "--runs", "2", "--skip-bpe"]),
        new("ingest", ["--mb", "300", "--runs", "2", "--extractors", "density"], ["--mb", "40", "--runs", "2", "--extractors", "density"]),
        new("ingest", ["--realweb", "--runs", "2", "--extractors", "density,smartreader"], ["--realweb", "--runs", "2", "--extractors", "density,smartreader"]),
        new("dedup-real", ["--copies", "400"], ["--copies", "150"]),
        new("train-vs-pytorch", ["steps=20", "runs=2"], ["steps=10", "runs=2"]),
        new("dedup-scale", ["--docs", "1000000"], ["--docs", "50000"]),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        string root = Ingest.WarcCorpus.FindRoot();
        string outFile = Arg(args, "--out") ?? Path.Combine(root, "bench", "REPORT.md");
        var only = Arg(args, "--only")?.Split(',').ToHashSet(StringComparer.Ordinal);
        string logs = Path.Combine(root, "bench", "out", "report");
        Directory.CreateDirectory(logs);
        string self = Environment.ProcessPath!;
        string[] prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(BenchReport).Assembly.Location] : [];
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        var rows = new List<(ReportRow Row, string Command, string LoadBefore, string LoadAfter)>();
        var failures = new List<string>();
        int index = 0;
        foreach (var e in Entries)
        {
            string[] benchArgs = quick ? e.Quick : e.Full;
            string command = $"dotnet run --project bench -c Release -- {e.Name} {string.Join(' ', benchArgs)}";
            string rowsFile = Path.Combine(logs, $"{index:D2}-{e.Name}.rows.jsonl");
            string logFile = Path.Combine(logs, $"{index:D2}-{e.Name}.log");
            string doneFile = Path.Combine(logs, $"{index:D2}-{e.Name}.done.json");
            index++;
            if (only is not null && !only.Contains(e.Name))
            {
                // Not rerun: the rows of its last run, when that run had the same command.
                if (File.Exists(doneFile) && JsonSerializer.Deserialize<Done>(File.ReadAllText(doneFile)) is { } last && last.Command == command && File.Exists(rowsFile))
                    foreach (var line in File.ReadLines(rowsFile))
                    {
                        var kept = JsonSerializer.Deserialize<ReportRow>(line)!;
                        rows.Add((kept with { Figure = kept.Figure + string.Create(CultureInfo.InvariantCulture, $" (run of {last.Finished:HH:mm} UTC)") }, command, last.LoadBefore, last.LoadAfter));
                    }
                else failures.Add($"`{command}` was not rerun (--only) and has no earlier run with that command");
                continue;
            }
            File.Delete(rowsFile);
            File.Delete(doneFile);
            string loadBefore = SideBySide.LoadAverage();
            Console.WriteLine($"[{total.Elapsed:mm\\:ss}] {command}  (load {loadBefore})");
            var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in (string[])[.. prefix, e.Name, .. benchArgs]) psi.ArgumentList.Add(a);
            psi.Environment[ReportRow.EnvironmentVariable] = rowsFile;
            using (var p = Process.Start(psi)!)
            {
                var stderr = p.StandardError.ReadToEndAsync();
                await using (var log = new StreamWriter(logFile))
                {
                    await log.WriteLineAsync($"$ {command}").ConfigureAwait(false);
                    while (await p.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                    {
                        await log.WriteLineAsync(line).ConfigureAwait(false);
                        if (line.StartsWith("REPORT |", StringComparison.Ordinal)) Console.WriteLine("    " + line);
                    }
                    await log.WriteAsync(await stderr.ConfigureAwait(false)).ConfigureAwait(false);
                }
                await p.WaitForExitAsync().ConfigureAwait(false);
                if (p.ExitCode != 0) failures.Add($"`{command}` exited {p.ExitCode} (log: bench/out/report/{Path.GetFileName(logFile)})");
                File.WriteAllText(doneFile, JsonSerializer.Serialize(new Done(command, loadBefore, SideBySide.LoadAverage(), p.ExitCode, DateTime.UtcNow)));
            }
            string loadAfter = SideBySide.LoadAverage();
            if (File.Exists(rowsFile))
                foreach (var line in File.ReadLines(rowsFile))
                    rows.Add((JsonSerializer.Deserialize<ReportRow>(line)!, command, loadBefore, loadAfter));
            // The table so far, so that a report stopped part-way still shows what it measured (and says so).
            if (index < Entries.Length)
                File.WriteAllText(outFile, Render(rows, failures, quick, only, started, total.Elapsed, root, partial: $"{index} of {Entries.Length}"));
        }
        string markdown = Render(rows, failures, quick, only, started, total.Elapsed, root);
        File.WriteAllText(outFile, markdown);
        Console.WriteLine($"wrote {outFile}: {rows.Count} figures in {total.Elapsed.TotalMinutes:F1} min{(failures.Count > 0 ? $"; {failures.Count} benchmarks failed" : "")}");
        return failures.Count == 0 ? 0 : 1;
    }

    private static string Render(List<(ReportRow Row, string Command, string LoadBefore, string LoadAfter)> rows, List<string> failures, bool quick, HashSet<string>? only, DateTime started, TimeSpan took, string root, string? partial = null)
    {
        var ci = CultureInfo.InvariantCulture;
        string machine = SideBySide.Machine();
        string shortMachine = $"{machine.Split(',')[0].Replace("AMD ", "", StringComparison.Ordinal).Replace("Intel(R) ", "", StringComparison.Ordinal)}, {Environment.ProcessorCount} cores";
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmark report");
        sb.AppendLine();
        sb.AppendLine(string.Create(ci, $"Written by `dotnet run --project bench -c Release -- report{(quick ? " --quick" : "")}{(only is null ? "" : " --only " + string.Join(',', only))}` on {started:yyyy-MM-dd HH:mm} UTC, commit {Commit(root)}, in {took.TotalMinutes:F1} minutes{(quick ? " (quick sizes)" : "")}{(only is null ? "" : "; rows marked with a run time are from that earlier run of the same command")}."));
        sb.AppendLine(string.Create(ci, $"Machine: {machine}; .NET {Environment.Version}."));
        if (partial is not null) sb.AppendLine(string.Create(ci, $"\n**Incomplete: written while the report was running, after {partial} benchmarks ({took.TotalMinutes:F1} minutes in).**"));
        sb.AppendLine();
        sb.AppendLine("How to read it: every peer runs as its users run it, in the same process tree and the same run as ours, alternated");
        sb.AppendLine("with ours (ours, peer, ours, peer; best of each side). Ratios are taken on CPU seconds where the work is");
        sb.AppendLine("single-threaded (CPU time of the whole process: ours from the runtime, peers from the kernel's rusage of the");
        sb.AppendLine("child or the peer's own process.cpuUsage / time.process_time), and on wall seconds beside them. The machine is");
        sb.AppendLine("shared with other work: the load average before and after each benchmark is in its row, and with a load");
        sb.AppendLine("above the core count, wall-clock rates (and the wall-clock matmul peak) are low and noisy while CPU-time rates");
        sb.AppendLine("hold. The limit column is what bounds the figure on this machine. Full logs: `bench/out/report/`.");
        sb.AppendLine();
        sb.AppendLine("| figure | ours | peer | ratio | target: verdict | limit | machine | load before → after | command |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (r, command, before, after) in rows)
            sb.AppendLine($"| {Cell(r.Figure)} | {Cell(r.Ours)} | {Cell(r.Peer)} | {Cell(r.Ratio)} | {Cell(r.Target)}: **{Cell(r.Verdict)}** | {Cell(r.Limit)} | {Cell(shortMachine)} | {before} → {after} | `{Cell(command)}` |");
        if (failures.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Benchmarks that failed in this run (their figures are missing above):");
            foreach (var f in failures) sb.AppendLine($"- {f}");
        }
        return sb.ToString();
    }

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Commit(string root)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", ["-C", root, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string sha = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? sha : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
