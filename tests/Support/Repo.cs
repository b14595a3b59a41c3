namespace DataPipe.Tests.Support;

/// <summary>Where the checkout and the shared data beside it are.</summary>
public static class Repo
{
    /// <summary>The checkout's root (the folder holding DataPipe.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// <c>../shared/data</c> beside the checkout (CI puts it there), or <c>DATAPIPE_SHARED_DATA</c> when set.
    /// </summary>
    public static string SharedData { get; } =
        Environment.GetEnvironmentVariable("DATAPIPE_SHARED_DATA") is { Length: > 0 } env ? env : Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    public static string Shared(string relative)
    {
        string p = Path.Combine(SharedData, relative);
        if (!File.Exists(p) && !Directory.Exists(p))
            throw new FileNotFoundException($"shared test data missing: {p} (is ../shared beside the checkout?)", p);
        return p;
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln"))) return d.FullName;
        throw new InvalidOperationException($"DataPipe.sln not found above {AppContext.BaseDirectory}");
    }
}
