using System.CommandLine;
using System.Reflection;
using YamlDotNet.RepresentationModel;
using DataPipe.Core.Options;

namespace DataPipe.Filter.Rules;

/// <summary>
/// A filter rule as configuration knows it: its YAML name (also its counter prefix), its place in the chain, its
/// options schema (names, defaults, ranges) and how to build the rule from its options. A rule file declares one as a
/// <c>public static readonly</c> field of its rule class; <see cref="FilterRuleRegistry"/> finds it there.
/// </summary>
public abstract class FilterRuleDefinition
{
    /// <summary>The key under a filter stage's <c>rules:</c> and the prefix of its counters ("gopher_quality").</summary>
    public abstract string Name { get; }

    /// <summary>Where the rule runs: lower first (cheap rules first; the first rule that drops a document is counted).</summary>
    public abstract int Order { get; }

    /// <summary>True: runs with its defaults unless <c>rules:</c> switches it off. False: runs only when <c>rules:</c> names it.</summary>
    public abstract bool OnByDefault { get; }

    /// <summary>The options a rule runs with when nothing overrides them.</summary>
    public abstract object DefaultOptions();

    /// <summary>
    /// This rule's options from the <c>rules:</c> mapping: null when it is off (<c>false</c>, or absent and not on by
    /// default). Refuses a key the schema does not declare and thresholds that contradict each other, naming the key.
    /// </summary>
    public abstract object? Read(YamlSection rules);

    /// <summary>The rule, from options this definition read or made.</summary>
    public abstract IDocumentRule Create(object options);

    /// <summary>
    /// One CLI flag per option of the rule's schema, named <c>--RULE-OPTION</c> (<c>--gopher-quality-min-words</c>),
    /// with the same help, range and default as the key under <c>rules: { RULE: { OPTION: ... } }</c>.
    /// </summary>
    public abstract IReadOnlyList<Option> CreateFlags();

    /// <summary>The rule's flags given on the command line as its mapping under <c>rules:</c> (empty when none was given).</summary>
    public abstract YamlMappingNode FlagsToMapping(ParseResult parse, IReadOnlyList<Option> flags);
}

/// <summary>A rule definition whose options are the record <typeparamref name="TOptions"/>, read through <see cref="OptionSchema{T}"/>.</summary>
public sealed class FilterRuleDefinition<TOptions>(string name, int order, OptionSchema<TOptions> schema, Func<TOptions, IDocumentRule> create)
    : FilterRuleDefinition where TOptions : class, new()
{
    public override string Name => name;

    public override int Order => order;

    public override bool OnByDefault => DefaultOn;

    /// <summary>See <see cref="FilterRuleDefinition.OnByDefault"/>; true unless set.</summary>
    public bool DefaultOn { get; init; } = true;

    public OptionSchema<TOptions> Schema => schema;

    /// <summary>Checks across options (a minimum above its maximum): the message, or null when they agree.</summary>
    public Func<TOptions, string?>? Validate { get; init; }

    public override object DefaultOptions() => new TOptions();

    public override object? Read(YamlSection rules)
    {
        if (!OnByDefault && !rules.Has(Name)) return null;
        if (rules.SwitchableSection(Name) is not { } section) return null;
        var options = schema.Read(section, new TOptions());
        section.EnsureNoUnknownKeys();
        if (Validate?.Invoke(options) is { } message) throw rules.Error(Name, message);
        return options;
    }

    public override IDocumentRule Create(object options) => create((TOptions)options);

    public override IReadOnlyList<Option> CreateFlags() => schema.CreateFlags(new TOptions(), prefix: Name);

    public override YamlMappingNode FlagsToMapping(ParseResult parse, IReadOnlyList<Option> flags) => schema.FlagsToMapping(parse, flags);
}

/// <summary>
/// The filter rules by YAML name: every <see cref="FilterRuleDefinition"/> declared as a public static field of a type
/// in this assembly, plus those added with <see cref="Register"/> (a rule that lives in another assembly).
/// </summary>
public static class FilterRuleRegistry
{
    private static readonly Lock Gate = new();
    private static IReadOnlyList<FilterRuleDefinition> s_all = Discover();

    /// <summary>Every registered rule, in chain order.</summary>
    public static IReadOnlyList<FilterRuleDefinition> All => s_all;

    /// <summary>Adds a rule; registering the same definition again does nothing, another one under a taken name is refused.</summary>
    public static void Register(FilterRuleDefinition definition)
    {
        lock (Gate)
        {
            if (s_all.FirstOrDefault(d => d.Name == definition.Name) is { } existing)
            {
                if (ReferenceEquals(existing, definition)) return;
                throw new InvalidOperationException($"filter rule '{definition.Name}' is registered twice");
            }
            s_all = Sorted([.. s_all, definition]);
        }
    }

    public static FilterRuleDefinition Get(string name)
        => s_all.FirstOrDefault(d => d.Name == name) ?? throw new ArgumentException($"no filter rule named '{name}' (known: {string.Join(", ", s_all.Select(d => d.Name))})");

    /// <summary>The rules that are on by default, each with its default options.</summary>
    public static IReadOnlyList<ConfiguredRule> Defaults()
        => [.. s_all.Where(d => d.OnByDefault).Select(d => new ConfiguredRule(d.Name, d.DefaultOptions()))];

    private static IReadOnlyList<FilterRuleDefinition> Discover()
    {
        var found = typeof(FilterRuleDefinition).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsInitOnly && typeof(FilterRuleDefinition).IsAssignableFrom(f.FieldType))
            .Select(f => (FilterRuleDefinition)f.GetValue(null)!)
            .ToList();
        var twice = found.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidOperationException($"filter rule '{twice.Key}' is declared twice");
        return Sorted(found);
    }

    private static IReadOnlyList<FilterRuleDefinition> Sorted(IEnumerable<FilterRuleDefinition> rules)
        => [.. rules.OrderBy(d => d.Order).ThenBy(d => d.Name, StringComparer.Ordinal)];
}
