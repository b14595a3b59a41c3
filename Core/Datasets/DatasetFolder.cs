using System.Text.Json;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;

namespace DataPipe.Core.Datasets;

/// <summary>
/// The on-disk layout of a dataset written by one stage (docs/architecture.md, "Datasets"):
/// <code>
/// DIR/part-00000.parquet ...   one file per task, renamed into place when complete
/// DIR/_stage.json              the plan: stage, config hash, task count (written before any task runs)
/// DIR/_tasks/00000.json        per-task completion record
/// DIR/_tasks/00000.error.json  the last failed attempt of a task not (yet) complete: error type, message, log
/// DIR/_logs/task-00000.log     per-task log (skipped records with file and offset, retries, errors)
/// DIR/_tmp/00000/              a running task's files before they are committed
/// DIR/_claims/00000.lock        held (flock) by the process running the task, so no two processes run it at once
/// DIR/_SUCCESS.json            written last: config hash, totals, counters, schema
/// </code>
/// </summary>
public static class DatasetFolder
{
    public const string SuccessFile = "_SUCCESS.json";
    public const string StageFile = "_stage.json";
    public const string TasksDir = "_tasks";
    public const string LogsDir = "_logs";
    public const string TmpDir = "_tmp";
    public const string ClaimsDir = "_claims";

    public static string PartFileName(int task) => $"part-{task:D5}.parquet";

    public static string TaskRecordPath(string dir, int task) => Path.Combine(dir, TasksDir, $"{task:D5}.json");

    public static string TaskErrorPath(string dir, int task) => Path.Combine(dir, TasksDir, $"{task:D5}.error.json");

    public static string TaskLogPath(string dir, int task) => Path.Combine(dir, LogsDir, $"task-{task:D5}.log");

    public static string TaskTmpDir(string dir, int task) => Path.Combine(dir, TmpDir, $"{task:D5}");

    /// <summary>The lock a process holds while it runs task <paramref name="task"/> (see <c>FolderLock</c>).</summary>
    public static string TaskClaimPath(string dir, int task) => Path.Combine(dir, ClaimsDir, $"{task:D5}.lock");

    /// <summary>The lock held while a stage's folder is prepared for a plan or finalized, so each happens once.</summary>
    public static string StageLockPath(string dir) => Path.Combine(dir, ClaimsDir, "stage.lock");

    /// <summary>The committed part files of a dataset folder (not temp files, not subfolders), in task order.</summary>
    public static IReadOnlyList<string> ListParts(string dir, string subdir = "")
    {
        string d = subdir.Length == 0 ? dir : Path.Combine(dir, subdir);
        if (!Directory.Exists(d)) return [];
        return [.. Directory.EnumerateFiles(d, "part-*.parquet").Order(StringComparer.Ordinal)];
    }

    public static SuccessRecord? ReadSuccess(string dir) => ReadJson<SuccessRecord>(Path.Combine(dir, SuccessFile));

    public static TaskRecord? ReadTaskRecord(string dir, int task) => ReadJson<TaskRecord>(TaskRecordPath(dir, task));

    /// <summary>The record of task <paramref name="task"/>'s last failed attempt; null when it has none.</summary>
    public static TaskErrorRecord? ReadTaskError(string dir, int task) => ReadJson<TaskErrorRecord>(TaskErrorPath(dir, task));

    public static StagePlanRecord? ReadStagePlan(string dir) => ReadJson<StagePlanRecord>(Path.Combine(dir, StageFile));

    /// <summary>
    /// The parts of a dataset that a later stage may read: the folder must hold a <c>_SUCCESS.json</c>, so a stage
    /// never consumes the half-finished output of another.
    /// </summary>
    public static IReadOnlyList<string> RequireCompleteParts(string dir)
    {
        if (!Directory.Exists(dir)) throw new DataPipeException($"{dir}: input dataset folder not found");
        if (ReadSuccess(dir) is null)
            throw new DataPipeException($"{dir}: input dataset is not complete (no {SuccessFile}); run the stage that writes it to the end first");
        return ListParts(dir);
    }

    /// <summary>Reads a JSON record; null when the file does not exist. A corrupt record is an error naming the file.</summary>
    public static T? ReadJson<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), DataPipeJson.Options);
        }
        catch (JsonException e)
        {
            throw new DataPipeException($"{path}: corrupt record ({e.Message})");
        }
    }

    /// <summary>Writes a JSON record atomically: temp file in the same folder, flushed, then renamed over the target.</summary>
    public static void WriteJsonAtomic<T>(string path, T value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, DataPipeJson.Options);
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
