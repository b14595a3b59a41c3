using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Core.Text;
using DataPipe.Decontaminate.Benchmarks;

namespace DataPipe.Decontaminate;

/// <summary>What the stage does with a document that shares n-grams with a benchmark.</summary>
public enum DecontaminateAction
{
    /// <summary>GPT-3's rule (<see cref="SplitRule"/>): cut the spans out with 200 characters either side; keep the long pieces as documents of their own.</summary>
    Cut,

    /// <summary>Remove the whole document.</summary>
    Drop,

    /// <summary>Keep every document; add the contamination columns (<see cref="FlaggedDocumentWriter"/>).</summary>
    Flag,
}

/// <summary>The decontaminate stage's configuration (plain data; hashed into the stage's config hash with the index key).</summary>
public sealed record DecontaminateOptions
{
    /// <summary>The documents dataset to check (a completed stage output folder).</summary>
    public string Input { get; init; } = "";

    public int Tasks { get; init; } = 1;

    /// <summary>The evaluation sets to look for.</summary>
    public IReadOnlyList<BenchmarkSource> Benchmarks { get; init; } = [];

    /// <summary>A text file of phrases (one a line) never to treat as leaks; null for none.</summary>
    public string? IgnoreList { get; init; }

    public NgramSettings Ngrams { get; init; } = new();

    public DecontaminateAction Action { get; init; } = DecontaminateAction.Cut;

    public SplitRule Split { get; init; } = new();

    /// <summary>Where the index is kept between runs; rebuilt there when its key differs from the sources'.</summary>
    public string IndexPath { get; init; } = "";

    /// <summary>Matches kept per benchmark in the report.</summary>
    public int Examples { get; init; } = 5;
}

/// <summary>
/// Decontamination, as GPT-3 did it (Brown et al. 2020, section 2.2 and appendix C): every document is checked for the
/// 13-grams of the evaluation sets (<see cref="BenchmarkIndex"/>, <see cref="ContaminationFinder"/>), and a document that
/// has some is cut (<see cref="SplitRule"/>: 200 characters either side, pieces under 200 characters discarded, more than
/// 10 pieces drops the document), dropped, or only flagged. Task i of N reads slice i of the input's row groups and
/// writes <c>part-i.parquet</c> and <c>contamination/part-i.json</c>; the last step merges those into
/// <c>contamination.json</c> (<see cref="ContaminationReport"/>). Counters: <c>decontaminate.&lt;benchmark&gt;.documents</c>,
/// <c>.chars_removed</c>, <c>.ngram_matches</c>; <c>dropped.decontaminate.{contaminated,too_many_pieces,no_piece_long_enough}</c>.
/// A piece keeps its document's columns, with <c>id</c> "ID#k" (k-th kept piece) and its own <c>content_hash</c>.
/// </summary>
public sealed class DecontaminateStage : IFinalizingStage
{
    private readonly DecontaminateOptions _options;
    private readonly Lazy<BenchmarkIndex> _index;
    private IReadOnlyList<SliceUnit>? _units;

    public DecontaminateStage(DecontaminateOptions options)
    {
        if (options.Tasks < 1) throw new DataPipeException($"decontaminate: tasks must be >= 1, is {options.Tasks}");
        if (options.Benchmarks.Count == 0) throw new DataPipeException("decontaminate: no benchmark files given");
        if (options.IndexPath.Length == 0) throw new DataPipeException("decontaminate: no index path given");
        if (options.Split.WindowChars < 0 || options.Split.MinPieceChars < 0 || options.Split.MaxPieces < 1)
            throw new DataPipeException("decontaminate: window_chars and min_piece_chars must be >= 0, max_pieces >= 1");
        options.Ngrams.Validate();
        BenchmarkSource.CheckNames(options.Benchmarks);
        _options = options;
        DatasetFolder.RequireCompleteParts(options.Input);
        string inputHash = Core.Config.ConfigHash.OfDataset(options.Input);
        IndexKey = BenchmarkIndex.ComputeKey(options.Benchmarks, options.Ngrams, options.IgnoreList);
        ConfigHash = Core.Config.ConfigHash.Combine(
            Core.Config.ConfigHash.Of(options with { Input = "", IndexPath = "", IgnoreList = null, Benchmarks = [] }),
            string.Join(",", options.Benchmarks.Select(b => b.Name)), inputHash, IndexKey);
        _index = new Lazy<BenchmarkIndex>(() =>
        {
            var (index, built, seconds) = BenchmarkIndex.LoadOrBuild(options.IndexPath, options.Benchmarks, options.Ngrams, options.IgnoreList);
            IndexBuilt = built;
            IndexSeconds = seconds;
            return index;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name => "decontaminate";

    public string ConfigHash { get; }

    /// <summary>The key of the index this stage uses (<see cref="BenchmarkIndex.ComputeKey"/>).</summary>
    public string IndexKey { get; }

    public bool IndexBuilt { get; private set; }

    public double IndexSeconds { get; private set; }

    /// <summary>The index, loaded or built on first use.</summary>
    public BenchmarkIndex Index => _index.Value;

    public IReadOnlyList<ColumnDescription>? OutputSchema =>
        _options.Action == DecontaminateAction.Flag ? FlaggedDocumentWriter.Describe() : DocumentSchema.Describe();

    /// <summary>Plans over the input's row groups, and builds the index once here so the tasks only load it.</summary>
    public async Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        var parts = DatasetFolder.RequireCompleteParts(_options.Input);
        _units ??= await DatasetSlice.ListUnitsAsync(parts, ct).ConfigureAwait(false);
        _ = _index.Value;
        return new StagePlan(_options.Tasks, _units.Sum(u => u.Rows), "rows");
    }

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        _units ??= await DatasetSlice.ListUnitsAsync(DatasetFolder.RequireCompleteParts(_options.Input), ct).ConfigureAwait(false);
        var slice = DatasetSlice.For(_units, ctx.TaskIndex, ctx.TaskCount);
        foreach (var file in slice.Units.Select(u => u.File).Distinct()) ctx.AddInput(file);
        var index = _index.Value;
        ctx.Log(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"benchmark index {index.Key} ({_options.IndexPath}): {index.Count:N0} n-grams, {index.MemoryBytes / 1048576.0:F1} MiB; {(IndexBuilt ? "built" : "loaded")} in {IndexSeconds:F2} s by this process"));
        var decontaminator = new Decontaminator(index, _options);
        // Every benchmark appears in the counters, so a clean corpus shows what it was checked against.
        ctx.Counters.Increment("decontaminate.documents_matched", 0);
        ctx.Counters.Increment("decontaminate.chars_removed", 0);
        foreach (var b in index.Benchmarks) ctx.Counters.Increment($"decontaminate.{b.Name}.documents", 0);

        DocumentWriter? plain = null;
        AnnotatedDocumentWriter<ContaminationFlags>? flagged = null;
        if (_options.Action == DecontaminateAction.Flag) flagged = await FlaggedDocumentWriter.CreateAsync(ctx.CreateOutput(ctx.PartFileName), ct).ConfigureAwait(false);
        else plain = await ctx.CreateDocumentWriterAsync(ct: ct).ConfigureAwait(false);
        try
        {
            await foreach (var doc in DocumentReader.ReadAsync(slice, ct).ConfigureAwait(false))
            {
                ctx.AddRowsIn();
                ctx.Progress.Advance(1);
                var outcome = decontaminator.Process(doc, ctx.Counters);
                if (flagged is not null)
                {
                    await flagged.WriteAsync(doc, outcome.Flags, ct).ConfigureAwait(false);
                    ctx.AddRowsOut();
                    continue;
                }
                foreach (var piece in outcome.Documents)
                {
                    await plain!.WriteAsync(piece, ct).ConfigureAwait(false);
                    ctx.AddRowsOut();
                }
            }
        }
        finally
        {
            if (flagged is not null) await flagged.DisposeAsync().ConfigureAwait(false);
            if (plain is not null) await plain.DisposeAsync().ConfigureAwait(false);
        }
        DatasetFolder.WriteJsonAtomic(ctx.CreateOutput(ContaminationReport.TaskFile(ctx.TaskIndex)), decontaminator.Report());
    }

    /// <summary>Merges the tasks' reports, in task order, into <c>contamination.json</c>.</summary>
    public void FinalizeStage(string outputDir, IReadOnlyList<TaskRecord> tasks)
    {
        var parts = new List<ContaminationReport>();
        foreach (var t in tasks)
        {
            string file = Path.Combine(outputDir, ContaminationReport.TaskFile(t.Task));
            parts.Add(DatasetFolder.ReadJson<ContaminationReport>(file) ?? throw new DataPipeException($"{file}: task report missing"));
        }
        var merged = ContaminationReport.Merge(parts, _options.Examples, IndexSummary.Of(_index.Value));
        DatasetFolder.WriteJsonAtomic(Path.Combine(outputDir, ContaminationReport.FileName), merged);
    }
}

/// <summary>What became of one document: the documents to write (itself, its pieces, or none) and its flags.</summary>
public sealed record DecontaminateOutcome(IReadOnlyList<Document> Documents, ContaminationFlags Flags);

/// <summary>
/// The per-document work of <see cref="DecontaminateStage"/>, apart from any file: find, decide, count, and remember
/// what the report needs. One per task (not thread-safe).
/// </summary>
public sealed class Decontaminator
{
    private const int ExampleChars = 400;
    private readonly BenchmarkIndex _index;
    private readonly DecontaminateOptions _options;
    private readonly ContaminationFinder _finder;
    private readonly string[] _names;
    private readonly HashSet<int>[] _found;
    private readonly long[] _documents, _chars, _matches;
    private readonly List<ContaminationExample>[] _examples;
    private readonly int[] _touched;
    private long _docsIn, _docsMatched, _docsDropped, _piecesKept, _charsIn, _charsRemoved;

    public Decontaminator(BenchmarkIndex index, DecontaminateOptions options)
    {
        _index = index;
        _options = options;
        _finder = new ContaminationFinder(index);
        int b = index.Benchmarks.Count;
        _names = [.. index.Benchmarks.Select(x => x.Name)];
        _found = [.. Enumerable.Range(0, b).Select(_ => new HashSet<int>())];
        _documents = new long[b];
        _chars = new long[b];
        _matches = new long[b];
        _examples = [.. Enumerable.Range(0, b).Select(_ => new List<ContaminationExample>())];
        _touched = new int[b];
    }

    public DecontaminateOutcome Process(Document doc, Counters counters)
    {
        _docsIn++;
        _charsIn += doc.Text.Length;
        counters.Increment("decontaminate.chars_checked", doc.Text.Length);
        if (_finder.Find(doc.Text) == 0) return new DecontaminateOutcome([doc], new ContaminationFlags("", 0, 0));

        _docsMatched++;
        counters.Increment("decontaminate.documents_matched");
        var spans = _finder.MergedSpans();
        long covered = spans.Sum(s => (long)(s.End - s.Start));
        Array.Clear(_touched);
        var firstMatch = new NgramMatch[_names.Length];
        foreach (var m in _finder.Matches)
        {
            int lastBench = -1;
            foreach (int item in _index.ItemsOf(m.Entry))
            {
                int b = _index.BenchmarkOf(item);
                _found[b].Add(item - _index.Benchmarks[b].FirstItem);
                if (b == lastBench) continue;
                lastBench = b;
                if (_touched[b]++ == 0) firstMatch[b] = m;
                _matches[b]++;
            }
        }

        IReadOnlyList<Document> output;
        long removed;
        switch (_options.Action)
        {
            case DecontaminateAction.Flag:
                output = [doc];
                removed = 0;
                break;
            case DecontaminateAction.Drop:
                output = [];
                removed = doc.Text.Length;
                _docsDropped++;
                counters.Increment("dropped.decontaminate.contaminated");
                break;
            default:
                var split = _options.Split.Apply(doc.Text.Length, spans);
                counters.Increment("decontaminate.pieces_below_floor", split.PiecesBelowFloor);
                if (split.Drop != SplitDrop.None)
                {
                    output = [];
                    removed = doc.Text.Length;
                    _docsDropped++;
                    counters.Increment(split.Drop == SplitDrop.TooManyPieces ? "dropped.decontaminate.too_many_pieces" : "dropped.decontaminate.no_piece_long_enough");
                    break;
                }
                var pieces = new List<Document>(split.Kept.Count);
                long keptChars = 0;
                for (int k = 0; k < split.Kept.Count; k++)
                {
                    var (start, length) = split.Kept[k];
                    var piece = doc.Clone();
                    piece.Id = $"{doc.Id}#{k}";
                    piece.Text = doc.Text.Substring(start, length);
                    piece.ContentHash = ContentHash.Of(piece.Text);
                    pieces.Add(piece);
                    keptChars += length;
                }
                _piecesKept += pieces.Count;
                counters.Increment("decontaminate.pieces_kept", pieces.Count);
                output = pieces;
                removed = doc.Text.Length - keptChars;
                break;
        }
        _charsRemoved += removed;
        counters.Increment("decontaminate.chars_removed", removed);

        var names = new List<string>();
        for (int b = 0; b < _names.Length; b++)
        {
            if (_touched[b] == 0) continue;
            names.Add(_names[b]);
            _documents[b]++;
            _chars[b] += removed;
            counters.Increment($"decontaminate.{_names[b]}.documents");
            counters.Increment($"decontaminate.{_names[b]}.ngram_matches", _touched[b]);
            counters.Increment($"decontaminate.{_names[b]}.chars_removed", removed);
            if (_examples[b].Count < _options.Examples)
            {
                var m = firstMatch[b];
                var (s, e) = _finder.SpanOf(m);
                // Widen to the merged span holding this match, so the example shows the whole copied passage.
                foreach (var span in spans)
                {
                    if (span.Start <= s && span.End >= e)
                    {
                        (s, e) = span;
                        break;
                    }
                }
                int item = FirstItemIn(m.Entry, b);
                _examples[b].Add(new ContaminationExample
                {
                    DocId = doc.Id,
                    Url = doc.Url,
                    Item = item - _index.Benchmarks[b].FirstItem,
                    ItemLine = _index.LineOf(item),
                    MatchedText = doc.Text.Substring(s, Math.Min(e - s, ExampleChars)),
                });
            }
        }
        return new DecontaminateOutcome(output, new ContaminationFlags(string.Join(",", names), _finder.Matches.Count, covered));
    }

    private int FirstItemIn(int entry, int benchmark)
    {
        foreach (int item in _index.ItemsOf(entry))
            if (_index.BenchmarkOf(item) == benchmark) return item;
        throw new InvalidOperationException("match without an item of its benchmark");
    }

    /// <summary>This task's report so far.</summary>
    public ContaminationReport Report() => new()
    {
        Action = _options.Action.ToString().ToLowerInvariant(),
        DocumentsIn = _docsIn,
        DocumentsMatched = _docsMatched,
        DocumentsDropped = _docsDropped,
        PiecesKept = _piecesKept,
        CharsIn = _charsIn,
        CharsRemoved = _charsRemoved,
        Benchmarks = [.. _index.Benchmarks.Select((b, i) => new BenchmarkContamination
        {
            Name = b.Name,
            Path = b.Path,
            Items = b.Items,
            ItemsIndexed = b.ItemsIndexed,
            ItemsTooShort = b.ItemsTooShort,
            FoundItems = [.. _found[i].Order()],
            ItemsFound = _found[i].Count,
            Documents = _documents[i],
            CharsRemoved = _chars[i],
            NgramMatches = _matches[i],
            Examples = _examples[i],
        })],
    };
}
