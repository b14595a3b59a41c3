using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace DataPipe.Core.Faults;

/// <summary>
/// Lets a fault test stop the process at a point it names, instead of racing a timer against the work. The point is
/// read once from the environment:
/// <code>
/// DATAPIPE_FAULT_AT=SCOPE:POINT        SCOPE: a stage as its task records name it (ingest, train-classifier,
///                                      dedup-pairs, ...; _stage.json's "stage"), or "train" for the training loop
///                                      POINT: row=N   the task's N-th input row has been counted
///                                             commit  a task's outputs are all written under _tmp/, none renamed yet
///                                             step=N  the training loop has logged step N (and saved its checkpoint, if due)
/// DATAPIPE_FAULT_SIGNAL=KILL|TERM      KILL (default): SIGKILL, as kill -9 or the OOM killer would;
///                                      TERM: SIGTERM, as a scheduler's cancel, then this thread waits for the exit
/// </code>
/// With no variable set every check is one comparison against null. Nothing in a pipeline file or CLI flag reaches it:
/// it exists for tests that must kill a run in the middle of a chosen step and then check the resumed output.
/// </summary>
public static class FaultPoint
{
    public const string Variable = "DATAPIPE_FAULT_AT";
    public const string SignalVariable = "DATAPIPE_FAULT_SIGNAL";

    private sealed record Target(string Scope, string Point, long Count, int Signal);

    private static readonly Target? Armed = Parse(Environment.GetEnvironmentVariable(Variable), Environment.GetEnvironmentVariable(SignalVariable));

    /// <summary>Stops the process if the armed point is <paramref name="scope"/>:<paramref name="point"/>.</summary>
    public static void Reached(string scope, string point)
    {
        if (Armed is { Count: 0 } t && t.Point == point && t.Scope == scope) Stop(t);
    }

    /// <summary>
    /// Stops the process if the armed point is <paramref name="scope"/>:<paramref name="point"/>=N and a count that went
    /// from <paramref name="before"/> to <paramref name="after"/> passed N (counts can advance by more than one).
    /// </summary>
    public static void Counted(string scope, string point, long before, long after)
    {
        if (Armed is { Count: > 0 } t && before < t.Count && after >= t.Count && t.Point == point && t.Scope == scope) Stop(t);
    }

    private static Target? Parse(string? at, string? signal)
    {
        if (string.IsNullOrWhiteSpace(at)) return null;
        int colon = at.LastIndexOf(':');
        if (colon <= 0 || colon == at.Length - 1) throw new InvalidOperationException($"{Variable}={at}: expected SCOPE:POINT (ingest:commit, train:step=20, ...)");
        string scope = at[..colon], point = at[(colon + 1)..];
        long count = 0;
        int eq = point.IndexOf('=');
        if (eq >= 0)
        {
            if (!long.TryParse(point[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1)
                throw new InvalidOperationException($"{Variable}={at}: the count after '=' must be a whole number of at least 1");
            point = point[..eq];
        }
        int sig = (signal ?? "KILL").ToUpperInvariant() switch
        {
            "KILL" => 9,
            "TERM" => 15,
            _ => throw new InvalidOperationException($"{SignalVariable}={signal}: expected KILL or TERM"),
        };
        return new Target(scope, point, count, sig);
    }

    private static void Stop(Target t)
    {
        if (t.Signal == 9)
        {
            Process.GetCurrentProcess().Kill();
        }
        else
        {
            _ = SendSignal(Environment.ProcessId, t.Signal);
        }
        // The signal is on its way; this thread must not do one more unit of work meanwhile.
        Thread.Sleep(Timeout.Infinite);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
