using DataPipe.Core.Stages;
using DataPipe.Dedup;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: dedup</c>: exact and MinHash LSH near-duplicate removal (<see cref="DedupPipeline"/>) as its four steps,
/// <c>NAME.signatures</c>, <c>NAME.pairs</c>, <c>NAME.clusters</c>, <c>NAME.documents</c>, in folders under the stage's
/// output; later stages read <c>documents</c>. Options mirror <see cref="DedupOptions"/>: <c>shingle_size</c>,
/// <c>bands</c>+<c>rows</c>, <c>permutations</c>, <c>threshold</c>, <c>verify</c> (none|signature|shingles),
/// <c>exact_by_url</c>, <c>partitions</c>, <c>max_leaders_per_bucket</c>, <c>keep_rejected</c>.
/// </summary>
public sealed class DedupKind : IStageKind
{
    public string Kind => "dedup";


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a dedup stage reads exactly one documents dataset");
        string input = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var d = new DedupOptions();
        var o = spec.Options;
        var options = new DedupOptions
        {
            ShingleSize = o.Int("shingle_size", d.ShingleSize, min: 1, max: 64),
            Bands = o.OptionalInt("bands", min: 1, max: 250),
            Rows = o.OptionalInt("rows", min: 1, max: 64),
            Permutations = o.Int("permutations", d.Permutations, min: 1, max: 4096),
            Threshold = o.Double("threshold", d.Threshold, min: 0.01, max: 1),
            Verify = o.Choice("verify", "shingles", "none", "signature", "shingles") switch
            {
                "none" => DedupVerification.None,
                "signature" => DedupVerification.Signature,
                _ => DedupVerification.Shingles,
            },
            ExactByUrl = o.Bool("exact_by_url", d.ExactByUrl),
            Tasks = spec.TasksOr(context.Executor.Workers),
            Partitions = o.Int("partitions", 0, min: 0, max: 100_000),
            MaxLeadersPerBucket = o.Int("max_leaders_per_bucket", d.MaxLeadersPerBucket, min: 1),
            KeepRejected = o.Bool("keep_rejected", false),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw spec.Section.Error("options", e.Message);
        }
        var layout = new DedupPipeline(options, input, spec.OutputDir);
        (string Part, string Dir, int Tasks)[] parts =
        [
            ("signatures", layout.SignaturesDir, options.Tasks),
            ("pairs", layout.PairsDir, options.ResolvedPartitions),
            ("clusters", layout.ClustersDir, 1),
            ("documents", layout.DocumentsDir, options.Tasks),
        ];
        return [.. parts.Select((p, k) => new PipelineStep
        {
            StageName = spec.Name,
            Name = $"{spec.Name}.{p.Part}",
            Kind = Kind,
            OutputDir = p.Dir,
            Tasks = p.Tasks,
            Resources = spec.Resources,
            // Each dedup stage's hash chains from the previous one's, so all four are built from the input alone.
            Build = _ => Task.FromResult(new DedupPipeline(options, input, spec.OutputDir).Stages()[k].Stage),
        })];
    }
}
