using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Pipeline;

/// <summary>
/// <c>--set PATH=VALUE</c>: changes one value of a pipeline file as it is loaded, without editing the file (a shorter
/// training run, another output root). PATH names keys joined by dots; inside the <c>stages</c> list a stage is named
/// by its <c>name</c> (<c>stages.train.options.steps=20</c>, <c>output=/tmp/run</c>). The value is read as YAML reads a
/// plain scalar, then checked like any value in the file. A path that names nothing the file has is an error, except
/// its last key, which is added when missing.
/// </summary>
public static class PipelineOverrides
{
    public static void Apply(string file, YamlMappingNode root, IReadOnlyList<string> overrides)
    {
        foreach (string entry in overrides)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new PipelineConfigException($"{file}: --set {entry}: expected PATH=VALUE (e.g. stages.train.options.steps=20)");
            string[] path = entry[..eq].Split('.');
            string value = entry[(eq + 1)..];
            YamlNode node = root;
            for (int i = 0; i < path.Length - 1; i++) node = Child(file, entry, node, path[i]);
            if (node is not YamlMappingNode mapping)
                throw new PipelineConfigException($"{file}: --set {entry}: '{string.Join('.', path[..^1])}' is not a mapping of keys to values");
            mapping.Children[new YamlScalarNode(path[^1])] = new YamlScalarNode(value);
        }
    }

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
