using System.Globalization;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Execution;
using DataPipe.Decontaminate;
using DataPipe.Decontaminate.Benchmarks;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: decontaminate</c>: removes evaluation-set text from a documents dataset (<see cref="DecontaminateStage"/>,
/// GPT-3 appendix C). Options: <c>benchmarks</c> (files or folders; each .jsonl/.json/.txt file is one set, its layout
/// detected), <c>custom_benchmarks</c> (a list of <c>{ path, name, format: text|jsonl|llm_foundry|six_line, field }</c>),
/// <c>action</c> (cut | drop | flag), <c>ngram</c> (13), <c>min_words</c> (8), <c>max_items_per_ngram</c> (10),
/// <c>ignore</c> (a file of phrases never to match), <c>window_chars</c> (200), <c>min_piece_chars</c> (200),
/// <c>max_pieces</c> (10), <c>examples</c> (5), <c>index</c> (where the n-gram index is kept; default
/// <c>OUTPUT/_cache/NAME.ngram-index</c>).
/// </summary>
public sealed class DecontaminateKind : IStageKind
{
    public string Kind => "decontaminate";

    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a decontaminate stage reads exactly one documents dataset");
        string input = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var o = spec.Options;
        var sources = new List<BenchmarkSource>();
        try
        {
            if (o.OptionalStringList("benchmarks") is { } paths) sources.AddRange(BenchmarkSource.Expand(paths.Select(context.ResolveInputPath)));
        }
        catch (DataPipeException e)
        {
            throw o.Error("benchmarks", e.Message);
        }
        if (o.Has("custom_benchmarks"))
        {
            foreach (var c in o.SectionList("custom_benchmarks"))
            {
                string path = context.ResolveInputPath(c.String("path"));
                if (!File.Exists(path)) throw c.Error("path", $"{path}: benchmark file not found");
                var format = c.Choice("format", "auto", "auto", "text", "jsonl", "llm_foundry", "six_line") switch
                {
                    "text" => BenchmarkFormat.Text,
                    "jsonl" => BenchmarkFormat.JsonLines,
                    "llm_foundry" => BenchmarkFormat.LlmFoundry,
                    "six_line" => BenchmarkFormat.SixLine,
                    _ => BenchmarkFormat.Auto,
                };
                string? field = c.OptionalString("field");
                if (format == BenchmarkFormat.JsonLines && field is null) throw c.Error("field", "format jsonl needs the field that holds the item");
                sources.Add(new BenchmarkSource { Path = path, Name = c.String("name", BenchmarkSource.NameOf(path)), Format = format, Field = field });
                c.EnsureNoUnknownKeys();
            }
        }
        if (sources.Count == 0) throw o.Error("benchmarks", "required: the evaluation sets to remove (benchmarks: files or folders, or custom_benchmarks)");
        try
        {
            BenchmarkSource.CheckNames(sources);
        }
        catch (DataPipeException e)
        {
            throw o.Error("benchmarks", e.Message);
        }

        var d = new DecontaminateOptions();
        var ds = new SplitRule();
        var dn = new NgramSettings();
        int n = o.Int("ngram", dn.N, min: 1, max: 64);
        string? ignore = o.OptionalString("ignore") is { } ig ? context.ResolveInputPath(ig) : null;
        if (ignore is not null && !File.Exists(ignore)) throw o.Error("ignore", $"{ignore}: file not found");
        var options = new DecontaminateOptions
        {
            Input = input,
            Tasks = spec.TasksOr(context.Executor.Workers),
            Benchmarks = sources,
            IgnoreList = ignore,
            Ngrams = new NgramSettings
            {
                N = n,
                MinWords = o.Int("min_words", Math.Min(dn.MinWords, n), min: 1, max: n),
                MaxItemsPerNgram = o.Int("max_items_per_ngram", dn.MaxItemsPerNgram, min: 1),
            },
            Action = o.Choice("action", "cut", "cut", "drop", "flag") switch
            {
                "drop" => DecontaminateAction.Drop,
                "flag" => DecontaminateAction.Flag,
                _ => DecontaminateAction.Cut,
            },
            Split = new SplitRule
            {
                WindowChars = o.Int("window_chars", ds.WindowChars, min: 0),
                MinPieceChars = o.Int("min_piece_chars", ds.MinPieceChars, min: 0),
                MaxPieces = o.Int("max_pieces", ds.MaxPieces, min: 1),
            },
            Examples = o.Int("examples", d.Examples, min: 0, max: 1000),
            IndexPath = o.OptionalString("index") is { } ix
                ? context.ResolveInputPath(ix)
                : Path.Combine(context.OutputRoot, "_cache", $"{spec.Name}.ngram-index"),
        };
        return
        [
            new PipelineStep
            {
                StageName = spec.Name,
                Name = spec.Name,
                Kind = Kind,
                OutputDir = spec.OutputDir,
                Tasks = options.Tasks,
                Resources = spec.Resources,
                Build = _ => Task.FromResult<IStage>(new DecontaminateStage(options)),
                Report = Report,
            },
        ];
    }

    /// <summary>What leaked, per benchmark, from the step's <c>contamination.json</c>, for the run's summary.</summary>
    private static StepReport Report(PipelineStep step, SuccessRecord success)
    {
        if (ContaminationReport.ReadFrom(step.OutputDir) is not { } r) return StepReport.Empty;
        var dc = StepContamination.Of(step.Name, r);
        var hit = dc.Benchmarks.Where(b => b.ItemsFound > 0)
            .Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Name} {b.ItemsFound:N0} items/{b.Documents:N0} docs/{b.CharsRemoved:N0} chars")).ToList();
        return new StepReport
        {
            Contamination = dc,
            Lines =
            [
                string.Create(CultureInfo.InvariantCulture,
                    $"decontamination ({dc.Step}, {dc.Action}): {dc.DocumentsMatched:N0} of {dc.DocumentsIn:N0} documents held benchmark text, {dc.CharsRemoved:N0} of {dc.CharsIn:N0} chars removed, {dc.DocumentsDropped:N0} documents dropped; {(hit.Count == 0 ? "no benchmark found" : string.Join("; ", hit))}"),
            ],
        };
    }
}
