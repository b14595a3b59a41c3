using DataPipe.Core.Stages;
using DataPipe.Tokenize.Stages;
using DataPipe.Tokenize.Tokenizers;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: tokenize</c>: documents → token shards + <c>manifest.json</c> (<see cref="TokenizeStage"/>). Options:
/// <c>tokenizer</c>: a name (cl100k_base, o200k_base, byte), <c>bpe:DIR</c>, or <c>{ train: { vocab_size: 4096,
/// min_pair_count: 2, threads: N } }</c>, which learns a byte-level BPE on the stage's own input documents in a step of
/// its own (<see cref="TrainBpeStage"/>): the stage then runs as <c>NAME.bpe</c> (writes <c>NAME/bpe</c>) and
/// <c>NAME</c> (writes <c>NAME/shards</c> with <c>bpe:NAME/bpe</c>). Or <c>tokenizer_from</c> (a stage that trained a
/// BPE: its output folder is used as <c>bpe:DIR</c>). Also <c>shard_tokens</c>, <c>val_fraction</c>, <c>seed</c>,
/// <c>threads_per_task</c>.
/// </summary>
public sealed class TokenizeKind : IStageKind
{
    /// <summary>
    /// The tokenize options, declared once for the pipeline's <c>options:</c> and <c>datapipe tokenize</c>'s flags
    /// (<c>--tokenizer</c>, <c>--shard-tokens</c>, ...). The tokenizer itself is read by the kind (a name, a
    /// <c>bpe:DIR</c> resolved against the pipeline file, or a section that trains a BPE).
    /// </summary>
    public static readonly OptionSchema<TokenizeOptions> Schema = new OptionSchema<TokenizeOptions>("tokenize options")
        .KindRead("tokenizer", $"{TokenizerCatalog.SpecHelp} (bpe:DIR: {OptionSchema<TokenizeOptions>.PathHelp}); in a pipeline also a section {{ train: {{ vocab_size: N }} }} that learns a BPE on the stage's input",
            shown: new TokenizeOptions().Tokenizer, alias: "-t")
        .KindRead("tokenizer_from", "A stage that trained a BPE: its output folder is the tokenizer", flag: false)
        .Long("shard_tokens", "Tokens per shard (a shard is cut after the document that reaches it)", t => t.ShardTokens, (t, v) => t with { ShardTokens = v }, min: 1)
        .Double("val_fraction", "Fraction of documents held out for validation", t => t.ValFraction, (t, v) => t with { ValFraction = v }, min: 0, max: 0.99)
        .Long("seed", "Seed of the validation split", t => t.Seed, (t, v) => t with { Seed = v })
        .Int("threads_per_task", "Threads encoding documents in one task; they change speed, never the shards (default: the cores shared among the tasks running at once)",
            t => t.ThreadsPerTask, (t, v) => t with { ThreadsPerTask = v }, min: 1, max: 256);

    /// <summary>
    /// How a byte-level BPE is learned, declared once for <c>tokenizer: { train: { ... } }</c> and
    /// <c>datapipe tokenizer train</c>'s flags.
    /// </summary>
    public static readonly OptionSchema<TrainBpeOptions> BpeSchema = new OptionSchema<TrainBpeOptions>("BPE training options")
        .Int("vocab_size", "Total vocabulary: 256 bytes + merges + <|endoftext|>", b => b.VocabSize, (b, v) => b with { VocabSize = v }, min: 257, max: 1 << 20)
        .Long("min_pair_count", "Pairs seen fewer times are never merged", b => b.MinPairCount, (b, v) => b with { MinPairCount = v }, min: 1)
        .Int("threads", "Threads counting pairs (the merges do not depend on it)", b => b.Threads, (b, v) => b with { Threads = v }, min: 1, max: 1024, alias: "--workers");

    public string Kind => "tokenize";

    public IOptionSchema? Options => Schema.WithDefaults(new TokenizeOptions());

    /// <summary>The step that trains a BPE is named <c>NAME.bpe</c> and writes <c>NAME/bpe</c>.</summary>
    public const string BpeStep = "bpe";


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a tokenize stage reads exactly one documents dataset");
        string input = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var d = new TokenizeOptions();
        var o = spec.Options;
        string tokenizer;
        TrainBpeOptions? train = null;
        if (o.IsSection("tokenizer"))
        {
            if (o.Has("tokenizer_from")) throw o.Error("tokenizer", "give either tokenizer or tokenizer_from, not both");
            var section = o.OptionalSection("tokenizer")!;
            var t = section.OptionalSection("train") ?? throw section.Error("train", "required: a tokenizer section trains a BPE (train: { vocab_size: N })");
            train = BpeSchema.Read(t, new TrainBpeOptions { Input = input });
            t.EnsureNoUnknownKeys();
            section.EnsureNoUnknownKeys();
            tokenizer = "bpe:" + Path.Combine(spec.OutputDir, BpeStep);
        }
        else if (o.OptionalString("tokenizer_from") is { } from)
        {
            if (o.Has("tokenizer")) throw o.Error("tokenizer", "give either tokenizer or tokenizer_from, not both");
            tokenizer = "bpe:" + context.Resolve(o, "tokenizer_from", from).Single;
        }
        else
        {
            tokenizer = o.String("tokenizer", d.Tokenizer);
            if (tokenizer.StartsWith("bpe:", StringComparison.Ordinal)) tokenizer = "bpe:" + context.ResolveInputPath(tokenizer[4..]);
        }
        int tasks = spec.TasksOr(context.Executor.Workers);
        var options = Schema.Read(o, new TokenizeOptions
        {
            Input = input,
            Tokenizer = tokenizer,
            Tasks = tasks,
            ThreadsPerTask = TokenizeOptions.DefaultThreadsPerTask(context.Executor.Workers, tasks),
        });
        var tokenize = new PipelineStep
        {
            StageName = spec.Name,
            Name = spec.Name,
            Kind = Kind,
            OutputDir = train is null ? spec.OutputDir : Path.Combine(spec.OutputDir, "shards"),
            Tasks = options.Tasks,
            Resources = spec.Resources,
            Build = _ => Task.FromResult<IStage>(new TokenizeStage(options)),
            Report = (_, success) => new StepReport
            {
                Tokens = success.Counters.GetValueOrDefault("tokens.train") + success.Counters.GetValueOrDefault("tokens.validation"),
            },
        };
        if (train is null) return [tokenize];
        var bpe = new PipelineStep
        {
            StageName = spec.Name,
            Name = $"{spec.Name}.{BpeStep}",
            Kind = Kind,
            OutputDir = Path.Combine(spec.OutputDir, BpeStep),
            Tasks = 1,
            Resources = spec.Resources,
            Build = _ => Task.FromResult<IStage>(new TrainBpeStage(train)),
        };
        return [bpe, tokenize];
    }
}
