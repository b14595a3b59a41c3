using System.Diagnostics;
using DataPipe.Fuzz.Hostile;

namespace DataPipe.Bench.Fuzz;

/// <summary>
/// <c>hostile-memory [SCENARIO...]</c>: the decompression bombs and giant records at full size (10 GiB
/// gzip/brotli bombs, a 500 MB HTML page inside a WARC record, 1,000,000 nested tags), each in its own child process
/// (<c>DataPipe.Fuzz hostile NAME</c>) so its peak working set is its own, with Ingest's default caps. Prints, per
/// scenario, what the parsers did, seconds, peak working set and its excess over the baseline process (runtime and
/// assemblies loaded, nothing read). Nothing is stored: the inputs are generated as they are read.
/// </summary>
public static class HostileMemoryBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var names = args.Length > 0 ? args : HostileScenarios.Names;
        if (!names.Contains("baseline")) names = ["baseline", .. names];
        string harness = Path.Combine(AppContext.BaseDirectory, "DataPipe.Fuzz.dll");
        var results = new List<ScenarioResult>();
        int failures = 0;
        foreach (var name in names)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(harness);
            psi.ArgumentList.Add("hostile");
            psi.ArgumentList.Add(name);
            using var child = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            await child.WaitForExitAsync().ConfigureAwait(false);
            string last = (await stdout.ConfigureAwait(false)).TrimEnd().Split('\n')[^1];
            if (child.ExitCode != 0 || !last.StartsWith('{'))
            {
                failures++;
                Console.WriteLine($"{name}: FAILED (exit {child.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim().Split('\n').FirstOrDefault()}");
                continue;
            }
            var r = HostileScenarios.FromJson(last)!;
            results.Add(r);
            Console.WriteLine($"{r.Scenario}: {r.Input}");
            Console.WriteLine($"    {r.Outcome}");
            Console.WriteLine($"    {r.Seconds:F2} s, peak working set {r.PeakWorkingSetMiB:F1} MiB, allocated {r.AllocatedMiB:F1} MiB{(r.InflatedBytes > 0 ? $", inflated {r.InflatedBytes:N0} bytes" : "")}");
        }
        var baseline = results.FirstOrDefault(r => r.Scenario == "baseline");
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-30} {"seconds",8} {"peak WS MiB",12} {"over baseline",14}");
        foreach (var r in results)
            Console.WriteLine($"{r.Scenario,-30} {r.Seconds,8:F2} {r.PeakWorkingSetMiB,12:F1} {(baseline is null ? "" : $"{r.PeakWorkingSetMiB - baseline.PeakWorkingSetMiB:+0.0;-0.0}"),14}");
        return failures == 0 ? 0 : 1;
    }
}
