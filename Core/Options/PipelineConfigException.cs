using DataPipe.Core.Errors;

namespace DataPipe.Core.Options;

/// <summary>
/// A pipeline file that cannot run as written: unknown key, wrong type, bad value, a path outside the output root.
/// The message names the file, the line and the key. Raised before anything runs; the CLI exits with code 2.
/// </summary>
public sealed class PipelineConfigException(string message) : DataPipeException(message)
{
    public override int ExitCode => 2;
}
