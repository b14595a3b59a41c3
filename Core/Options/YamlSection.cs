using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Core.Options;

/// <summary>
/// Strict, typed reading of one YAML mapping of a pipeline file. Every read names the key it wants; a missing required
/// key, a value of the wrong type or out of range, and (at <see cref="EnsureNoUnknownKeys"/>) any key nobody asked for
/// is a <see cref="PipelineConfigException"/> naming the file, the line and the key's full path ("stages[2].options.min_words").
/// </summary>
public sealed class YamlSection
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlSection(string file, string path, YamlMappingNode node)
    {
        File = file;
        Path = path;
        _node = node;
    }

    /// <summary>
    /// A section built in memory rather than parsed (command-line flags read as a mapping): its messages name
    /// <paramref name="source"/> and the key, without a line number.
    /// </summary>
    public static YamlSection InMemory(string source, YamlMappingNode node) => new(source, "", node) { _hasLines = false };

    private bool _hasLines = true;

    /// <summary>A section below this one, from the same source (and so with or without line numbers alike).</summary>
    private YamlSection Child(string path, YamlMappingNode node) => new(File, path, node) { _hasLines = _hasLines };

    /// <summary>The pipeline file, for messages.</summary>
    public string File { get; }

    /// <summary>Where this mapping sits in the document ("executor", "stages[1].options"); empty for the root.</summary>
    public string Path { get; }

    public long Line => _node.Start.Line;

    public IEnumerable<string> Keys => _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public bool Has(string key) => Find(key) is not null;

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public PipelineConfigException Error(string key, string message)
    {
        var node = Find(key);
        long line = node?.Start.Line ?? _node.Start.Line;
        return new PipelineConfigException(_hasLines ? $"{File}:{line}: {KeyPath(key)}: {message}" : $"{File}: {KeyPath(key)}: {message}");
    }

    public static PipelineConfigException Error(string file, YamlNode node, string path, string message)
        => new($"{file}:{node.Start.Line}: {path}: {message}");

    public string? OptionalString(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is not YamlScalarNode s) throw Error(key, $"expected a single value, found {Describe(node)}");
        if (IsNull(s)) throw Error(key, "has no value");
        return s.Value ?? "";
    }

    public string String(string key) => OptionalString(key) ?? throw Missing(key);

    public string String(string key, string defaultValue) => OptionalString(key) ?? defaultValue;

    /// <summary>A string that must be one of <paramref name="allowed"/>.</summary>
    public string Choice(string key, string defaultValue, params string[] allowed)
    {
        string v = String(key, defaultValue);
        if (!allowed.Contains(v, StringComparer.Ordinal)) throw Error(key, $"'{v}' is not one of: {string.Join(", ", allowed)}");
        return v;
    }

    public int? OptionalInt(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        string? raw = OptionalString(key);
        if (raw is null) return null;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw Error(key, $"expected a whole number, found '{raw}'");
        if (v < min || v > max) throw Error(key, $"{v} is out of range [{min}, {(max == int.MaxValue ? "∞" : max.ToString(CultureInfo.InvariantCulture))}]");
        return v;
    }

    public int Int(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue) => OptionalInt(key, min, max) ?? defaultValue;

    public long Long(string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        string? raw = OptionalString(key);
        if (raw is null) return defaultValue;
        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
            throw Error(key, $"expected a whole number, found '{raw}'");
        if (v < min || v > max) throw Error(key, $"{v} is out of range [{min}, {max}]");
        return v;
    }

    public double Double(string key, double defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        string? raw = OptionalString(key);
        if (raw is null) return defaultValue;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw Error(key, $"expected a number, found '{raw}'");
        if (v < min || v > max) throw Error(key, $"{v.ToString(CultureInfo.InvariantCulture)} is out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
        return v;
    }

    public bool Bool(string key, bool defaultValue)
    {
        string? raw = OptionalString(key);
        return raw switch
        {
            null => defaultValue,
            "true" => true,
            "false" => false,
            _ => throw Error(key, $"expected true or false, found '{raw}'"),
        };
    }

    /// <summary>A list of strings; a single value is read as a list of one.</summary>
    public IReadOnlyList<string>? OptionalStringList(string key)
    {
        var node = Find(key);
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode s when !IsNull(s):
                return [s.Value ?? ""];
            case YamlSequenceNode seq:
                var list = new List<string>();
                for (int i = 0; i < seq.Children.Count; i++)
                {
                    if (seq.Children[i] is not YamlScalarNode item || IsNull(item))
                        throw Error(File, seq.Children[i], $"{KeyPath(key)}[{i}]", $"expected a single value, found {Describe(seq.Children[i])}");
                    list.Add(item.Value ?? "");
                }
                return list;
            default:
                throw Error(key, $"expected a value or a list of values, found {Describe(node)}");
        }
    }

    public YamlSection? OptionalSection(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is YamlScalarNode s && IsNull(s)) return Child(KeyPath(key), new YamlMappingNode());
        if (node is not YamlMappingNode m) throw Error(key, $"expected a mapping of keys to values, found {Describe(node)}");
        return Child(KeyPath(key), m);
    }

    /// <summary>True when <paramref name="key"/> holds a mapping (a kind whose option is either a value or a section asks first).</summary>
    public bool IsSection(string key) => Find(key) is YamlMappingNode;

    /// <summary>
    /// A section that can also be switched off: <c>key: false</c> gives null, <c>key: true</c> or no key gives an empty
    /// section (the defaults), a mapping gives itself. Anything else is an error naming the key.
    /// </summary>
    public YamlSection? SwitchableSection(string key)
    {
        var node = Find(key);
        switch (node)
        {
            case null:
                return Child(KeyPath(key), new YamlMappingNode());
            case YamlMappingNode m:
                return Child(KeyPath(key), m);
            case YamlScalarNode { Value: "false" } s when s.Style == YamlDotNet.Core.ScalarStyle.Plain:
                return null;
            case YamlScalarNode { Value: "true" } s when s.Style == YamlDotNet.Core.ScalarStyle.Plain:
                return Child(KeyPath(key), new YamlMappingNode());
            default:
                throw Error(key, $"expected false (off), true (defaults) or a mapping of thresholds, found {Describe(node)}");
        }
    }

    /// <summary>A list of numbers, each within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public IReadOnlyList<double>? OptionalDoubleList(string key, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var raw = OptionalStringList(key);
        if (raw is null) return null;
        var list = new List<double>();
        foreach (var item in raw)
        {
            if (!double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw Error(key, $"expected numbers, found '{item}'");
            if (v < min || v > max) throw Error(key, $"{v.ToString(CultureInfo.InvariantCulture)} is out of range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]");
            list.Add(v);
        }
        return list;
    }

    /// <summary>A list of mappings (the stages).</summary>
    public IReadOnlyList<YamlSection> SectionList(string key)
    {
        var node = Find(key) ?? throw Missing(key);
        if (node is not YamlSequenceNode seq) throw Error(key, $"expected a list, found {Describe(node)}");
        var list = new List<YamlSection>();
        for (int i = 0; i < seq.Children.Count; i++)
        {
            if (seq.Children[i] is not YamlMappingNode m)
                throw Error(File, seq.Children[i], $"{KeyPath(key)}[{i}]", $"expected a mapping of keys to values, found {Describe(seq.Children[i])}");
            list.Add(Child($"{KeyPath(key)}[{i}]", m));
        }
        return list;
    }

    /// <summary>Each key of a mapping with its value read as a list of strings (the named inputs).</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<string> Values)> StringListMap()
    {
        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (string key in Keys) result.Add((key, OptionalStringList(key) ?? throw Error(key, "has no value")));
        return result;
    }

    /// <summary>Rejects every key that no read asked for, naming it, its line and the keys this mapping accepts.</summary>
    public void EnsureNoUnknownKeys()
    {
        foreach (var (k, _) in _node.Children)
        {
            if (k is not YamlScalarNode key) throw Error(File, k, Path, "keys must be plain names");
            if (!_read.Contains(key.Value ?? ""))
            {
                string known = _read.Count == 0 ? "none" : string.Join(", ", _read.Order(StringComparer.Ordinal));
                throw new PipelineConfigException($"{File}:{key.Start.Line}: {KeyPath(key.Value ?? "")}: unknown key (known here: {known})");
            }
        }
    }

    /// <summary>Marks keys as known without reading them (a kind that accepts no options still names its keys).</summary>
    public void Accept(params string[] keys)
    {
        foreach (var k in keys) _read.Add(k);
    }

    private YamlNode? Find(string key)
    {
        _read.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;
    }

    private PipelineConfigException Missing(string key) => new($"{File}:{Line}: {KeyPath(key)}: required key is missing");

    private static bool IsNull(YamlScalarNode s) =>
        s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "~" or "null");

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };
}
