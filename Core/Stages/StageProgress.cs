namespace DataPipe.Core.Stages;

/// <summary>
/// Live progress of a stage, shared by its tasks and read by whatever displays it (the CLI's progress bar polls it).
/// Work is counted in the plan's unit (bytes, rows, tokens). Thread-safe.
/// </summary>
public sealed class StageProgress
{
    private long _done;
    private long _rowsIn;
    private long _rowsOut;
    private int _tasksDone;

    public StageProgress(string stage, StagePlan plan)
    {
        Stage = stage;
        TotalWork = plan.TotalWork;
        WorkUnit = plan.WorkUnit;
        TaskCount = plan.TaskCount;
    }

    public string Stage { get; }
    public long TotalWork { get; }
    public string WorkUnit { get; }
    public int TaskCount { get; }
    public long DoneWork => Interlocked.Read(ref _done);
    public long RowsIn => Interlocked.Read(ref _rowsIn);
    public long RowsOut => Interlocked.Read(ref _rowsOut);
    public int TasksDone => Volatile.Read(ref _tasksDone);

    public void Advance(long work) => Interlocked.Add(ref _done, work);
    public void AddRowsIn(long n) => Interlocked.Add(ref _rowsIn, n);
    public void AddRowsOut(long n) => Interlocked.Add(ref _rowsOut, n);
    public void TaskCompleted() => Interlocked.Increment(ref _tasksDone);
}
