using DataPipe.Jobs.Pipeline.Kinds;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Pipeline;

/// <summary>
/// <c>--set PATH=VALUE</c>: changes one value of a pipeline file as it is loaded, without editing the file (a shorter
/// training run, another output root). PATH names keys joined by dots; inside the <c>stages</c> list a stage is named
/// by its <c>name</c> (<c>stages.train.options.steps=20</c>, <c>output=/tmp/run</c>); <c>STAGE.OPTION</c> is short for
/// <c>stages.STAGE.options.OPTION</c> when the file has no top-level key STAGE (<c>train.steps=20</c>). The value is
/// read as YAML reads a plain scalar. A stage option is checked at once against its kind's schema
/// (<see cref="IStageKind.Options"/>), an <c>executor.KEY</c> against the executor section's: an option the schema does
/// not declare, or a value its read refuses, is an error naming the <c>--set</c>, the key and why. Any other path that
/// names nothing the file has is an error, except its last key, which is added when missing; its value is checked when
/// the file is read.
/// </summary>
public static class PipelineOverrides
{
    public static void Apply(string file, YamlMappingNode root, IReadOnlyList<string> overrides, StageKinds? kinds = null)
    {
        foreach (string entry in overrides)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new PipelineConfigException($"{file}: --set {entry}: expected PATH=VALUE (e.g. stages.train.options.steps=20)");
            string[] path = Expand(root, entry[..eq].Split('.'));
            string value = entry[(eq + 1)..];
            if (kinds is not null) Check(file, entry, root, path, value, kinds);
            YamlNode node = root;
            for (int i = 0; i < path.Length - 1; i++) node = Child(file, entry, node, path[i]);
            if (node is not YamlMappingNode mapping)
                throw new PipelineConfigException($"{file}: --set {entry}: '{string.Join('.', path[..^1])}' is not a mapping of keys to values");
            mapping.Children[new YamlScalarNode(path[^1])] = new YamlScalarNode(value);
        }
    }

    /// <summary><c>STAGE.OPTION</c> as <c>stages.STAGE.options.OPTION</c>, when STAGE is not a top-level key of the file but a stage's name.</summary>
    private static string[] Expand(YamlMappingNode root, string[] path)
    {
        if (path.Length != 2 || root.Children.ContainsKey(new YamlScalarNode(path[0]))) return path;
        return StageNode(root, path[0]) is null ? path : ["stages", path[0], "options", path[1]];
    }

    private static YamlMappingNode? StageNode(YamlMappingNode root, string name)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("stages"), out var stages) || stages is not YamlSequenceNode list) return null;
        return list.Children.OfType<YamlMappingNode>().FirstOrDefault(s =>
            s.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode { Value: var v } && v == name);
    }

    /// <summary>Checks a stage option against its kind's schema, and an executor key against the executor section's.</summary>
    private static void Check(string file, string entry, YamlMappingNode root, string[] path, string value, StageKinds kinds)
    {
        IOptionSchema? schema = null;
        string owner = "";
        string key;
        if (path.Length >= 4 && path[0] == "stages" && path[2] == "options" && StageNode(root, path[1]) is { } stage
            && stage.Children.TryGetValue(new YamlScalarNode("kind"), out var k) && k is YamlScalarNode { Value: { } kindName }
            && kinds.Find(kindName)?.Options is { } options)
        {
            schema = options;
            owner = $"stage '{path[1]}' (kind {kindName})";
            key = path[3];
        }
        else if (path.Length == 2 && path[0] == "executor" && PipelineLoader.ExecutorSchema.Declares(path[1]))
        {
            // The executor's own keys; its slurm section keeps the loader's checks.
            PipelineLoader.ExecutorSchema.WithDefaults(new ExecutorSpec()).CheckValue(Section(file, entry, path[1], value), path[1]);
            return;
        }
        else
        {
            return;
        }
        if (!schema.Names.Contains(key))
            throw new PipelineConfigException($"{file}: --set {entry}: {owner} has no option '{key}' (its options: {string.Join(", ", schema.Names)})");
        // A value deeper than the option (a rule's threshold inside rules:) is checked when the file is read.
        if (path.Length == 4) schema.CheckValue(Section(file, entry, key, value), key);
    }

    /// <summary>The value alone, as the mapping <c>{ key: value }</c>, whose read errors name the <c>--set</c>.</summary>
    private static YamlSection Section(string file, string entry, string key, string value)
        => YamlSection.InMemory($"{file}: --set {entry}", new YamlMappingNode { { key, value } });

    private static YamlNode Child(string file, string entry, YamlNode node, string key)
    {
        switch (node)
        {
            case YamlMappingNode m when m.Children.TryGetValue(new YamlScalarNode(key), out var child):
                return child;
            case YamlMappingNode m:
                // A section the file leaves out (options: of a stage that has none) is added, empty.
                var added = new YamlMappingNode();
                m.Children[new YamlScalarNode(key)] = added;
                return added;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                    if (item is YamlMappingNode stage && stage.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode { Value: var n } && n == key)
                        return stage;
                throw new PipelineConfigException($"{file}: --set {entry}: no entry named '{key}' in the list");
            default:
                throw new PipelineConfigException($"{file}: --set {entry}: '{key}' is inside a single value");
        }
    }
}
