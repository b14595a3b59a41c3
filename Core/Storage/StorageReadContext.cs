using DataPipe.Core.Stages;

namespace DataPipe.Core.Storage;

/// <summary>Where a read reports its retries: a counter ("storage.retries") and a log line per retry.</summary>
public sealed record StorageReadContext(Counters? Counters = null, Action<string>? Log = null)
{
    public static readonly StorageReadContext None = new();

    internal void Retry(string uri, string why, int attempt, TimeSpan delay)
    {
        Counters?.Increment("storage.retries");
        Log?.Invoke($"retry {attempt} of {uri} in {delay.TotalMilliseconds:F0} ms: {why}");
    }
}
