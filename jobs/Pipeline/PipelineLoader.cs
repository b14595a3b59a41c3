using System.Text.RegularExpressions;
using DataPipe.Jobs.Pipeline.Kinds;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Pipeline;

/// <summary>
/// Reads a pipeline file strictly: every key is known, every value has the right type and range, every reference names
/// an input or an earlier stage, and every output stays under the output root. Any mistake is one
/// <see cref="PipelineConfigException"/> with the file, line and key, raised before anything runs.
/// <code>
/// name: sample
/// output: ../../out/sample            # relative paths resolve against this file's folder
/// inputs: { warc: ../../samples/warc }
/// executor: { kind: local, workers: 2, attempts: 2, slurm: { partition: batch, time: "00:30:00", cpus_per_task: 1 } }
/// stages:
///   - { name: ingest, kind: ingest, input: warc, tasks: 2, options: { ... } }
/// </code>
/// </summary>
public static partial class PipelineLoader
{
    /// <param name="overrides"><c>PATH=VALUE</c> changes applied before the file is read (<see cref="PipelineOverrides"/>).</param>
    public static PipelineDefinition Load(string path, StageKinds? kinds = null, IReadOnlyList<string>? overrides = null)
    {
        kinds ??= StageKinds.BuiltIn();
        string file = Path.GetFullPath(path);
        if (!System.IO.File.Exists(file)) throw new PipelineConfigException($"{file}: pipeline file not found");
        return Parse(file, System.IO.File.ReadAllText(file), kinds, overrides);
    }

    public static PipelineDefinition Parse(string file, string yaml, StageKinds kinds, IReadOnlyList<string>? overrides = null)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            string message = e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message;
            throw new PipelineConfigException($"{file}:{e.Start.Line}: not valid YAML: {message}");
        }
        catch (ArgumentException e)
        {
            // YamlDotNet's mapping node refuses a key given twice with an ArgumentException that names the key.
            throw new PipelineConfigException($"{file}: not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode rootNode)
            throw new PipelineConfigException($"{file}: a pipeline file is one YAML mapping (name, output, inputs, executor, stages)");

        overrides ??= [];
        PipelineOverrides.Apply(file, rootNode, overrides, kinds);
        var root = new YamlSection(file, "", rootNode);
        string name = root.String("name", Path.GetFileNameWithoutExtension(file));
        string baseDir = Path.GetDirectoryName(file)!;
        string outputRoot = Path.GetFullPath(Path.Combine(baseDir, root.String("output")));
        bool allowOutside = root.Bool("allow_outside_output", false);
        foreach (var key in new[] { "workers", "attempts", "slurm" })
        {
            if (root.Has(key)) throw root.Error(key, $"'{key}' is an executor setting: write it in the executor section (executor: {{ {key}: ... }})");
        }
        var executor = ReadExecutor(root.OptionalSection("executor"));
        var context = new PipelineContext(file, outputRoot, allowOutside, executor);

        if (root.OptionalSection("inputs") is { } inputs)
        {
            foreach (var (key, values) in inputs.StringListMap())
            {
                CheckName(inputs, key, key);
                context.AddInput(key, values);
            }
        }

        var steps = new List<PipelineStep>();
        var stageNames = new List<string>();
        foreach (var s in root.SectionList("stages"))
        {
            string stageName = s.String("name");
            CheckName(s, "name", stageName);
            if (context.HasName(stageName)) throw s.Error("name", $"'{stageName}' is already the name of an input or an earlier stage");
            string kindName = s.String("kind");
            var kind = kinds.Find(kindName) ?? throw s.Error("kind", $"unknown stage kind '{kindName}' (known: {string.Join(", ", kinds.Names)})");
            RefuseMisplacedExecutorKeys(s, "a stage");
            var stageSlurm = s.OptionalSection("slurm");
            var resources = ReadResources(stageSlurm, executor.Slurm.Resources);
            stageSlurm?.EnsureNoUnknownKeys();
            var spec = new StageSpec
            {
                Name = stageName,
                Kind = kindName,
                Section = s,
                Options = s.OptionalSection("options") ?? new YamlSection(file, $"{s.Path}.options", new YamlMappingNode()),
                Input = s.OptionalStringList("input") ?? [],
                Tasks = s.OptionalInt("tasks", min: 1, max: 100_000),
                OutputDir = context.OutputPath(s, "output", s.String("output", stageName), $"stage '{stageName}'"),
                Resources = resources,
            };
            RefuseMisplacedExecutorKeys(spec.Options, "a stage option");
            foreach (var reference in spec.Input) context.Resolve(s, "input", reference);
            var expanded = kind.Expand(spec, context);
            spec.Options.EnsureNoUnknownKeys();
            s.EnsureNoUnknownKeys();
            if (expanded.Count == 0) throw new InvalidOperationException($"stage kind '{kindName}' produced no steps");
            foreach (var step in expanded)
            {
                if (steps.Any(x => x.Name == step.Name)) throw s.Error("name", $"step '{step.Name}' would exist twice");
                steps.Add(step);
            }
            context.AddStage(stageName, kindName, expanded[^1].OutputDir);
            stageNames.Add(stageName);
        }
        if (steps.Count == 0) throw root.Error("stages", "the pipeline has no stages");
        root.EnsureNoUnknownKeys();

        return new PipelineDefinition
        {
            File = file,
            Name = name,
            OutputRoot = outputRoot,
            Executor = executor,
            Overrides = overrides,
            StageNames = stageNames,
            Steps = steps,
        };
    }

    /// <summary>
    /// The pipeline-level settings of the <c>executor:</c> section (its <c>slurm:</c> section is read below): one place
    /// for their names, defaults and ranges.
    /// </summary>
    public static readonly OptionSchema<ExecutorSpec> ExecutorSchema = new OptionSchema<ExecutorSpec>("executor")
        .String("kind", "Pipeline executor that runs the stages", e => e.Kind, (e, v) => e with { Kind = v }, choices: Execution.PipelineExecutors.BuiltInNames)
        .Int("workers", "Tasks run at once on this machine by the local executor; also a stage's task count when it gives no tasks:",
            e => e.Workers, (e, v) => e with { Workers = v }, min: 1, max: 4096)
        .Int("attempts", "Attempts per task before the pipeline stops (1: no retry)", e => e.Attempts, (e, v) => e with { Attempts = v }, min: 1, max: 100);

    /// <summary>Keys that belong to the executor section, refused where older files or a slip put them.</summary>
    private static readonly string[] ExecutorKeys = ["workers", "attempts", "executor"];

    /// <summary>Refuses an executor setting written at the pipeline's top level, in a stage, or in a stage's options.</summary>
    private static void RefuseMisplacedExecutorKeys(YamlSection s, string where)
    {
        foreach (var key in ExecutorKeys)
        {
            if (!s.Has(key)) continue;
            string spelling = key == "executor" ? "executor: { kind: ..., workers: ..., attempts: ... }" : $"executor: {{ {key}: ... }}";
            throw s.Error(key, $"'{key}' is an executor setting, not {where}'s: it is read only from the pipeline's executor section ({spelling})");
        }
    }

    private static ExecutorSpec ReadExecutor(YamlSection? s)
    {
        if (s is null) return new ExecutorSpec();
        var spec = ExecutorSchema.Read(s, new ExecutorSpec());
        if (s.OptionalSection("slurm") is { } slurm)
        {
            spec = spec with
            {
                Slurm = new SlurmSpec
                {
                    Resources = ReadResources(slurm, new SlurmResources()),
                    Account = slurm.OptionalString("account"),
                    ExtraArgs = slurm.OptionalStringList("extra_args") ?? [],
                    PollSeconds = slurm.Double("poll_seconds", 2, min: 0.1, max: 3600),
                    Datapipe = slurm.OptionalString("datapipe"),
                },
            };
            slurm.EnsureNoUnknownKeys();
        }
        s.EnsureNoUnknownKeys();
        return spec;
    }

    private static SlurmResources ReadResources(YamlSection? s, SlurmResources defaults)
    {
        if (s is null) return defaults;
        var r = new SlurmResources
        {
            Partition = s.OptionalString("partition") ?? defaults.Partition,
            Time = s.String("time", defaults.Time),
            CpusPerTask = s.Int("cpus_per_task", defaults.CpusPerTask, min: 1, max: 4096),
            Memory = s.OptionalString("memory") ?? defaults.Memory,
        };
        if (!SlurmTime().IsMatch(r.Time)) throw s.Error("time", $"'{r.Time}' is not a Slurm time limit (MM, HH:MM:SS, D-HH:MM:SS)");
        if (r.Memory is not null && !SlurmMemory().IsMatch(r.Memory)) throw s.Error("memory", $"'{r.Memory}' is not a Slurm memory size (e.g. 500M, 4G)");
        if (r.Partition is not null && !SafeName().IsMatch(r.Partition)) throw s.Error("partition", $"'{r.Partition}' is not a partition name");
        return r;
    }

    private static void CheckName(YamlSection s, string key, string name)
    {
        if (!SafeName().IsMatch(name))
            throw s.Error(key, $"'{name}' is not a usable name (letters, digits, '_' and '-'; it becomes a folder name)");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex SafeName();

    [GeneratedRegex(@"^(\d+|\d+:\d{2}(:\d{2})?|\d+-\d{1,2}(:\d{2}){0,2})$")]
    private static partial Regex SlurmTime();

    [GeneratedRegex("^[0-9]+[KMGT]?$")]
    private static partial Regex SlurmMemory();
}
