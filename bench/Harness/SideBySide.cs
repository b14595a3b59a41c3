using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace DataPipe.Bench.Harness;

/// <summary>
/// What a side-by-side timing needs on a shared, loaded machine: CPU time beside wall time for this process and for a
/// peer's child process (the kernel's rusage of reaped children, so a peer's helper threads count too), the load
/// average before and after, and a one-line description of the machine.
/// </summary>
internal static partial class SideBySide
{
    /// <summary>Wall and CPU seconds of one timed run.</summary>
    public readonly record struct Timing(double WallSeconds, double CpuSeconds);

    /// <summary>Times <paramref name="work"/> in this process: wall clock and the whole process's CPU time (all its threads, GC included).</summary>
    public static (T Result, Timing Timing) Measure<T>(Func<T> work)
    {
        var cpu0 = ProcessCpuSeconds();
        var sw = Stopwatch.StartNew();
        var result = work();
        double wall = sw.Elapsed.TotalSeconds;
        return (result, new Timing(wall, ProcessCpuSeconds() - cpu0));
    }

    public static double ProcessCpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>A child process's output and its resources as the kernel accounted them when it was reaped.</summary>
    public sealed record ChildRun(int ExitCode, string Stdout, string Stderr, double WallSeconds, double CpuSeconds)
    {
        /// <summary>The last line of standard output parsed as JSON (the peers' scripts end with one).</summary>
        public JsonElement LastJson()
        {
            string last = Stdout.TrimEnd().Split('\n')[^1];
            using var doc = JsonDocument.Parse(last);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>
    /// Runs a child to completion and measures it. CPU seconds are the growth of this process's RUSAGE_CHILDREN (user +
    /// system of children reaped meanwhile), so no other child may run at the same time; the benchmarks run peers one
    /// at a time. A non-zero exit is an error naming the command and carrying its standard error.
    /// </summary>
    public static ChildRun Run(string exe, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        var before = ChildrenUsage();
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        double wall = sw.Elapsed.TotalSeconds;
        var after = ChildrenUsage();
        var run = new ChildRun(p.ExitCode, stdout.Result, stderr.Result, wall, after - before);
        if (run.ExitCode != 0)
            throw new InvalidOperationException($"{exe} {string.Join(' ', psi.ArgumentList)} exited {run.ExitCode}: {Tail(run.Stderr + run.Stdout)}");
        return run;
    }

    /// <summary>The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>The 1-minute load average as a number (NaN where unknown).</summary>
    public static double Load1() =>
        double.TryParse(LoadAverage().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;

    /// <summary>CPU model, logical cores and memory, in one line.</summary>
    public static string Machine()
    {
        string model = "?";
        if (File.Exists("/proc/cpuinfo"))
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        double memGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30);
        return string.Create(CultureInfo.InvariantCulture, $"{model}, {Environment.ProcessorCount} cores, {memGiB:F0} GiB");
    }

    /// <summary>Prints the machine and the load average; call before and after the timed part of a benchmark.</summary>
    public static string PrintLoad(string when)
    {
        string load = LoadAverage();
        Console.WriteLine($"load average {when}: {load} (1/5/15 min) on {Machine()}; the machine is shared, so CPU seconds are printed beside wall seconds");
        return load;
    }

    private static string Tail(string s) => s.Length <= 2000 ? s : "..." + s[^2000..];

    /// <summary>User + system seconds of this process's reaped children (their ru_maxrss is not used: Linux carries a parent's peak into a forked child).</summary>
    private static double ChildrenUsage()
    {
        if (!OperatingSystem.IsLinux() || getrusage(RusageChildren, out var u) != 0) return double.NaN;
        return u.UserSeconds + u.UserMicroseconds / 1e6 + u.SystemSeconds + u.SystemMicroseconds / 1e6;
    }

    /// <summary>
    /// CPU seconds of every thread of this process (Linux /proc/self/task/*/stat, utime + stime at the kernel's
    /// 100 Hz tick), by thread id, with the thread's name: for seeing whether work that should use every core leaves
    /// some thread idle. Empty elsewhere.
    /// </summary>
    public static Dictionary<int, (string Name, double Seconds)> ThreadCpuByThread()
    {
        var all = new Dictionary<int, (string, double)>();
        if (!OperatingSystem.IsLinux()) return all;
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
                // Fields after the name: state is the 3rd field of the line, utime the 14th and stime the 15th.
                string[] rest = stat[(close + 2)..].Split(' ');
                double ticks = double.Parse(rest[11], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(rest[12], System.Globalization.CultureInfo.InvariantCulture);
                all[int.Parse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture)] = (stat[(open + 1)..close], ticks / 100.0);
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }
        return all;
    }

    /// <summary>CPU seconds of the calling thread (CLOCK_THREAD_CPUTIME_ID): for timing one call at a time on a loaded machine.</summary>
    public static double ThreadCpuSeconds() =>
        OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds / 1e9 : double.NaN;

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds, Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out Timespec time);

    private const int RusageChildren = -1;

    /// <summary>struct rusage of Linux x86-64/arm64: two timevals, then fourteen longs (ru_maxrss first, in KiB).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NVcsw, NIvcsw;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out Rusage usage);
}
