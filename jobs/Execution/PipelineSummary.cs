using DataPipe.Core.Datasets;
using DataPipe.Decontaminate;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Execution;

/// <summary>
/// <c>OUTPUT_ROOT/summary.json</c>: what a pipeline's data looks like after each step, read back from the step folders
/// (their <c>_SUCCESS.json</c>, and whatever each step's kind reads in its <see cref="PipelineStep.Report"/>: the
/// classifier's <c>report.json</c>, the GPT's <c>train.json</c> and <c>metrics.jsonl</c>), so it holds the same numbers
/// whether the steps ran now or were reused.
/// </summary>
public sealed record PipelineSummary
{
    public const string FileName = "summary.json";

    public string Pipeline { get; init; } = "";
    public string Executor { get; init; } = "";
    public int Workers { get; init; }
    public double WallSeconds { get; init; }
    public List<StepSummary> Steps { get; init; } = [];
    public ClassifierSummary? Classifier { get; init; }
    public TrainingSummary? Training { get; init; }

    /// <summary>What each decontaminate step found, per benchmark (its <c>contamination.json</c>, examples shortened).</summary>
    public List<StepContamination> Contamination { get; init; } = [];

    public static string PathIn(string outputRoot) => Path.Combine(outputRoot, FileName);

    public void Save(string outputRoot) => DatasetFolder.WriteJsonAtomic(PathIn(outputRoot), this);

    /// <summary>Reads every complete step of <paramref name="def"/>; steps not run yet are left out.</summary>
    public static PipelineSummary Build(PipelineDefinition def, string executor, int workers, double wallSeconds)
    {
        var record = PipelineRecord.Read(def.OutputRoot);
        var steps = new List<StepSummary>();
        ClassifierSummary? classifier = null;
        TrainingSummary? training = null;
        var contamination = new List<StepContamination>();
        foreach (var step in def.Steps)
        {
            if (DatasetFolder.ReadSuccess(step.OutputDir) is not { } success) continue;
            var ran = record?.Steps.LastOrDefault(s => s.Step == step.Name);
            var counters = success.Counters;
            var report = step.Report?.Invoke(step, success) ?? StepReport.Empty;
            steps.Add(new StepSummary
            {
                Step = step.Name,
                Stage = step.StageName,
                Kind = step.Kind,
                Tasks = success.TaskCount,
                RowsIn = success.RowsIn,
                RowsOut = success.RowsOut,
                Tokens = report.Tokens,
                Dropped = new SortedDictionary<string, long>(
                    counters.Where(c => c.Key.StartsWith("dropped.", StringComparison.Ordinal) || c.Key.StartsWith("skipped.", StringComparison.Ordinal))
                        .ToDictionary(c => c.Key, c => c.Value), StringComparer.Ordinal),
                Seconds = ran?.WallSeconds ?? success.WallSeconds,
                Reused = ran?.Reused ?? true,
                OutputDir = step.OutputDir,
                Lines = [.. report.Lines],
            });
            classifier = report.Classifier ?? classifier;
            training = report.Training ?? training;
            if (report.Contamination is { } dc) contamination.Add(dc);
        }
        return new PipelineSummary
        {
            Pipeline = def.Name,
            Executor = executor,
            Workers = workers,
            WallSeconds = Math.Round(wallSeconds, 3),
            Steps = steps,
            Classifier = classifier,
            Training = training,
            Contamination = contamination,
        };
    }
}

/// <summary>One step of the summary: rows in and out, tokens where the step counts them, and why rows were dropped.</summary>
public sealed record StepSummary
{
    public string Step { get; init; } = "";
    public string Stage { get; init; } = "";
    public string Kind { get; init; } = "";
    public int Tasks { get; init; }
    public long RowsIn { get; init; }
    public long RowsOut { get; init; }
    public long? Tokens { get; init; }

    /// <summary>The step's <c>dropped.*</c> and <c>skipped.*</c> counters.</summary>
    public SortedDictionary<string, long> Dropped { get; init; } = [];
    public double Seconds { get; init; }
    public bool Reused { get; init; }
    public string OutputDir { get; init; } = "";

    /// <summary>The kind's own lines about the step (classifier AUC, validation loss, the plot it drew), as printed.</summary>
    public List<string> Lines { get; init; } = [];
}

/// <summary>The quality classifier's held-out numbers (its <c>report.json</c>).</summary>
public sealed record ClassifierSummary
{
    public string Step { get; init; } = "";
    public string Model { get; init; } = "";
    public double HoldoutAuc { get; init; }
    public float Threshold { get; init; }
    public double Precision { get; init; }
    public double Recall { get; init; }
    public long TrainPositives { get; init; }
    public long TrainNegatives { get; init; }
    public long HoldoutPositives { get; init; }
    public long HoldoutNegatives { get; init; }
}

/// <summary>The GPT's final numbers and a generated sample.</summary>
public sealed record TrainingSummary
{
    public string Step { get; init; } = "";
    public int Steps { get; init; }
    public long Tokens { get; init; }
    public long Parameters { get; init; }
    public double FinalLoss { get; init; }
    public double? FinalValLoss { get; init; }
    public double? FinalBitsPerByte { get; init; }

    /// <summary>Validation loss of the unigram model fitted to the training tokens: the validation loss must fall below it to show learning.</summary>
    public double? UnigramBaselineLoss { get; init; }
    public string Checkpoint { get; init; } = "";
    public string? SamplePrompt { get; init; }
    public string? Sample { get; init; }
}

/// <summary>A decontaminate step's report in the run summary: totals, and per benchmark items found, documents, characters removed, two examples.</summary>
public sealed record StepContamination
{
    public string Step { get; init; } = "";
    public string Action { get; init; } = "";
    public long DocumentsIn { get; init; }
    public long DocumentsMatched { get; init; }
    public long DocumentsDropped { get; init; }
    public long CharsIn { get; init; }
    public long CharsRemoved { get; init; }
    public List<BenchmarkContamination> Benchmarks { get; init; } = [];

    public static StepContamination Of(string step, ContaminationReport r) => new()
    {
        Step = step,
        Action = r.Action,
        DocumentsIn = r.DocumentsIn,
        DocumentsMatched = r.DocumentsMatched,
        DocumentsDropped = r.DocumentsDropped,
        CharsIn = r.CharsIn,
        CharsRemoved = r.CharsRemoved,
        Benchmarks = [.. r.Benchmarks.Select(b => b with
        {
            FoundItems = [],
            Examples = [.. b.Examples.Take(2).Select(e => e with { MatchedText = e.MatchedText.Length > 200 ? e.MatchedText[..200] + "..." : e.MatchedText })],
        })],
    };
}
