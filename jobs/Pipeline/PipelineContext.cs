using System.Text.RegularExpressions;

namespace DataPipe.Jobs.Pipeline;

/// <summary>
/// What a stage kind sees while it reads its options: where relative paths resolve (the pipeline file's folder), the
/// output root and the rule that nothing is written outside it, the named inputs, and the stages declared before it.
/// </summary>
public sealed partial class PipelineContext
{
    private readonly Dictionary<string, IReadOnlyList<string>> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Kind, string OutputDir)> _stages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _writers = new(StringComparer.Ordinal);

    public PipelineContext(string file, string outputRoot, bool allowOutsideOutput, ExecutorSpec executor)
    {
        File = file;
        BaseDir = Path.GetDirectoryName(file)!;
        OutputRoot = outputRoot;
        AllowOutsideOutput = allowOutsideOutput;
        Executor = executor;
    }

    public string File { get; }

    /// <summary>Relative paths in the file resolve against the file's own folder, wherever the command runs from.</summary>
    public string BaseDir { get; }

    public string OutputRoot { get; }

    public bool AllowOutsideOutput { get; }

    public ExecutorSpec Executor { get; }

    /// <summary>Resolves an input location: URLs (https://, s3://) stay as they are; local paths and globs resolve against the file's folder; "@listing" keeps its "@".</summary>
    public string ResolveInputPath(string raw)
    {
        if (raw.Length == 0) return raw;
        if (raw[0] == '@') return "@" + ResolveInputPath(raw[1..]);
        if (UrlScheme().IsMatch(raw)) return raw;
        return Path.GetFullPath(Path.Combine(BaseDir, raw));
    }

    internal void AddInput(string name, IReadOnlyList<string> paths) => _inputs[name] = [.. paths.Select(ResolveInputPath)];

    internal bool HasName(string name) => _inputs.ContainsKey(name) || _stages.ContainsKey(name);

    internal void AddStage(string name, string kind, string outputDir) => _stages[name] = (kind, outputDir);

    /// <summary>
    /// Resolves a reference to data: the name of a stage declared earlier (its output folder) or of an entry in
    /// <c>inputs:</c> (its locations). Anything else is an error naming the key.
    /// </summary>
    public ResolvedInput Resolve(YamlSection section, string key, string reference)
    {
        if (_stages.TryGetValue(reference, out var stage)) return new ResolvedInput(reference, [stage.OutputDir], FromStage: true, stage.Kind);
        if (_inputs.TryGetValue(reference, out var paths)) return new ResolvedInput(reference, paths, FromStage: false, null);
        string known = string.Join(", ", _inputs.Keys.Concat(_stages.Keys));
        throw section.Error(key, $"'{reference}' is neither an input nor a stage declared before this one (known: {(known.Length == 0 ? "none" : known)})");
    }

    /// <summary>Resolves the required reference under <paramref name="key"/>.</summary>
    public ResolvedInput Resolve(YamlSection section, string key) => Resolve(section, key, section.String(key));

    /// <summary>
    /// A folder or file this pipeline writes, relative to the output root. Paths that leave the root (<c>..</c>,
    /// absolute paths elsewhere) are refused unless the file sets <c>allow_outside_output: true</c>; two stages
    /// writing the same place are refused too.
    /// </summary>
    public string OutputPath(YamlSection section, string key, string relative, string writer)
    {
        string full = Path.GetFullPath(Path.Combine(OutputRoot, relative));
        if (!AllowOutsideOutput && !IsUnder(full, OutputRoot))
            throw section.Error(key, $"'{relative}' resolves to {full}, outside the output root {OutputRoot} (set allow_outside_output: true to allow it)");
        if (full == OutputRoot) throw section.Error(key, $"'{relative}' is the output root itself; a stage writes a folder inside it");
        foreach (var (other, otherWriter) in _writers)
        {
            if (other == full || IsUnder(full, other) || IsUnder(other, full))
                throw section.Error(key, $"{full} overlaps {other}, written by {otherWriter}; each stage needs its own folder");
        }
        _writers[full] = writer;
        return full;
    }

    internal static bool IsUnder(string path, string root)
    {
        string r = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        return path.StartsWith(r, StringComparison.Ordinal);
    }

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*://")]
    private static partial Regex UrlScheme();
}

/// <summary>Data a stage reads: an earlier stage's output folder, or the locations of a named input.</summary>
public sealed record ResolvedInput(string Name, IReadOnlyList<string> Paths, bool FromStage, string? StageKind)
{
    /// <summary>The single folder of a stage's output (or a named input that is one folder).</summary>
    public string Single => Paths.Count == 1 ? Paths[0] : throw new PipelineConfigException($"input '{Name}' names {Paths.Count} locations where one folder is needed");
}

/// <summary>A stage as written in the pipeline file, handed to its kind.</summary>
public sealed record StageSpec
{
    public required string Name { get; init; }

    public required string Kind { get; init; }

    /// <summary>The stage's own mapping (for errors on its keys).</summary>
    public required YamlSection Section { get; init; }

    /// <summary>The <c>options:</c> mapping; the kind reads it and unknown keys are rejected afterwards.</summary>
    public required YamlSection Options { get; init; }

    /// <summary>The references under <c>input:</c>, unresolved; empty when the stage has none.</summary>
    public required IReadOnlyList<string> Input { get; init; }

    /// <summary><c>tasks:</c>, when given.</summary>
    public int? Tasks { get; init; }

    /// <summary>The stage's output folder (root/name unless <c>output:</c> says otherwise), checked against the root.</summary>
    public required string OutputDir { get; init; }

    public required SlurmResources Resources { get; init; }

    /// <summary>Tasks to plan when the file does not say: the local worker count, which keeps every worker busy.</summary>
    public int TasksOr(int defaultValue) => Tasks ?? defaultValue;
}
