using System.Diagnostics;
using DataPipe.Core.Datasets;
using DataPipe.Core.Faults;

namespace DataPipe.Core.Stages;

/// <summary>
/// What a running task sees: its index, the stage's output folder, counters, progress and log, and a way to create
/// outputs. Every output is written under the task's private temp folder and renamed into place only when the task
/// succeeds, so a failed or killed task leaves nothing visible but its log.
/// </summary>
public sealed class StageTaskContext : IDisposable
{
    private readonly List<(string Temp, string Final)> _outputs = [];
    private readonly List<string> _inputs = [];
    private readonly List<SkippedInput> _skippedInputs = [];
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private long _rowsIn;
    private long _rowsOut;

    internal StageTaskContext(string stage, string outputDir, int taskIndex, int taskCount, int attempt, StageProgress progress)
    {
        Stage = stage;
        OutputDir = outputDir;
        TaskIndex = taskIndex;
        TaskCount = taskCount;
        Attempt = attempt;
        Progress = progress;
        TempDir = DatasetFolder.TaskTmpDir(outputDir, taskIndex);
        LogPath = DatasetFolder.TaskLogPath(outputDir, taskIndex);
        Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
        _log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Stage { get; }
    public string OutputDir { get; }
    public int TaskIndex { get; }
    public int TaskCount { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, ...</summary>
    public int Attempt { get; }

    public StageProgress Progress { get; }
    public Counters Counters { get; } = new();
    public string TempDir { get; }
    public string LogPath { get; }
    public long RowsIn => Interlocked.Read(ref _rowsIn);
    public long RowsOut => Interlocked.Read(ref _rowsOut);
    public IReadOnlyList<string> Inputs => _inputs;
    public IReadOnlyList<SkippedInput> SkippedInputs => _skippedInputs;
    internal IReadOnlyList<(string Temp, string Final)> Outputs => _outputs;

    /// <summary>The conventional part file of this task, relative to the output folder.</summary>
    public string PartFileName => DatasetFolder.PartFileName(TaskIndex);

    /// <summary>
    /// Registers an output at <paramref name="relativePath"/> (relative to the stage's output folder) and returns the
    /// temp path to write it to. The file is renamed into place when the task succeeds; a task that does not create the
    /// temp file commits nothing for it.
    /// </summary>
    public string CreateOutput(string relativePath)
    {
        if (Path.IsPathRooted(relativePath) || relativePath.Split('/', '\\').Contains(".."))
            throw new ArgumentException($"output path must be relative to the stage folder: {relativePath}", nameof(relativePath));
        string final = Path.Combine(OutputDir, relativePath);
        string temp = Path.Combine(TempDir, relativePath.Replace('/', '_').Replace('\\', '_'));
        if (_outputs.Any(o => o.Final == final)) throw new InvalidOperationException($"output registered twice: {relativePath}");
        Directory.CreateDirectory(TempDir);
        _outputs.Add((temp, final));
        return temp;
    }

    /// <summary>Opens a <see cref="DocumentWriter"/> on a registered output (by default this task's part file).</summary>
    public Task<DocumentWriter> CreateDocumentWriterAsync(string? relativePath = null, DocumentWriterOptions? options = null, CancellationToken ct = default)
        => DocumentWriter.CreateAsync(CreateOutput(relativePath ?? PartFileName), options, ct);

    /// <summary>Records an input this task read (a file URI or dataset part), for the completion record.</summary>
    public void AddInput(string input)
    {
        lock (_inputs) _inputs.Add(input);
    }

    public void AddRowsIn(long n = 1)
    {
        long after = Interlocked.Add(ref _rowsIn, n);
        Progress.AddRowsIn(n);
        FaultPoint.Counted(Stage, "row", after - n, after);
    }

    public void AddRowsOut(long n = 1)
    {
        Interlocked.Add(ref _rowsOut, n);
        Progress.AddRowsOut(n);
    }

    /// <summary>Appends a timestamped line to this task's log file.</summary>
    public void Log(string message)
    {
        lock (_logLock)
        {
            try
            {
                _log.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} [{Stage} {TaskIndex}/{TaskCount} attempt {Attempt}] {message}");
            }
            catch (IOException)
            {
                // A log that cannot be written (full disk) must not replace the task's own error with its own.
            }
        }
    }

    /// <summary>Counts a skipped record under <paramref name="reason"/> and logs where it was.</summary>
    public void Skip(string reason, string location, string? detail = null)
    {
        Counters.Increment(reason);
        Log(detail is null ? $"skip {reason} at {location}" : $"skip {reason} at {location}: {detail}");
    }

    /// <summary>
    /// Skips a whole input (a file that cannot be opened): counted and logged as <see cref="Skip"/>, and also listed in
    /// the task's completion record, where a command reports it by name without reading logs.
    /// </summary>
    public void SkipInput(string reason, string location, string detail)
    {
        Skip(reason, location, detail);
        lock (_skippedInputs) _skippedInputs.Add(new SkippedInput(location, reason, detail));
    }

    internal Stopwatch Clock { get; } = Stopwatch.StartNew();

    public void Dispose()
    {
        try
        {
            _log.Dispose();
        }
        catch (IOException)
        {
            // Same as Log: closing a log on a full disk must not hide the task's outcome.
        }
    }
}
