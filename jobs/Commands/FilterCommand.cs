using System.CommandLine;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Filter;
using DataPipe.Filter.Rules;
using DataPipe.Jobs.Cli;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe filter</c>: heuristic rules, then the quality classifier with GPT-3's Pareto rule or a threshold, over a
/// documents dataset; <c>datapipe filter train-classifier</c> (<see cref="FilterTrainClassifierCommand"/>) trains the model.
/// </summary>
public static class FilterCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Input documents dataset folder (complete: with _SUCCESS.json)", Required = true };
        var output = CommonOptions.Output("Output dataset folder: kept documents with quality_score; rejected/ with --keep-rejected");
        var tasks = CommonOptions.Tasks();
        var workers = CommonOptions.Workers();
        var attempts = CommonOptions.Attempts();
        var force = CommonOptions.Force();
        var keepRejected = CommonOptions.KeepRejected();
        var model = new Option<string?>("--model", "--classifier") { Description = "Classifier model folder (from `datapipe filter train-classifier`); without it only the rules run" };
        var threshold = new Option<float?>("--threshold") { Description = "Keep documents whose score is at least this (instead of the Pareto rule)" };
        var pareto = new Option<bool>("--pareto") { Description = "Keep by GPT-3's rule pareto(alpha) > 1 - score (the default with a model)" };
        var scoreOnly = new Option<bool>("--score-only") { Description = "Write quality_score but drop nothing for it" };
        var alpha = new Option<double>("--pareto-alpha") { Description = "Alpha of the Pareto rule (GPT-3: 9)", DefaultValueFactory = _ => 9 };
        var seed = new Option<ulong>("--pareto-seed") { Description = "Seed of the per-document Pareto draws", DefaultValueFactory = _ => 0 };
        var languages = new Option<string[]>("--languages") { Description = "Languages to keep (lang column)", DefaultValueFactory = _ => ["en"], AllowMultipleArgumentsPerToken = true };
        var minLangScore = new Option<float>("--min-lang-score") { Description = "Least language confidence (lang_score) to keep", DefaultValueFactory = _ => 0.65f };
        var noLanguage = new Option<bool>("--no-language") { Description = "Do not filter by language" };
        var noQuality = new Option<bool>("--no-gopher-quality") { Description = "Do not run the Gopher quality rules" };
        var noRepetition = new Option<bool>("--no-gopher-repetition") { Description = "Do not run the Gopher repetition rules" };
        var noC4 = new Option<bool>("--no-c4") { Description = "Do not run the C4 line rules" };

        // The built-in rules' switches; a rule's thresholds are set in a pipeline file's rules: section.
        (Option<bool> Flag, string Rule)[] off =
        [
            (noLanguage, LanguageRule.Definition.Name), (noQuality, GopherQualityRule.Definition.Name),
            (noRepetition, GopherRepetitionRule.Definition.Name), (noC4, C4LinesRule.Definition.Name),
        ];
        var command = new Command("filter", "Drop low-quality documents: Gopher and C4 rules, language, and a quality classifier (GPT-3's Pareto rule)")
        {
            input, output, tasks, workers, attempts, force, keepRejected, model, threshold, pareto, scoreOnly, alpha, seed,
            languages, minLangScore, noLanguage, noQuality, noRepetition, noC4,
        };
        command.Add(FilterTrainClassifierCommand.Create());
        command.SetAction(async (parse, ct) =>
        {
            int w = parse.GetValue(workers);
            float? t = parse.GetValue(threshold);
            bool p = parse.GetValue(pareto);
            bool s = parse.GetValue(scoreOnly);
            if ((t is not null ? 1 : 0) + (p ? 1 : 0) + (s ? 1 : 0) > 1)
                throw new DataPipeException("filter: choose one of --threshold, --pareto and --score-only");
            string? m = parse.GetValue(model);
            if (m is null && (t is not null || p || s))
                throw new DataPipeException("filter: --threshold, --pareto and --score-only need a classifier (--model)");
            var options = new FilterOptions
            {
                Input = parse.GetValue(input)!,
                Tasks = CommonOptions.ResolveTasks(parse.GetValue(tasks), w),
                Model = m,
                KeepRule = t is not null ? ClassifierKeepRule.Threshold : s ? ClassifierKeepRule.ScoreOnly : ClassifierKeepRule.Pareto,
                Threshold = t,
                ParetoAlpha = parse.GetValue(alpha),
                ParetoSeed = parse.GetValue(seed),
                KeepRejected = parse.GetValue(keepRejected),
                Rules = new FilterRulesOptions()
                    .With(LanguageRule.Definition.Name, new LanguageRuleOptions { Languages = parse.GetValue(languages)!, MinScore = parse.GetValue(minLangScore) })
                    .Without([.. off.Where(f => parse.GetValue(f.Flag)).Select(f => f.Rule)]),
            };
            var executor = new ExecutorOptions { Workers = w, MaxAttempts = parse.GetValue(attempts), Force = parse.GetValue(force) };
            await StageConsole.RunAsync(new FilterStage(options), parse.GetValue(output)!, executor, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
