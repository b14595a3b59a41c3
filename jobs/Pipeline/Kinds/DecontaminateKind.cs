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
/// <c>field</c> (for your own JSON-lines sets among <c>benchmarks</c>: the field holding the item text),
/// <c>ignore</c> (a file of phrases never to match), <c>index</c> (where the n-gram index is kept; default
/// <c>OUTPUT/_cache/NAME.ngram-index</c>; <c>datapipe decontaminate</c> gives <c>OUTPUT.ngram-index</c> beside its output) — these name files, resolved against the pipeline file — and
/// <see cref="Schema"/>'s: <c>action</c>, <c>ngram</c>, <c>min_words</c>, <c>max_items_per_ngram</c>,
/// <c>window_chars</c>, <c>min_piece_chars</c>, <c>max_pieces</c>, <c>examples</c>.
/// </summary>
public sealed class DecontaminateKind : IStageKind
{
    /// <summary>
    /// Decontamination's rule, declared once for the pipeline's <c>options:</c> and <c>datapipe decontaminate</c>'s
    /// flags. Defaults are GPT-3's (appendix C): 13-grams, 200 characters either side, pieces under 200 characters
    /// dropped, a document cut into more than 10 pieces dropped whole.
    /// </summary>
    public static readonly OptionSchema<DecontaminateOptions> Schema = new OptionSchema<DecontaminateOptions>("decontaminate options")
        .Path("benchmarks", "Benchmark files or folders (each .jsonl/.json/.txt file one set, layout detected)", list: true, alias: "-b")
        .KindRead("custom_benchmarks", "Sets given one by one: a list of { path, name, format: text|jsonl|llm_foundry|six_line, field }", flag: false)
        .KindRead("field", "For your own JSON-lines sets among benchmarks: the field holding the item text")
        .Path("ignore", "Text file of phrases (one a line) never treated as leaks")
        .Path("index", "Where the n-gram index is kept; rebuilt when the benchmarks change",
            shown: "OUTPUT/_cache/NAME.ngram-index in a pipeline, OUTPUT.ngram-index beside a command's output")
        .String("action", "cut (GPT-3: remove spans with window_chars either side, split), drop the document, or flag it (add columns)",
            o => o.Action.ToString().ToLowerInvariant(),
            (o, v) => o with { Action = v switch { "drop" => DecontaminateAction.Drop, "flag" => DecontaminateAction.Flag, _ => DecontaminateAction.Cut } },
            choices: ["cut", "drop", "flag"])
        // A shorter n-gram lowers min_words with it unless min_words is given too (min_words is read after ngram).
        .Int("ngram", "Words per n-gram (GPT-3: 13)", o => o.Ngrams.N,
            (o, v) => o with { Ngrams = o.Ngrams with { N = v, MinWords = Math.Min(o.Ngrams.MinWords, v) } }, min: 1, max: 64)
        .Int("min_words", "Shortest benchmark passage indexed whole when shorter than ngram (GPT-3: 8)", o => o.Ngrams.MinWords,
            (o, v) => o with { Ngrams = o.Ngrams with { MinWords = v } }, min: 1, max: 64)
        .Int("max_items_per_ngram", "Ignore n-grams held by more benchmark items than this (common phrasing)", o => o.Ngrams.MaxItemsPerNgram,
            (o, v) => o with { Ngrams = o.Ngrams with { MaxItemsPerNgram = v } }, min: 1)
        .Int("window_chars", "Characters removed either side of a match (GPT-3: 200)", o => o.Split.WindowChars, (o, v) => o with { Split = o.Split with { WindowChars = v } }, min: 0)
        .Int("min_piece_chars", "Pieces shorter than this are discarded (GPT-3: 200)", o => o.Split.MinPieceChars, (o, v) => o with { Split = o.Split with { MinPieceChars = v } }, min: 0)
        .Int("max_pieces", "A document split into more pieces is dropped (GPT-3: 10)", o => o.Split.MaxPieces, (o, v) => o with { Split = o.Split with { MaxPieces = v } }, min: 1)
        .Int("examples", "Matched passages kept per benchmark in contamination.json", o => o.Examples, (o, v) => o with { Examples = v }, min: 0, max: 1000)
        .Check(o => o.Ngrams.MinWords > o.Ngrams.N ? ("min_words", $"{o.Ngrams.MinWords} is more than ngram ({o.Ngrams.N})") : null);

    public string Kind => "decontaminate";

    public IOptionSchema? Options => Schema.WithDefaults(new DecontaminateOptions());

    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a decontaminate stage reads exactly one documents dataset");
        string input = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var o = spec.Options;
        List<BenchmarkSource> sources = [];
        try
        {
            if (o.OptionalStringList("benchmarks") is { } paths) sources.AddRange(BenchmarkSource.Expand(paths.Select(context.ResolveInputPath)));
        }
        catch (DataPipeException e)
        {
            throw o.Error("benchmarks", e.Message);
        }
        // field: your own JSON-lines sets among benchmarks (files whose layout is not a known one) hold the item there.
        if (o.OptionalString("field") is { } jsonField)
        {
            if (!o.Has("benchmarks")) throw o.Error("field", "applies to the JSON-lines files of benchmarks, and none are given");
            sources = [.. sources.Select(s => BenchmarkReader.Detect(s) == BenchmarkFormat.LlmFoundry ? s with { Format = BenchmarkFormat.JsonLines, Field = jsonField } : s)];
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

        string? ignore = o.OptionalString("ignore") is { } ig ? context.ResolveInputPath(ig) : null;
        if (ignore is not null && !File.Exists(ignore)) throw o.Error("ignore", $"{ignore}: file not found");
        var options = Schema.Read(o, new DecontaminateOptions
        {
            Input = input,
            Tasks = spec.TasksOr(context.Executor.Workers),
            Benchmarks = sources,
            IgnoreList = ignore,
            IndexPath = o.OptionalString("index") is { } ix
                ? context.ResolveInputPath(ix)
                : Path.Combine(context.OutputRoot, "_cache", $"{spec.Name}.ngram-index"),
        });
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
