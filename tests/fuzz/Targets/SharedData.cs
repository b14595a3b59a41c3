namespace DataPipe.Fuzz.Targets;

/// <summary>Finds <c>../shared/data</c> beside the checkout (or <c>DATAPIPE_SHARED_DATA</c>), where seeds come from.</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("DATAPIPE_SHARED_DATA") is { Length: > 0 } env) return env;
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(d.FullName, "DataPipe.sln")))
                    return System.IO.Path.GetFullPath(System.IO.Path.Combine(d.FullName, "..", "shared", "data"));
            }
        }
        throw new DirectoryNotFoundException($"DataPipe.sln not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; set DATAPIPE_SHARED_DATA");
    }
}
