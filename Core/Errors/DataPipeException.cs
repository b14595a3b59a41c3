namespace DataPipe.Core.Errors;

/// <summary>
/// An error a user can act on: bad input, a missing file, a mismatched model. The CLI prints its message as
/// one line and exits non-zero without a stack trace. The message names the file, record or key at fault.
/// </summary>
public class DataPipeException : Exception
{
    public DataPipeException(string message) : base(message) { }

    public DataPipeException(string message, Exception inner) : base(message, inner) { }

    public DataPipeException() { }

    /// <summary>Process exit code for this error (1 unless a subclass says otherwise).</summary>
    public virtual int ExitCode => 1;
}

/// <summary>A dataset file whose schema is not what the reading stage needs.</summary>
public sealed class DatasetSchemaException(string message) : DataPipeException(message);

/// <summary>A storage operation (open, list, read) that failed for good, after any retries.</summary>
public sealed class StorageException : DataPipeException
{
    public StorageException(string uri, string message, Exception? inner = null)
        : base($"{uri}: {message}", inner ?? new IOException(message))
    {
        Uri = uri;
    }

    /// <summary>The path or URL that failed.</summary>
    public string Uri { get; } = "";

    /// <summary>
    /// True when the failure was transient and retries ran out (the object may be readable later); false for a
    /// permanent answer (not found, forbidden), which a stage can skip and count instead of failing.
    /// </summary>
    public bool RetriesExhausted { get; init; }
}
