using System.CommandLine;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Filter;
using DataPipe.Filter.Rules;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe filter</c>: heuristic rules, then the quality classifier with GPT-3's Pareto rule or a threshold, over a
/// documents dataset; <c>datapipe filter train-classifier</c> (<see cref="FilterTrainClassifierCommand"/>) trains the model.
/// Its flags are generated: the keep rule's from <see cref="FilterKind.Schema"/>, each rule's from its schema in
/// <see cref="FilterRuleRegistry"/> (<c>--RULE-OPTION</c>, and <c>--no-RULE</c> to switch it off), so a flag has the
/// name, default and range of its key in a pipeline file's filter stage. The flags become that stage's options and the
/// command runs it as a one-stage pipeline of <see cref="FilterKind"/> (<see cref="OneStagePipeline"/>).
/// </summary>
public static class FilterCommand
{
    /// <summary>Older spellings kept working: the flag each one is another name of.</summary>
    private static readonly (string Flag, string Alias)[] Aliases =
    [
        ("--language-languages", "--languages"), ("--language-min-score", "--min-lang-score"), ("--no-c4-lines", "--no-c4"),
    ];

    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Input documents dataset folder (complete: with _SUCCESS.json)", Required = true };
        var output = CommonOptions.Output("Output dataset folder: kept documents with quality_score; rejected/ with --keep-rejected");
        var tasks = CommonOptions.Tasks();
        var workers = CommonOptions.Workers();
        var attempts = CommonOptions.Attempts();
        var force = CommonOptions.Force();
        var pareto = new Option<bool>("--pareto") { Description = "Same as --keep pareto (the default with a model)" };
        var scoreOnly = new Option<bool>("--score-only") { Description = "Same as --keep score_only" };
        var flags = FilterKind.Schema.CreateFlags(new FilterOptions());
        var rules = FilterRuleRegistry.All.Select(rule =>
        {
            var off = new Option<bool>($"--no-{rule.Name.Replace('_', '-')}") { Description = $"Do not run the {rule.Name} rule" };
            return (Rule: rule, Flags: rule.CreateFlags(), Off: off);
        }).ToList();

        var command = new Command("filter", "Drop low-quality documents: Gopher and C4 rules, language, and a quality classifier (GPT-3's Pareto rule)")
        {
            input, output, tasks, workers, attempts, force, pareto, scoreOnly,
        };
        foreach (var flag in flags.Concat(rules.SelectMany(r => r.Flags.Append(r.Off))))
        {
            foreach (var (name, alias) in Aliases)
            {
                if (flag.Name == name) flag.Aliases.Add(alias);
            }
            command.Add(flag);
        }
        command.Add(FilterTrainClassifierCommand.Create());
        command.SetAction(async (parse, ct) =>
        {
            int w = parse.GetValue(workers);
            var keepFlag = flags.Single(f => f.Name == "--keep");
            bool keepGiven = parse.GetResult(keepFlag) is { Implicit: false };
            bool thresholdGiven = parse.GetResult(flags.Single(f => f.Name == "--threshold")) is { Implicit: false };
            bool p = parse.GetValue(pareto);
            bool s = parse.GetValue(scoreOnly);
            if ((keepGiven ? 1 : 0) + (p ? 1 : 0) + (s ? 1 : 0) > 1 || (thresholdGiven && (p || s)))
                throw new DataPipeException("filter: choose one of --keep, --threshold, --pareto and --score-only");
            string? m = parse.GetValue((Option<string?>)FilterKind.Schema.FlagOf(flags, "model"));
            if (m is null && (keepGiven || thresholdGiven || p || s))
                throw new DataPipeException("filter: --keep, --threshold, --pareto and --score-only need a classifier (--model)");

            // The stage's options as a pipeline file's filter stage would hold them; FilterKind reads them.
            var options = FilterKind.Schema.FlagsToMapping(parse, flags);
            // --pareto, --score-only, and --threshold alone (as before --keep existed) are spellings of keep:.
            if (!keepGiven && (p || s || thresholdGiven))
                options.Children[new YamlScalarNode("keep")] = new YamlScalarNode(p ? "pareto" : s ? "score_only" : "threshold");
            var ruleMappings = new YamlMappingNode();
            foreach (var (rule, ruleFlags, off) in rules)
            {
                var given = rule.FlagsToMapping(parse, ruleFlags);
                if (parse.GetValue(off)) ruleMappings.Children[new YamlScalarNode(rule.Name)] = new YamlScalarNode("false") { Style = YamlDotNet.Core.ScalarStyle.Plain };
                else if (given.Children.Count > 0) ruleMappings.Children[new YamlScalarNode(rule.Name)] = given;
            }
            options.Children[new YamlScalarNode("rules")] = ruleMappings;
            var executor = new ExecutorOptions { Workers = w, MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            await OneStagePipeline.RunAsync(new FilterKind(), [parse.GetValue(input)!], options, parse.GetValue(output)!, parse.GetValue(tasks), executor, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
