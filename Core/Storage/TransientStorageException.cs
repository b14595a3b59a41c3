namespace DataPipe.Core.Storage;

/// <summary>A failure worth retrying: a 5xx/429/408 answer, a dropped connection, a body that ended early, a timeout.</summary>
public sealed class TransientStorageException(string message, Exception? inner = null) : IOException(message, inner);
