using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Execution;
using DataPipe.Core.Storage;
using DataPipe.Filter;
using DataPipe.Filter.Classifier;
using DataPipe.Filter.Rules;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: filter</c>: the heuristic rules, then GPT-3's quality classifier (Brown et al. 2020, appendix A) over a
/// documents dataset (<see cref="FilterStage"/>). Options:
/// <list type="bullet">
/// <item><c>rules:</c> one key per registered rule (<see cref="FilterRuleRegistry"/>: <c>language</c>,
/// <c>gopher_quality</c>, <c>gopher_repetition</c>, <c>c4_lines</c>): each <c>false</c> (off), <c>true</c> (defaults)
/// or a mapping of its thresholds, read by the rule's own schema (defaults: Gopher, Rae et al. 2021; C4, Raffel et al. 2020).</item>
/// <item><c>classifier:</c> trains the model in a step of its own: <c>positives</c> (files, folders, globs or input
/// names, resolved against the pipeline file) against the filter's input documents as negatives; <c>hash_bits</c>,
/// <c>bigrams</c>, <c>words</c>, <c>style</c> (topic-blind features, <see cref="StyleFeatures"/>), <c>hidden</c>, <c>epochs</c>, <c>batch_size</c>, <c>learning_rate</c>, <c>holdout</c>, <c>seed</c>,
/// <c>threshold</c>, <c>chunk_chars</c>, <c>min_chars</c>, <c>max_examples</c>, <c>device</c>, <c>threads</c>;
/// <c>positive_weights</c> (one mixing weight per positives entry), <c>negatives</c> (input or stage names or
/// paths, one or a list: negatives other than the filter's input), <c>negative_weights</c> (one per negatives entry), <c>scoring</c> (in_sample | crossfit | disjoint) and <c>folds</c>
/// (crossfit: each document is scored by the fold model that never learned from it).
/// The stage then runs as <c>NAME.classifier</c> (writes <c>NAME/classifier/model</c>) and <c>NAME</c> (writes
/// <c>NAME/documents</c>). Or <c>model: DIR</c> for a model trained before (a model folder, or the folder of a
/// classifier training step, which holds it in <c>model/</c>); neither runs the rules only.</item>
/// <item><c>keep</c>: pareto (GPT-3: keep when pareto(α) &gt; 1 − score) | threshold | score_only; <c>pareto_alpha</c>
/// (9), <c>pareto_seed</c>, <c>threshold</c> (for keep: threshold; default the model's), <c>keep_rejected</c>.</item>
/// </list>
/// </summary>
public sealed class FilterKind : IStageKind
{
    /// <summary>
    /// The filter's own options (the keep rule), declared once for the pipeline's <c>options:</c> and
    /// <c>datapipe filter</c>'s flags. The rules' options are each rule's schema (<see cref="FilterRuleRegistry"/>), the
    /// classifier's <see cref="ClassifierTrainingSchema"/>; <c>model</c>, a path, is read by the kind and resolved against the pipeline file.
    /// </summary>
    public static readonly OptionSchema<FilterOptions> Schema = new OptionSchema<FilterOptions>("filter options")
        .KindRead("rules", "One key per registered rule: false (off), true (its defaults) or a mapping of its thresholds", shown: "every rule on but default-off ones", flag: false)
        .KindRead("classifier", "A section that trains the classifier on this stage's input (the keys of ClassifierTrainingSchema)", flag: false)
        .Path("model", "Classifier model folder, or the output folder of `datapipe filter train-classifier`; without it (or classifier) only the rules run", alias: "--classifier")
        .String("keep", "How the classifier's score keeps a document: GPT-3's pareto(alpha) > 1 - score, score >= threshold, or write the score only",
            o => KeepName(o.KeepRule), (o, v) => o with { KeepRule = v switch { "threshold" => ClassifierKeepRule.Threshold, "score_only" => ClassifierKeepRule.ScoreOnly, _ => ClassifierKeepRule.Pareto } },
            choices: ["pareto", "threshold", "score_only"])
        .Double("pareto_alpha", "Alpha of the Pareto rule (GPT-3: 9)", o => o.ParetoAlpha, (o, v) => o with { ParetoAlpha = v }, min: 1e-6, max: 1000)
        .Long("pareto_seed", "Seed of the per-document Pareto draws", o => (long)o.ParetoSeed, (o, v) => o with { ParetoSeed = (ulong)v }, min: 0)
        .OptionalDouble("threshold", "With keep: threshold, the least score kept (default: the model's own)", o => o.Threshold, (o, v) => o with { Threshold = (float?)v }, min: 0, max: 1)
        .Bool("keep_rejected", "Also write dropped documents, with the reason, to rejected/", o => o.KeepRejected, (o, v) => o with { KeepRejected = v })
        .Check(o => o.Threshold is not null && o.KeepRule != ClassifierKeepRule.Threshold
            ? ("threshold", $"a threshold is used only with keep: threshold (keep is {KeepName(o.KeepRule)})")
            : null);

    public static string KeepName(ClassifierKeepRule keep) => keep switch
    {
        ClassifierKeepRule.Threshold => "threshold",
        ClassifierKeepRule.ScoreOnly => "score_only",
        _ => "pareto",
    };

    public string Kind => "filter";

    public IOptionSchema? Options => Schema.WithDefaults(new FilterOptions());

    /// <summary>The step that trains the classifier is named <c>NAME.classifier</c> and writes <c>NAME/classifier</c>.</summary>
    public const string ClassifierStep = "classifier";


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a filter stage reads exactly one documents dataset");
        string input = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var o = spec.Options;
        var rules = ReadRules(o.SwitchableSection("rules") ?? throw o.Error("rules", "rules cannot be false as a whole; switch off each rule set instead"));
        int tasks = spec.TasksOr(context.Executor.Workers);
        var common = Schema.Read(o, new FilterOptions { Input = input, Tasks = tasks, Rules = rules });

        var classifier = o.OptionalSection("classifier");
        string? modelDir = o.OptionalString("model") is { } m ? context.ResolveInputPath(m) : null;
        if (classifier is not null && modelDir is not null) throw o.Error("model", "give either classifier (train one) or model (a trained one), not both");
        if (classifier is null && modelDir is null && (o.Has("keep") || o.Has("pareto_alpha") || o.Has("threshold")))
            throw o.Error(o.Has("keep") ? "keep" : o.Has("pareto_alpha") ? "pareto_alpha" : "threshold", "the keep rule needs a classifier: add a classifier section (to train one) or model: DIR");
        if (modelDir is not null && !Directory.Exists(modelDir)) throw o.Error("model", $"{modelDir}: classifier model folder not found");
        // The folder of a classifier training step (datapipe filter train-classifier's output) holds its model in model/.
        if (modelDir is not null && !File.Exists(Path.Combine(modelDir, ModelFolder.InfoFile)) && File.Exists(Path.Combine(TrainClassifierStage.ModelIn(modelDir), ModelFolder.InfoFile)))
            modelDir = TrainClassifierStage.ModelIn(modelDir);

        FilterOptions Options(string? model) => common with { Model = model };

        if (classifier is null)
        {
            var options = Options(modelDir);
            return [Step(spec, spec.Name, spec.OutputDir, tasks, _ => Task.FromResult<IStage>(new FilterStage(options)))];
        }

        var train = ReadClassifier(classifier, context, input);
        string classifierDir = Path.Combine(spec.OutputDir, ClassifierStep);
        string documentsDir = Path.Combine(spec.OutputDir, "documents");
        string trainedModel = TrainClassifierStage.ModelIn(classifierDir);
        string? folds = train.Scoring == ClassifierScoring.CrossFit ? TrainClassifierStage.FoldsIn(classifierDir) : null;
        return
        [
            Step(spec, $"{spec.Name}.{ClassifierStep}", classifierDir, 1, async ct => await TrainClassifierStage.CreateAsync(train, ct).ConfigureAwait(false)) with { Report = ReportClassifier },
            Step(spec, spec.Name, documentsDir, tasks, _ => Task.FromResult<IStage>(new FilterStage(Options(trainedModel) with { Folds = folds }))),
        ];
    }

    /// <summary>The trained classifier's held-out numbers, from its <c>report.json</c>.</summary>
    private static StepReport ReportClassifier(PipelineStep step, SuccessRecord success)
    {
        string modelDir = TrainClassifierStage.ModelIn(step.OutputDir);
        if (DatasetFolder.ReadJson<ClassifierReport>(Path.Combine(modelDir, ModelFolder.ReportFile)) is not { } r) return StepReport.Empty;
        var summary = new ClassifierSummary
        {
            Step = step.Name,
            Model = modelDir,
            HoldoutAuc = r.HoldoutAuc,
            Threshold = r.Threshold,
            Precision = r.Precision,
            Recall = r.Recall,
            TrainPositives = r.TrainPositives,
            TrainNegatives = r.TrainNegatives,
            HoldoutPositives = r.HoldoutPositives,
            HoldoutNegatives = r.HoldoutNegatives,
        };
        return new StepReport
        {
            Classifier = summary,
            Lines =
            [
                string.Create(CultureInfo.InvariantCulture,
                    $"classifier ({step.Name}): held-out AUC {r.HoldoutAuc:F4}, precision {r.Precision:F4}, recall {r.Recall:F4} at {r.Threshold}; trained on {r.TrainPositives:N0} curated / {r.TrainNegatives:N0} web examples"),
            ],
        };
    }

    private PipelineStep Step(StageSpec spec, string name, string dir, int tasks, Func<CancellationToken, Task<IStage>> build) => new()
    {
        StageName = spec.Name,
        Name = name,
        Kind = Kind,
        OutputDir = dir,
        Tasks = tasks,
        Resources = spec.Resources,
        Build = build,
    };

    private static TrainClassifierStageOptions ReadClassifier(YamlSection c, PipelineContext context, string negatives)
    {
        var raw = c.OptionalStringList("positives") ?? throw c.Error("positives", "required: the curated text (files, folders, globs or input names)");
        if (raw.Count == 0) throw c.Error("positives", "lists no positives");
        var positives = new List<string>();
        foreach (var entry in raw)
        {
            if (context.HasName(entry))
            {
                positives.AddRange(context.Resolve(c, "positives", entry).Paths);
                continue;
            }
            string path = context.ResolveInputPath(entry);
            if (!Glob.HasWildcards(path) && !File.Exists(path) && !Directory.Exists(path))
                throw c.Error("positives", $"'{entry}' resolves to {path}, which does not exist");
            positives.Add(path);
        }
        var weights = c.OptionalDoubleList("positive_weights", min: 1e-9, max: 1e9);
        if (weights is not null && weights.Count != raw.Count)
            throw c.Error("positive_weights", $"{weights.Count} weights for {raw.Count} positives entries (one each)");
        string scoringName = c.Choice("scoring", "in_sample", "in_sample", "crossfit", "disjoint");
        var scoring = scoringName switch
        {
            "crossfit" => ClassifierScoring.CrossFit,
            "disjoint" => ClassifierScoring.Disjoint,
            _ => ClassifierScoring.InSample,
        };
        int folds = c.Int("folds", 5, min: 2, max: 100);
        if (c.Has("folds") && scoring != ClassifierScoring.CrossFit) throw c.Error("folds", $"folds are used only with scoring: crossfit (scoring is {scoringName})");
        var negativesEntries = c.OptionalStringList("negatives");
        if (negativesEntries is { Count: 0 }) throw c.Error("negatives", "lists no negatives");
        var negativeDirs = negativesEntries is null ? [negatives]
            : negativesEntries.Select(e => context.HasName(e) ? context.Resolve(c, "negatives", e).Single : context.ResolveInputPath(e)).ToList();
        var negativeWeights = c.OptionalDoubleList("negative_weights", min: 1e-9, max: 1e9);
        if (negativeWeights is not null && negativeWeights.Count != negativeDirs.Count)
            throw c.Error("negative_weights", $"{negativeWeights.Count} weights for {negativeDirs.Count} negatives entries (one each)");
        if (scoring == ClassifierScoring.Disjoint && negativesEntries is null)
            throw c.Error("scoring", "disjoint scoring needs negatives: a documents dataset other than the filter's input");
        var settings = ClassifierTrainingSchema.Schema.Read(c, new ClassifierTrainingSettings());
        c.EnsureNoUnknownKeys();
        return new TrainClassifierStageOptions
        {
            Positives = positives,
            Negatives = negativeDirs,
            NegativeWeights = negativeWeights ?? [],
            Training = settings.Training,
            Text = settings.Text,
            PositiveWeights = weights ?? [],
            Scoring = scoring,
            Folds = folds,
        };
    }

    /// <summary>
    /// The <c>rules:</c> mapping through <see cref="FilterRuleRegistry"/>: each registered rule reads its own key with its
    /// own schema; a key no rule is registered under is refused.
    /// </summary>
    private static FilterRulesOptions ReadRules(YamlSection r)
    {
        var enabled = new List<ConfiguredRule>();
        foreach (var rule in FilterRuleRegistry.All)
        {
            if (rule.Read(r) is { } options) enabled.Add(new ConfiguredRule(rule.Name, options));
        }
        r.EnsureNoUnknownKeys();
        return new FilterRulesOptions { Enabled = enabled };
    }
}
