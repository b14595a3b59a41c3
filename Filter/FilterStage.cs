using DataPipe.Core.Config;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Filter.Classifier;
using DataPipe.Filter.Rules;

namespace DataPipe.Filter;

/// <summary>What the filter does with the classifier's score.</summary>
public enum ClassifierKeepRule
{
    /// <summary>GPT-3's rule: keep when pareto(α) &gt; 1 − score (<see cref="ParetoSampler"/>).</summary>
    Pareto,

    /// <summary>Keep when score ≥ the threshold.</summary>
    Threshold,

    /// <summary>Only write <c>quality_score</c>; drop nothing for it.</summary>
    ScoreOnly,
}

/// <summary>The filter stage's configuration (plain data; hashed into the stage's config hash).</summary>
public sealed record FilterOptions
{
    /// <summary>The documents dataset to filter (a completed stage output folder).</summary>
    public string Input { get; init; } = "";

    public int Tasks { get; init; } = 1;

    public FilterRulesOptions Rules { get; init; } = new();

    /// <summary>A classifier model folder (<see cref="ModelFolder"/>); null to run the rules only.</summary>
    public string? Model { get; init; }

    public ClassifierKeepRule KeepRule { get; init; } = ClassifierKeepRule.Pareto;

    /// <summary>For <see cref="ClassifierKeepRule.Threshold"/>; null means the model's own threshold.</summary>
    public float? Threshold { get; init; }

    /// <summary>α of the Pareto rule (GPT-3: 9).</summary>
    public double ParetoAlpha { get; init; } = 9;

    /// <summary>Seed of the per-document Pareto draws.</summary>
    public ulong ParetoSeed { get; init; }

    /// <summary>Also write the dropped documents, with their reason, to <c>rejected/</c>.</summary>
    public bool KeepRejected { get; init; }

    /// <summary>
    /// Fold models of a cross-fitted classifier (<see cref="CrossFitScorer"/>): each document is scored by the model
    /// that did not learn from its fold. Null: <see cref="Model"/> scores every document.
    /// </summary>
    public string? Folds { get; init; }
}

/// <summary>
/// Filter: runs the heuristic rules (<see cref="RuleChain"/>: language, Gopher quality, Gopher repetition, C4 lines) and
/// then, when a model is given, scores the surviving documents with the quality classifier, writes the score to
/// <c>quality_score</c> and keeps documents by GPT-3's Pareto rule or a threshold. Every dropped document is counted as
/// <c>dropped.{rule}.{reason}</c>; kept ones as <c>kept</c>. Task i of N reads slice i of the input's row groups and
/// writes <c>part-i.parquet</c> (and <c>rejected/part-i.parquet</c> with <c>--keep-rejected</c>).
/// </summary>
public sealed class FilterStage : IStage
{
    private readonly FilterOptions _options;
    private readonly RuleChain _rules;
    private readonly QualityScorer? _scorer;
    private readonly CrossFitScorer? _folds;
    private readonly ParetoSampler _pareto;
    private readonly float _threshold;
    private IReadOnlyList<SliceUnit>? _units;

    public FilterStage(FilterOptions options)
    {
        if (options.Tasks < 1) throw new DataPipeException($"filter: tasks must be >= 1, is {options.Tasks}");
        _options = options;
        _rules = new RuleChain(options.Rules);
        DatasetFolder.RequireCompleteParts(options.Input);
        string inputHash = Core.Config.ConfigHash.OfDataset(options.Input);
        string modelHash = "none";
        if (options.Model is { } model)
        {
            _scorer = QualityScorer.Load(model);
            // What the model computes, not when it was trained: a retrained identical model (a rerun after a crash)
            // keeps this stage's hash, and so the hashes of every stage after it.
            using var weights = File.OpenRead(Path.Combine(model, ModelFolder.WeightsFile));
            modelHash = Core.Config.ConfigHash.Combine(
                Core.Config.ConfigHash.Of(_scorer.Info with { TrainedAt = default }),
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(weights)));
            if (options.Folds is { } folds)
            {
                _folds = CrossFitScorer.Load(folds);
                var parts = new List<string> { modelHash };
                for (int f = 0; f < _folds.Folds; f++)
                {
                    using var fw = File.OpenRead(Path.Combine(CrossFitScorer.FoldDir(folds, f), ModelFolder.WeightsFile));
                    parts.Add(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(fw)));
                }
                modelHash = Core.Config.ConfigHash.Combine([.. parts]);
            }
        }
        else if (options.KeepRule == ClassifierKeepRule.Threshold && options.Threshold is not null)
        {
            throw new DataPipeException("filter: a threshold needs a classifier model (--model)");
        }
        _threshold = options.Threshold ?? _scorer?.Info.Threshold ?? 0.5f;
        _pareto = new ParetoSampler(options.ParetoAlpha, options.ParetoSeed);
        ConfigHash = Core.Config.ConfigHash.Combine(Core.Config.ConfigHash.Of(options with { Input = "", Model = "", Folds = options.Folds is null ? null : "" }), inputHash, modelHash);
    }

    public string Name => "filter";

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => DocumentSchema.Describe();

    /// <summary>Plans over the input's row groups; a part file that is not a documents file fails here, before any output exists.</summary>
    public async Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        var parts = DatasetFolder.RequireCompleteParts(_options.Input);
        foreach (var part in parts) await RequireDocumentColumnsAsync(part, ct).ConfigureAwait(false);
        _units ??= await DatasetSlice.ListUnitsAsync(parts, ct).ConfigureAwait(false);
        return new StagePlan(_options.Tasks, _units.Sum(u => u.Rows), "rows");
    }

    private static async Task RequireDocumentColumnsAsync(string file, CancellationToken ct)
    {
        try
        {
            await using var reader = await Parquet.ParquetReader.CreateAsync(file, cancellationToken: ct).ConfigureAwait(false);
            var names = reader.Schema.GetDataFields().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var want in DocumentSchema.Required)
            {
                if (!names.Contains(want.Name))
                    throw new DatasetSchemaException($"{file}: not a documents file: column '{want.Name}' is missing (columns: {string.Join(", ", names)})");
            }
        }
        catch (Exception e) when (e is IOException or Parquet.ParquetException or InvalidDataException)
        {
            throw new DatasetSchemaException($"{file}: not a readable Parquet file ({e.Message})");
        }
    }

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        _units ??= await DatasetSlice.ListUnitsAsync(DatasetFolder.RequireCompleteParts(_options.Input), ct).ConfigureAwait(false);
        var slice = DatasetSlice.For(_units, ctx.TaskIndex, ctx.TaskCount);
        foreach (var file in slice.Units.Select(u => u.File).Distinct()) ctx.AddInput(file);

        await using var kept = await ctx.CreateDocumentWriterAsync(ct: ct).ConfigureAwait(false);
        AnnotatedDocumentWriter<string>? rejected = null;
        if (_options.KeepRejected)
            rejected = await RejectedDocumentWriter.CreateAsync(ctx.CreateOutput("rejected/" + ctx.PartFileName), ct).ConfigureAwait(false);
        try
        {
            await foreach (var doc in DocumentReader.ReadAsync(slice, ct).ConfigureAwait(false))
            {
                ctx.AddRowsIn();
                ctx.Progress.Advance(1);
                var original = rejected is null ? null : doc.Clone();
                string? reason = Decide(doc, ctx.Counters);
                if (reason is null)
                {
                    await kept.WriteAsync(doc, ct).ConfigureAwait(false);
                    ctx.AddRowsOut();
                    ctx.Counters.Increment("kept");
                    continue;
                }
                ctx.Counters.Increment($"dropped.{reason}");
                if (rejected is not null)
                {
                    original!.QualityScore = doc.QualityScore;
                    await rejected.WriteAsync(original, reason, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (rejected is not null) await rejected.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Null to keep the document (its text possibly cleaned, its score set), else "{rule}.{reason}".</summary>
    public string? Decide(Document doc, Counters counters)
    {
        if (_rules.Apply(doc, counters) is { } reason) return reason;
        if (_scorer is null) return null;
        float score = _folds is not null ? _folds.Score(doc.Id, doc.Text) : _scorer.Score(doc.Text);
        doc.QualityScore = score;
        string? verdict = _options.KeepRule switch
        {
            ClassifierKeepRule.Pareto => _pareto.Keep(doc.Id, score) ? null : "classifier.pareto",
            ClassifierKeepRule.Threshold => score >= _threshold ? null : "classifier.below_threshold",
            _ => null,
        };
        // The score distribution of kept and dropped documents, in tenths.
        int tenth = Math.Clamp((int)(score * 10), 0, 9);
        counters.Increment(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"scores.{(verdict is null ? "kept" : "dropped")}.{tenth / 10.0:F1}-{(tenth + 1) / 10.0:F1}"));
        return verdict;
    }
}
