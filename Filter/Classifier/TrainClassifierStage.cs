using System.Security.Cryptography;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;

namespace DataPipe.Filter.Classifier;

/// <summary>Options of <see cref="TrainClassifierStage"/>, as plain data (hashed into its configuration hash).</summary>
public sealed record TrainClassifierStageOptions
{
    /// <summary>Curated text: files, folders or globs (see <see cref="TrainingTexts"/>), already resolved to full paths.</summary>
    public IReadOnlyList<string> Positives { get; init; } = [];

    /// <summary>The raw web documents (completed documents dataset folders): the filter's own input by default.</summary>
    public IReadOnlyList<string> Negatives { get; init; } = [];

    /// <summary>
    /// Mixing weight of each entry of <see cref="Negatives"/> (empty: all 1), as for the positives. Several negative
    /// samples of the same pages (whole pages, their boilerplate) share document ids, so cross-fitting puts every
    /// sample of one page in the same fold.
    /// </summary>
    public IReadOnlyList<double> NegativeWeights { get; init; } = [];

    public TrainingTextOptions Text { get; init; } = new();

    public ClassifierTrainingOptions Training { get; init; } = new();

    /// <summary>Mixing weight of each entry of <see cref="Positives"/> (empty: all 1), see <see cref="CrossFitScorer.Mix"/>.</summary>
    public IReadOnlyList<double> PositiveWeights { get; init; } = [];

    /// <summary>How the filter's documents get out-of-sample scores (<see cref="ClassifierScoring"/>).</summary>
    public ClassifierScoring Scoring { get; init; } = ClassifierScoring.InSample;

    /// <summary>Folds of <see cref="ClassifierScoring.CrossFit"/>.</summary>
    public int Folds { get; init; } = 5;
}

/// <summary>
/// The filter's classifier training step as a pipeline stage: GPT-3's quality classifier (Brown et al. 2020,
/// appendix A: curated text as positives, raw Common Crawl as negatives, hashed word features, logistic regression),
/// trained by <see cref="ClassifierTrainer"/> in one task and written as a model folder (<see cref="ModelFolder"/>)
/// to <c>model/</c> inside the stage folder, committed with the task (temp files renamed into place), so a killed
/// training leaves no model. The negatives are taken in document-id order, so the model does not depend on how many
/// parts the input was split into. The configuration hash covers the options, the positives' bytes (SHA-256 of
/// every file) and the negatives dataset's hash. Counters: examples per class, trained and held out.
/// </summary>
public sealed class TrainClassifierStage : IStage
{
    /// <summary>The model folder inside the stage folder.</summary>
    public const string ModelDir = "model";

    /// <summary>The fold models of a cross-fitted classifier inside the stage folder (<see cref="CrossFitScorer"/>).</summary>
    public const string FoldsDir = "folds";

    private static readonly string[] ModelFiles = [ModelFolder.InfoFile, ModelFolder.WeightsFile, ModelFolder.ReportFile, ModelFolder.HistogramFile];

    private readonly TrainClassifierStageOptions _options;
    private readonly IReadOnlyList<string> _positiveFiles;
    private readonly IReadOnlyList<IReadOnlyList<string>> _positiveGroups;

    private TrainClassifierStage(TrainClassifierStageOptions options, IReadOnlyList<IReadOnlyList<string>> positiveGroups, string configHash)
    {
        _options = options;
        _positiveGroups = positiveGroups;
        _positiveFiles = [.. positiveGroups.SelectMany(g => g)];
        ConfigHash = configHash;
    }

    /// <summary>Resolves the positives to files and hashes their bytes; a missing positive or an incomplete negatives dataset fails here.</summary>
    public static async Task<TrainClassifierStage> CreateAsync(TrainClassifierStageOptions options, CancellationToken ct = default)
    {
        if (options.Positives.Count == 0) throw new DataPipeException("classifier: no positives given");
        options.Training.Features.Validate("classifier");
        if (options.Negatives.Count == 0) throw new DataPipeException("classifier: no negatives given");
        foreach (var n in options.Negatives) DatasetFolder.RequireCompleteParts(n);
        if (options.NegativeWeights.Count > 0 && options.NegativeWeights.Count != options.Negatives.Count)
            throw new DataPipeException($"classifier: {options.NegativeWeights.Count} negative weights for {options.Negatives.Count} negatives");
        if (options.NegativeWeights.Any(w => !(w > 0))) throw new DataPipeException("classifier: negative weights must be > 0");
        if (options.PositiveWeights.Count > 0 && options.PositiveWeights.Count != options.Positives.Count)
            throw new DataPipeException($"classifier: {options.PositiveWeights.Count} positive weights for {options.Positives.Count} positives");
        if (options.PositiveWeights.Any(w => !(w > 0))) throw new DataPipeException("classifier: positive weights must be > 0");
        if (options.Scoring == ClassifierScoring.CrossFit && options.Folds < 2) throw new DataPipeException($"classifier: folds must be >= 2, is {options.Folds}");
        var files = new List<string>();
        var groups = new List<IReadOnlyList<string>>();
        foreach (var spec in options.Positives)
        {
            var expanded = await TrainingTexts.ExpandAsync(spec, ct).ConfigureAwait(false);
            if (expanded.Count == 0) throw new DataPipeException($"classifier: positives '{spec}' name no files");
            files.AddRange(expanded);
            groups.Add(expanded);
        }
        var contents = new List<string>();
        foreach (var file in files)
        {
            await using var stream = File.OpenRead(file);
            contents.Add($"{Path.GetFileName(file)}:{Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false))}");
        }
        string hash = Core.Config.ConfigHash.Combine(
            "train-classifier",
            Core.Config.ConfigHash.Of(options with { Positives = [], Negatives = [] }),
            string.Join("\n", contents),
            string.Join("\n", options.Negatives.Select(Core.Config.ConfigHash.OfDataset)));
        return new TrainClassifierStage(options, groups, hash);
    }

    public string Name => "train-classifier";

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => null;

    /// <summary>Where the model folder of a completed stage folder is.</summary>
    public static string ModelIn(string stageDir) => Path.Combine(stageDir, ModelDir);

    /// <summary>Where the fold models of a completed cross-fitted stage folder are.</summary>
    public static string FoldsIn(string stageDir) => Path.Combine(stageDir, FoldsDir);

    /// <summary>One task; progress counts its three phases (read, train, write).</summary>
    public Task<StagePlan> PlanAsync(CancellationToken ct) => Task.FromResult(new StagePlan(1, 3, "phases"));

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        foreach (var f in _positiveFiles) ctx.AddInput(f);
        foreach (var n in _options.Negatives)
            foreach (var part in DatasetFolder.RequireCompleteParts(n)) ctx.AddInput(part);

        // Each positives entry is one source with its mixing weight; max_examples caps each source.
        var sources = new List<(IReadOnlyList<LabeledText>, double)>();
        for (int g = 0; g < _positiveGroups.Count; g++)
        {
            var read = await TrainingTexts.ReadAsync(_positiveGroups[g], positive: true, _options.Text, ct).ConfigureAwait(false);
            double weight = _options.PositiveWeights.Count > 0 ? _options.PositiveWeights[g] : 1;
            sources.Add((read, weight));
            ctx.Log($"positives[{g}]: {read.Count} examples, mixing weight {weight}");
        }
        var positives = _options.PositiveWeights.Count > 0 ? CrossFitScorer.Mix(sources) : [.. sources.SelectMany(s => s.Item1)];
        var negativeSources = new List<(IReadOnlyList<LabeledText>, double)>();
        for (int g = 0; g < _options.Negatives.Count; g++)
        {
            var (read, total) = await TrainingTexts.ReadNegativesAsync([_options.Negatives[g]], _options.Text, ct).ConfigureAwait(false);
            double weight = _options.NegativeWeights.Count > 0 ? _options.NegativeWeights[g] : 1;
            negativeSources.Add((read, weight));
            ctx.Log($"negatives[{g}]: {read.Count} of {total} documents of {_options.Negatives[g]}, mixing weight {weight}");
        }
        var negatives = _options.NegativeWeights.Count > 0 ? CrossFitScorer.Mix(negativeSources) : [.. negativeSources.SelectMany(s => s.Item1)];
        ctx.AddRowsIn(positives.Count + negatives.Count);
        ctx.Log($"positives: {positives.Count} examples from {_positiveFiles.Count} file(s); negatives: {negatives.Count} examples from {_options.Negatives.Count} dataset(s)");
        ctx.Progress.Advance(1);

        var trained = ClassifierTrainer.Train([.. positives, .. negatives], _options.Training, ctx.Log, ct);
        ctx.Progress.Advance(1);

        // The model folder is written whole to a staging folder, then each file goes to the task's outputs, which are
        // renamed into place together when the task commits.
        string staging = Path.Combine(ctx.TempDir, "model-staging");
        TrainClassifier.SaveModel(staging, trained);
        foreach (var file in ModelFiles)
            File.Move(Path.Combine(staging, file), ctx.CreateOutput($"{ModelDir}/{file}"), overwrite: true);
        Directory.Delete(staging, recursive: true);
        ctx.Progress.Advance(1);

        if (_options.Scoring == ClassifierScoring.CrossFit)
        {
            // Fold f's model never sees the negatives of fold f: those are the documents it will score.
            int k = _options.Folds;
            for (int f = 0; f < k; f++)
            {
                var kept = negatives.Where(e => CrossFitScorer.FoldOf(e.Id, k) != f).ToList();
                var foldModel = ClassifierTrainer.Train([.. positives, .. kept], _options.Training, null, ct);
                string foldStaging = Path.Combine(ctx.TempDir, $"fold-staging-{f}");
                TrainClassifier.SaveModel(foldStaging, foldModel);
                foreach (var file in ModelFiles)
                    File.Move(Path.Combine(foldStaging, file), ctx.CreateOutput($"{FoldsDir}/fold-{f:D2}/{file}"), overwrite: true);
                Directory.Delete(foldStaging, recursive: true);
                ctx.Log($"fold {f + 1}/{k}: {kept.Count} negatives, held-out AUC {foldModel.Report.HoldoutAuc:F4}");
            }
            string foldsFile = ctx.CreateOutput($"{FoldsDir}/{CrossFitScorer.FoldsFile}");
            DatasetFolder.WriteJsonAtomic(foldsFile, new Dictionary<string, int> { ["folds"] = k });
        }

        ctx.Counters.Increment("examples.positive", positives.Count);
        ctx.Counters.Increment("examples.negative", negatives.Count);
        ctx.Counters.Increment("holdout.positive", trained.Report.HoldoutPositives);
        ctx.Counters.Increment("holdout.negative", trained.Report.HoldoutNegatives);
        ctx.Log($"held-out AUC {trained.Report.HoldoutAuc:F4}, precision {trained.Report.Precision:F4}, recall {trained.Report.Recall:F4} at {trained.Report.Threshold}");
    }
}
