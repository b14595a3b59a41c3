using System.Globalization;

namespace DataPipe.Bench.Filter;

/// <summary>"--name value [value...]" arguments of the filter benchmarks.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public static string RepoRoot { get; } = FindRoot();

    public static BenchArgs Parse(string[] args)
    {
        var a = new BenchArgs();
        string? key = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                key = arg;
                a._values[key] = [];
            }
            else if (key is not null)
            {
                a._values[key].Add(arg);
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }
        return a;
    }

    public IReadOnlyList<string> List(string key, IReadOnlyList<string> fallback) => _values.TryGetValue(key, out var v) && v.Count > 0 ? v : fallback;

    public int Int(string key, int fallback) => _values.TryGetValue(key, out var v) && v.Count > 0 ? int.Parse(v[0], CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) => _values.TryGetValue(key, out var v) && v.Count > 0 ? double.Parse(v[0], CultureInfo.InvariantCulture) : fallback;

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>A scratch folder for a benchmark run, removed afterwards.</summary>
internal sealed class BenchTempDir : IDisposable
{
    public BenchTempDir(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"datapipe-bench-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
