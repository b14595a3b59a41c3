using DataPipe.Core.Stages;
using DataPipe.Tokenize.Stages;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: tokenize</c>: documents → token shards + <c>manifest.json</c> (<see cref="TokenizeStage"/>). Options:
/// <c>tokenizer</c> (cl100k_base, o200k_base, byte) or <c>tokenizer_from</c> (a stage that trained a BPE: its output
/// folder is used as <c>bpe:DIR</c>), <c>shard_tokens</c>, <c>val_fraction</c>, <c>seed</c>, <c>threads_per_task</c>.
/// </summary>
public sealed class TokenizeKind : IStageKind
{
    public string Kind => "tokenize";

    public string Description => "documents → token shards {doc_id, tokens} with a seeded train/validation split and manifest.json";

    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a tokenize stage reads exactly one documents dataset");
        string input = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var d = new TokenizeOptions();
        var o = spec.Options;
        string tokenizer;
        if (o.OptionalString("tokenizer_from") is { } from)
        {
            if (o.Has("tokenizer")) throw o.Error("tokenizer", "give either tokenizer or tokenizer_from, not both");
            tokenizer = "bpe:" + context.Resolve(o, "tokenizer_from", from).Single;
        }
        else
        {
            tokenizer = o.String("tokenizer", d.Tokenizer);
            if (tokenizer.StartsWith("bpe:", StringComparison.Ordinal)) tokenizer = "bpe:" + context.ResolveInputPath(tokenizer[4..]);
        }
        var options = new TokenizeOptions
        {
            Input = input,
            Tokenizer = tokenizer,
            ShardTokens = o.Long("shard_tokens", d.ShardTokens, min: 1),
            ValFraction = o.Double("val_fraction", d.ValFraction, min: 0, max: 0.99),
            Seed = o.Long("seed", d.Seed),
            Tasks = spec.TasksOr(context.Executor.Workers),
            ThreadsPerTask = o.Int("threads_per_task", d.ThreadsPerTask, min: 1, max: 256),
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
                Build = _ => Task.FromResult<IStage>(new TokenizeStage(options)),
            },
        ];
    }
}
