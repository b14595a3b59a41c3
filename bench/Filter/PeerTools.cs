using System.Diagnostics;

namespace DataPipe.Bench.Filter;

/// <summary>Runs peer tools for the filter benchmarks, installing their Debian packages with apt-get when missing (as root).</summary>
internal static class PeerTools
{
    public static bool Ensure(string path, string package) => File.Exists(path) || (AptInstall(package) && File.Exists(path));

    public static bool AptInstall(string package)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/apt-get")) return false;
        Console.WriteLine($"installing Debian package {package} for the benchmark peer");
        return Run("/usr/bin/apt-get", $"install -y -qq --no-install-recommends {package}", out _) == 0;
    }

    public static int Run(string exe, string arguments, out string output)
    {
        var psi = new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) output += stderr.Result;
        return p.ExitCode;
    }
}
