using System.CommandLine;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Core.Options;

/// <summary>
/// A schema seen without its record type, for what checks one option at a time (<c>datapipe run --set</c>): its
/// option names, and one value read alone.
/// </summary>
public interface IOptionSchema
{
    /// <summary>What the options are of ("train config").</summary>
    string What { get; }

    /// <summary>Every declared option name, in declaration order.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Reads <paramref name="key"/> of <paramref name="section"/> alone, as a file's key is read (type, range,
    /// choices), and throws that read's error. Checks across options wait for the whole stage to be read; an option
    /// the kind reads itself is left to the kind.
    /// </summary>
    void CheckValue(YamlSection section, string key);
}

/// <summary>
/// The options of one stage kind, declared once: each option's YAML name, help, range and where it lives in the
/// kind's options record (its default is the record's own). Everything that reads those options is derived from it:
/// a pipeline file's <c>options:</c> mapping (<see cref="Read(YamlSection, T)"/>), a YAML file of the same keys, and
/// the CLI flags (<c>layers</c> becomes <c>--layers</c>, <c>batch_tokens</c> <c>--batch-tokens</c>), whose values are
/// checked by the same code as the file's, so a flag and a key can never disagree on a default or a range.
/// </summary>
public sealed class OptionSchema<T>(string what) where T : class
{
    private readonly List<Entry> _entries = [];

    /// <summary>One option: its YAML name, help, and how to read it into a <typeparamref name="T"/>.</summary>
    public sealed record Entry(string Name, string Help, Func<T, object> Get, Func<YamlSection, T, T> Apply, string? Alias)
    {
        public string Flag => "--" + Name.Replace('_', '-');

        /// <summary>A switch: its flag may be given without a value.</summary>
        public bool IsBool { get; init; }

        /// <summary>A list: its flag takes comma-separated values and may be repeated.</summary>
        public bool IsList { get; init; }

        /// <summary>
        /// Read by the stage kind itself, not into the record (<see cref="OptionSchema{T}.KindRead"/>): a path resolved
        /// against the pipeline file, a name of an input or stage, or a section with its own schema.
        /// </summary>
        public bool IsKindRead { get; init; }

        /// <summary>A path (file, folder or glob): relative to the pipeline file's folder, or to the current folder on the command line.</summary>
        public bool IsPath { get; init; }

        /// <summary>Whether the stage command has a flag for it (not for what only a pipeline file can say, e.g. a section).</summary>
        public bool HasFlag { get; init; } = true;
    }

    private readonly List<Func<T, (string Key, string Message)?>> _checks = [];

    public IReadOnlyList<Entry> Entries => _entries;

    /// <summary>What the options are of ("train config"), for messages.</summary>
    public string What => what;

    /// <summary>This schema as an <see cref="IOptionSchema"/>, reading single values over <paramref name="defaults"/>.</summary>
    public IOptionSchema WithDefaults(T defaults) => new Checker(this, defaults);

    private sealed class Checker(OptionSchema<T> schema, T defaults) : IOptionSchema
    {
        public string What => schema.What;

        public IReadOnlyList<string> Names => [.. schema._entries.Select(e => e.Name)];

        public void CheckValue(YamlSection section, string key)
        {
            if (schema._entries.FirstOrDefault(e => e.Name == key) is { IsKindRead: false } entry) entry.Apply(section, defaults);
        }
    }

    public OptionSchema<T> Int(string name, string help, Func<T, int> get, Func<T, int, T> set, int min = int.MinValue, int max = int.MaxValue, string? alias = null)
        => Add(name, Range(help, min, max, int.MinValue, int.MaxValue), t => get(t), (s, t) => s.OptionalInt(name, min, max) is int v ? set(t, v) : t, alias);

    /// <summary>An optional whole number: absent (null) unless the file or a flag gives it.</summary>
    public OptionSchema<T> OptionalInt(string name, string help, Func<T, int?> get, Func<T, int?, T> set, int min = int.MinValue, int max = int.MaxValue)
        => Add(name, Range(help, min, max, int.MinValue, int.MaxValue), t => (object?)get(t) ?? "none", (s, t) => s.OptionalInt(name, min, max) is int v ? set(t, v) : t, null);

    public OptionSchema<T> Long(string name, string help, Func<T, long> get, Func<T, long, T> set, long min = long.MinValue, long max = long.MaxValue)
        => Add(name, Range(help, min, max, long.MinValue, long.MaxValue), t => get(t), (s, t) => s.Has(name) ? set(t, s.Long(name, 0, min, max)) : t, null);

    public OptionSchema<T> Double(string name, string help, Func<T, double> get, Func<T, double, T> set, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
        => Add(name, Range(help, min, max, double.NegativeInfinity, double.PositiveInfinity), t => get(t), (s, t) => s.Has(name) ? set(t, s.Double(name, 0, min, max)) : t, null);

    /// <summary>An optional number: absent (null) unless the file or a flag gives it.</summary>
    public OptionSchema<T> OptionalDouble(string name, string help, Func<T, double?> get, Func<T, double?, T> set, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
        => Add(name, Range(help, min, max, double.NegativeInfinity, double.PositiveInfinity), t => (object?)get(t) ?? "none",
            (s, t) => s.Has(name) ? set(t, s.Double(name, 0, min, max)) : t, null);

    /// <summary>true or false; as a flag, <c>--name</c> alone means true.</summary>
    public OptionSchema<T> Bool(string name, string help, Func<T, bool> get, Func<T, bool, T> set)
        => Add(name, help, t => get(t), (s, t) => s.Has(name) ? set(t, s.Bool(name, false)) : t, null, isBool: true);

    public OptionSchema<T> String(string name, string help, Func<T, string> get, Func<T, string, T> set, IReadOnlyList<string>? choices = null, string? alias = null)
        => Add(name, choices is null ? help : $"{help}: {string.Join(", ", choices)}", t => get(t),
            (s, t) => s.OptionalString(name) is not { } v ? t : set(t, choices is null ? v : s.Choice(name, v, [.. choices])), alias);

    /// <summary>A list of strings; a single value is a list of one.</summary>
    public OptionSchema<T> StringList(string name, string help, Func<T, IReadOnlyList<string>> get, Func<T, IReadOnlyList<string>, T> set)
        => Add(name, help, t => string.Join(",", get(t)), (s, t) => s.OptionalStringList(name) is { } v ? set(t, v) : t, null, isList: true);

    /// <summary>A list of numbers within [min, max]; with <paramref name="count"/>, exactly that many.</summary>
    public OptionSchema<T> DoubleList(string name, string help, Func<T, IReadOnlyList<double>> get, Func<T, IReadOnlyList<double>, T> set,
        double min = double.NegativeInfinity, double max = double.PositiveInfinity, int? count = null)
        => Add(name, Range(help, min, max, double.NegativeInfinity, double.PositiveInfinity),
            t => string.Join(",", get(t).Select(v => v.ToString(CultureInfo.InvariantCulture))),
            (s, t) =>
            {
                if (s.OptionalDoubleList(name, min, max) is not { } v) return t;
                if (count is int n && v.Count != n) throw s.Error(name, $"expected {n} numbers, found {v.Count}");
                return set(t, v);
            }, null, isList: true);

    /// <summary>
    /// An option the stage kind reads itself, because reading it needs the pipeline: a name of an input or stage, a
    /// section with its own schema, a value whose default depends on where the stage runs. Declared here so its name,
    /// help and CLI flag come from the same place as the others'; <see cref="Read(YamlSection, T)"/> leaves it alone
    /// (so a file of options, <see cref="ReadFile"/>, refuses it as an unknown key). <paramref name="shown"/> is the
    /// default its help states; <paramref name="flag"/> false: no CLI flag (what only a pipeline file can say).
    /// </summary>
    public OptionSchema<T> KindRead(string name, string help, string shown = "none", bool list = false, bool isBool = false, string? alias = null, bool flag = true)
        => Add(name, help, _ => shown, (_, t) => t, alias, isBool, list, kindRead: true, hasFlag: flag);

    /// <summary>
    /// A path option (a file, folder or glob; with <paramref name="list"/>, several), read and resolved by the kind:
    /// against the pipeline file's folder in a file, against the current folder on the command line (a stage command
    /// runs as a one-stage pipeline whose file is there).
    /// </summary>
    public OptionSchema<T> Path(string name, string help, bool list = false, string shown = "none", string? alias = null)
        => Add(name, $"{help}; {PathHelp}", _ => shown, (_, t) => t, alias, false, list, kindRead: true, hasFlag: true, path: true);

    /// <summary>How every path option resolves, said once in its help.</summary>
    public const string PathHelp = "relative paths resolve against the pipeline file's folder (the current folder for a command)";

    /// <summary>Whether the schema declares <paramref name="name"/>.</summary>
    public bool Declares(string name) => _entries.Any(e => e.Name == name);

    /// <summary>The declared option <paramref name="name"/>.</summary>
    public Entry this[string name] => _entries.FirstOrDefault(e => e.Name == name) ?? throw new KeyNotFoundException($"{what}: no option '{name}'");

    /// <summary>
    /// A check across options or against something outside the schema (a name a catalog must know): it returns the key
    /// to blame and why, or null. It runs after every read, so a file's key and a flag fail with the same message.
    /// </summary>
    public OptionSchema<T> Check(Func<T, (string Key, string Message)?> check)
    {
        _checks.Add(check);
        return this;
    }

    private OptionSchema<T> Add(string name, string help, Func<T, object> get, Func<YamlSection, T, T> apply, string? alias, bool isBool = false, bool isList = false,
        bool kindRead = false, bool hasFlag = true, bool path = false)
    {
        if (_entries.Any(e => e.Name == name)) throw new InvalidOperationException($"{what}: option '{name}' declared twice");
        _entries.Add(new Entry(name, help, get, apply, alias) { IsBool = isBool, IsList = isList, IsKindRead = kindRead, HasFlag = hasFlag, IsPath = path });
        return this;
    }

    /// <summary>The options that are CLI flags, in the order <see cref="CreateFlags"/> returns them.</summary>
    private IEnumerable<Entry> Flagged => _entries.Where(e => e.HasFlag);

    private static string Range<TNum>(string help, TNum min, TNum max, TNum noMin, TNum noMax) where TNum : IFormattable, IEquatable<TNum>
    {
        string lo = min.Equals(noMin) ? "" : min.ToString(null, CultureInfo.InvariantCulture);
        string hi = max.Equals(noMax) ? "" : max.ToString(null, CultureInfo.InvariantCulture);
        return lo.Length == 0 && hi.Length == 0 ? help : $"{help} [{lo}..{hi}]";
    }

    /// <summary>
    /// Reads every option present in <paramref name="section"/> over <paramref name="start"/> (the defaults, or a file's
    /// values under flags). Keys the schema does not declare are left for the caller's unknown-key check.
    /// </summary>
    public T Read(YamlSection section, T start)
    {
        var value = start;
        foreach (var e in _entries) value = e.Apply(section, value);
        foreach (var check in _checks)
        {
            if (check(value) is { } failed) throw section.Error(failed.Key, failed.Message);
        }
        return value;
    }

    /// <summary>
    /// Reads a YAML file holding one mapping of these options (e.g. <c>datapipe train --config train.yaml</c>): the same
    /// names, ranges and unknown-key check as a pipeline file's <c>options:</c>.
    /// </summary>
    public T ReadFile(string file, T start)
    {
        if (!File.Exists(file)) throw new PipelineConfigException($"{file}: {what} file not found");
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(file)));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new PipelineConfigException($"{file}:{e.Start.Line}: not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0) return start;
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new PipelineConfigException($"{file}: a {what} file is one YAML mapping of option names to values");
        var section = new YamlSection(file, "", root);
        var value = Read(section, start);
        section.EnsureNoUnknownKeys();
        return value;
    }

    /// <summary>
    /// One CLI flag per option (<c>--name</c>, plus its alias), with the help, range and default of <paramref name="defaults"/>.
    /// With <paramref name="prefix"/> the flags are <c>--PREFIX-name</c> (a filter rule's <c>--gopher-quality-min-words</c>).
    /// </summary>
    public IReadOnlyList<Option> CreateFlags(T defaults, string? prefix = null)
        => [.. Flagged.Select(e =>
        {
            string name = prefix is null ? e.Flag : $"--{prefix.Replace('_', '-')}-{e.Flag[2..]}";
            string[] aliases = e.Alias is null || prefix is not null ? [] : [e.Alias];
            Option flag = e.IsList
                // A list flag takes several values ("--languages en de"), comma-separated ones, or repeats.
                ? new Option<string[]>(name, aliases) { AllowMultipleArgumentsPerToken = true }
                : new Option<string?>(name, aliases);
            flag.Description = $"{e.Help} (default: {Format(e.Get(defaults))})";
            if (e.IsBool) flag.Arity = ArgumentArity.ZeroOrOne;
            return flag;
        })];

    /// <summary>The flag of option <paramref name="name"/> among <paramref name="flags"/> (from <see cref="CreateFlags"/>).</summary>
    public Option FlagOf(IReadOnlyList<Option> flags, string name)
    {
        var flagged = Flagged.ToList();
        int i = flagged.FindIndex(e => e.Name == name);
        return i >= 0 ? flags[i] : throw new KeyNotFoundException($"{what}: option '{name}' has no flag");
    }

    /// <summary>Whether any of <paramref name="flags"/> (from <see cref="CreateFlags"/>) was given on the command line.</summary>
    public static bool AnyGiven(ParseResult parse, IReadOnlyList<Option> flags)
        => flags.Any(f => parse.GetResult(f) is { Implicit: false });

    /// <summary>
    /// The values of the flags given on the command line over <paramref name="start"/>: each flag's text is read as the
    /// same key in a YAML mapping would be, so its range and type errors are the file's ("command line: layers: ...").
    /// </summary>
    public T ReadFlags(ParseResult parse, IReadOnlyList<Option> flags, T start)
        => Read(YamlSection.InMemory("command line", FlagsToMapping(parse, flags)), start);

    /// <summary>
    /// The flags given on the command line as the YAML mapping a pipeline file would hold for them (<c>--min-words 20</c>
    /// is <c>min_words: 20</c>), for a command that hands its options to the stage kind as a one-stage pipeline.
    /// </summary>
    public YamlMappingNode FlagsToMapping(ParseResult parse, IReadOnlyList<Option> flags)
    {
        var node = new YamlMappingNode();
        var flagged = Flagged.ToList();
        for (int i = 0; i < flagged.Count; i++)
        {
            var key = new YamlScalarNode(flagged[i].Name);
            if (flags[i] is Option<string[]> list)
            {
                if (parse.GetValue(list) is not { Length: > 0 } values) continue;
                var items = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                node.Children[key] = new YamlSequenceNode(items.Select(v => (YamlNode)new YamlScalarNode(v)));
                continue;
            }
            var flag = (Option<string?>)flags[i];
            string? text = parse.GetValue(flag);
            // A switch given alone ("--keep-rejected") means true.
            if (text is null && flagged[i].IsBool && parse.GetResult(flag) is { Implicit: false }) text = "true";
            if (text is not null) node.Children[key] = new YamlScalarNode(text);
        }
        return node;
    }

    private static string Format(object v) => v switch
    {
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
