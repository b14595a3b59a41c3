using System.IO.Hashing;
using System.Text;
using DataPipe.Core.Config;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Tokenize.Stages;

/// <summary>Options of <see cref="TokenizeStage"/>, as plain data (the CLI and pipeline YAML fill it).</summary>
public sealed record TokenizeOptions
{
    /// <summary>A completed documents dataset folder.</summary>
    public string Input { get; init; } = "";

    /// <summary><see cref="TokenizerCatalog.Create"/>'s names: cl100k_base, o200k_base, bpe:DIR, byte.</summary>
    public string Tokenizer { get; init; } = TiktokenTextTokenizer.Cl100kBase;

    /// <summary>A shard is cut once it holds this many tokens (a document is never split).</summary>
    public long ShardTokens { get; init; } = 50_000_000;

    /// <summary>Fraction of documents held out for validation, chosen by a hash of (seed, document id).</summary>
    public double ValFraction { get; init; } = 0.005;

    public long Seed { get; init; }

    /// <summary>Tasks the input is divided into (row groups are the unit); at least 1.</summary>
    public int Tasks { get; init; } = 1;

    /// <summary>Threads that encode documents inside one task (they change speed, never the shards' bytes).</summary>
    public int ThreadsPerTask { get; init; } = 1;

    /// <summary>
    /// The threads per task both <c>datapipe tokenize</c> and a pipeline's tokenize stage use unless told otherwise: the
    /// machine's cores shared among the tasks that run at once, so a small input (fewer tasks than cores) still encodes
    /// on every core.
    /// </summary>
    public static int DefaultThreadsPerTask(int workers, int tasks) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, Math.Min(workers, tasks)));
}

/// <summary>
/// Tokenize: documents → token shards (docs/architecture.md, "Datasets"), as in GPT-3's data pipeline (Brown et al.
/// 2020, section 2.2) where documents are tokenized with a byte-level BPE and separated by end-of-text.
/// <list type="bullet">
/// <item>Each document becomes one row <c>{doc_id, tokens}</c>: its tokens followed by end-of-text. Empty documents are
/// skipped and counted (<c>skipped.empty_text</c>).</item>
/// <item>Validation is held out by document: a document is in it when <c>xxh64(id, seed)</c>, as a fraction of 2^64, is
/// below <see cref="TokenizeOptions.ValFraction"/>; the same seed always picks the same documents, whatever the task count.</item>
/// <item>Each task buffers a split's rows until they reach <see cref="TokenizeOptions.ShardTokens"/> tokens, then writes them
/// as one shard in a seeded order (sorted by a second hash of the id), so shards are cut by token count and shuffled
/// deterministically with memory bounded by one shard per split.</item>
/// <item>Each task commits its shards and a list of them (rows, tokens, SHA-256); when all tasks are done,
/// <see cref="FinalizeStage"/> writes <c>manifest.json</c> from the lists (and, for a trained BPE, a copy of its files
/// under <c>tokenizer/</c>), before <c>_SUCCESS.json</c>.</item>
/// </list>
/// </summary>
public sealed class TokenizeStage : IFinalizingStage
{
    public const string TrainSplit = "train";
    public const string ValidationSplit = "validation";
    private const string ShardListDir = "_shards";
    private const ulong OrderSalt = 0x9E3779B97F4A7C15;

    private readonly TokenizeOptions _options;
    private readonly string _input;
    private IReadOnlyList<SliceUnit>? _units;

    public TokenizeStage(TokenizeOptions options, ITextTokenizer? tokenizer = null)
    {
        if (options.ShardTokens < 1) throw new DataPipeException($"shard size must be at least 1 token (got {options.ShardTokens})");
        if (options.ValFraction is < 0 or >= 1 || double.IsNaN(options.ValFraction))
            throw new DataPipeException($"validation fraction must be in [0, 1) (got {options.ValFraction})");
        _options = options;
        _input = Path.GetFullPath(options.Input);
        Tokenizer = tokenizer ?? TokenizerCatalog.Create(options.Tokenizer);
        ConfigHash = Core.Config.ConfigHash.Combine(
            Name,
            Core.Config.ConfigHash.Of(options with { Input = "", Tasks = 0, ThreadsPerTask = 0 }),
            Core.Config.ConfigHash.OfDataset(_input),
            Tokenizer.Identity.VocabHash,
            options.Tasks.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string Name => "tokenize";

    public string ConfigHash { get; }

    public ITextTokenizer Tokenizer { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema { get; } =
        [new ColumnDescription("doc_id", "string", false), new ColumnDescription("tokens", "list<int32>", false)];

    /// <summary>True when document <paramref name="docId"/> belongs to the validation split for this seed and fraction.</summary>
    public static bool IsValidation(string docId, long seed, double valFraction)
        => valFraction > 0 && Unit(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(docId), seed)) < valFraction;

    public async Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        var units = await Units(ct).ConfigureAwait(false);
        long rows = units.Sum(u => u.Rows);
        if (rows == 0) throw new DataPipeException($"{_input}: the input dataset has no documents; there is nothing to tokenize");
        return new StagePlan(Math.Max(1, Math.Min(_options.Tasks, units.Count)), rows, "docs");
    }

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var slice = DatasetSlice.For(await Units(ct).ConfigureAwait(false), ctx.TaskIndex, ctx.TaskCount);
        foreach (var u in slice.Units) ctx.AddInput($"{u.File}#row-group-{u.RowGroup}");

        var shards = new List<ShardEntry>();
        var train = new SplitBuffer(TrainSplit, "train");
        var validation = new SplitBuffer(ValidationSplit, "val");
        var batch = new List<Document>(BatchSize);

        await foreach (var doc in DocumentReader.ReadAsync(slice, ct).ConfigureAwait(false))
        {
            batch.Add(doc);
            if (batch.Count == BatchSize) await ProcessAsync().ConfigureAwait(false);
        }
        await ProcessAsync().ConfigureAwait(false);
        foreach (var split in new[] { train, validation })
            if (split.Rows.Count > 0) shards.Add(await WriteShardAsync(ctx, split, ct).ConfigureAwait(false));

        var list = ctx.CreateOutput($"{ShardListDir}/{ctx.TaskIndex:D5}.json");
        DatasetFolder.WriteJsonAtomic(list, shards);

        async Task ProcessAsync()
        {
            if (batch.Count == 0) return;
            var encoded = new int[]?[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.ThreadsPerTask), CancellationToken = ct }, i =>
            {
                string text = batch[i].Text;
                if (text.Length == 0) return;
                var row = Tokenizer.EncodeDocument(text);
                encoded[i] = row;
            });
            for (int i = 0; i < batch.Count; i++)
            {
                var doc = batch[i];
                ctx.AddRowsIn();
                ctx.Progress.Advance(1);
                if (encoded[i] is not { } tokens)
                {
                    ctx.Skip("skipped.empty_text", $"{doc.Source}@{doc.SourceOffset}", doc.Id);
                    continue;
                }
                var split = IsValidation(doc.Id, _options.Seed, _options.ValFraction) ? validation : train;
                split.Add(doc.Id, tokens, XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(doc.Id), _options.Seed ^ unchecked((long)OrderSalt)));
                ctx.Counters.Increment($"docs.{split.Split}");
                ctx.Counters.Increment($"tokens.{split.Split}", tokens.Length);
                if (split.Tokens >= _options.ShardTokens) shards.Add(await WriteShardAsync(ctx, split, ct).ConfigureAwait(false));
            }
            batch.Clear();
        }
    }

    private const int BatchSize = 256;

    private async Task<ShardEntry> WriteShardAsync(StageTaskContext ctx, SplitBuffer split, CancellationToken ct)
    {
        string file = $"{split.FilePrefix}-{ctx.TaskIndex:D5}-{split.ShardsWritten:D4}.parquet";
        split.Rows.Sort(static (x, y) => x.Order != y.Order ? x.Order.CompareTo(y.Order) : string.CompareOrdinal(x.DocId, y.DocId));
        TokenShardWriter writer;
        await using (writer = await TokenShardWriter.CreateAsync(ctx.CreateOutput(file), ct).ConfigureAwait(false))
        {
            foreach (var row in split.Rows)
            {
                await writer.WriteAsync(row.DocId, row.Tokens, ct).ConfigureAwait(false);
                ctx.AddRowsOut();
            }
        }
        ctx.Log($"shard {file}: {writer.Rows} rows, {writer.TokenCount} tokens");
        split.Reset();
        return new ShardEntry { File = file, Split = split.Split, Rows = writer.Rows, Tokens = writer.TokenCount, Sha256 = writer.Sha256 };
    }

    /// <summary>Writes <c>manifest.json</c> from every task's shard list, in task order; copies a trained tokenizer's files beside it.</summary>
    public void FinalizeStage(string outputDir, IReadOnlyList<TaskRecord> tasks)
    {
        var shards = new List<ShardEntry>();
        foreach (var t in tasks)
        {
            string list = Path.Combine(outputDir, ShardListDir, $"{t.Task:D5}.json");
            shards.AddRange(DatasetFolder.ReadJson<List<ShardEntry>>(list) ?? throw new DataPipeException($"{list}: shard list of task {t.Task} is missing"));
        }
        if (Tokenizer is ByteLevelBpeTokenizer bpe)
        {
            string dest = Path.Combine(outputDir, TokenizerCatalog.ShardTokenizerDir);
            foreach (var f in new[] { Bpe.BpeVocabulary.VocabFile, Bpe.BpeVocabulary.MergesFile })
                AtomicFile.WriteAllBytes(Path.Combine(dest, f), File.ReadAllBytes(Path.Combine(bpe.Directory, f)));
        }
        var manifest = new TokenManifest
        {
            Tokenizer = Tokenizer.Identity,
            Seed = _options.Seed,
            ValFraction = _options.ValFraction,
            Shards = shards,
            Train = Totals(TrainSplit),
            Validation = Totals(ValidationSplit),
            SourceDataset = _input,
            SourceConfigHash = Core.Config.ConfigHash.OfDataset(_input),
        };
        manifest.Save(outputDir);

        SplitTotals Totals(string split) => new()
        {
            Rows = shards.Where(s => s.Split == split).Sum(s => s.Rows),
            Tokens = shards.Where(s => s.Split == split).Sum(s => s.Tokens),
        };
    }

    private async Task<IReadOnlyList<SliceUnit>> Units(CancellationToken ct)
        => _units ??= await DatasetSlice.ListUnitsAsync(DatasetFolder.RequireCompleteParts(_input), ct).ConfigureAwait(false);

    private static double Unit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    /// <summary>The rows of one split waiting to become a shard.</summary>
    private sealed class SplitBuffer(string split, string filePrefix)
    {
        public string Split { get; } = split;
        public string FilePrefix { get; } = filePrefix;
        public List<(ulong Order, string DocId, int[] Tokens)> Rows { get; } = [];
        public long Tokens { get; private set; }
        public int ShardsWritten { get; private set; }

        public void Add(string docId, int[] tokens, ulong order)
        {
            Rows.Add((order, docId, tokens));
            Tokens += tokens.Length;
        }

        public void Reset()
        {
            Rows.Clear();
            Tokens = 0;
            ShardsWritten++;
        }
    }
}
