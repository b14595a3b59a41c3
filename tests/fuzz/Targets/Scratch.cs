namespace DataPipe.Fuzz.Targets;

/// <summary>
/// A per-process scratch folder for targets whose parser reads a path rather than bytes (Parquet, manifests).
/// One file name per target, overwritten by each input.
/// </summary>
public static class Scratch
{
    public static string Folder { get; } = Create();

    public static string Write(string name, byte[] data)
    {
        string path = System.IO.Path.Combine(Folder, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>A fresh empty subfolder, for seed builders that write through the real writers.</summary>
    public static string NewFolder(string name)
    {
        string path = System.IO.Path.Combine(Folder, name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Create()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"datapipe-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(path);
        return path;
    }
}
