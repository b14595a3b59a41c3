using DataPipe.Core.Stages;
using DataPipe.Dedup;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>
/// <c>kind: dedup</c>: exact and MinHash LSH near-duplicate removal (<see cref="DedupPipeline"/>) as its four steps,
/// <c>NAME.signatures</c>, <c>NAME.pairs</c>, <c>NAME.clusters</c>, <c>NAME.documents</c>, in folders under the stage's
/// output; later stages read <c>documents</c>. Its options are <see cref="Schema"/>'s (<see cref="DedupOptions"/> in
/// snake_case).
/// </summary>
public sealed class DedupKind : IStageKind
{
    /// <summary>Dedup's options, declared once for the pipeline's <c>options:</c> and <c>datapipe dedup</c>'s flags.</summary>
    public static readonly OptionSchema<DedupOptions> Schema = new OptionSchema<DedupOptions>("dedup options")
        .Int("shingle_size", "Words per shingle", d => d.ShingleSize, (d, v) => d with { ShingleSize = v }, min: 1, max: 64, alias: "--ngram")
        .OptionalInt("bands", "LSH bands, with rows (default: chosen from the threshold, 14 x 8 at 0.8)", d => d.Bands, (d, v) => d with { Bands = v }, min: 1, max: 250)
        .OptionalInt("rows", "Rows per LSH band, with bands", d => d.Rows, (d, v) => d with { Rows = v }, min: 1, max: 64)
        .Int("permutations", "MinHash permutations when bands and rows are chosen from the threshold", d => d.Permutations, (d, v) => d with { Permutations = v }, min: 1, max: 4096)
        .Double("threshold", "Jaccard similarity at or above which documents are near-duplicates", d => d.Threshold, (d, v) => d with { Threshold = v }, min: 0.01, max: 1)
        .String("verify", "Confirm LSH candidates by exact shingle Jaccard, by signature agreement, or not at all", d => d.Verify.ToString().ToLowerInvariant(),
            (d, v) => d with { Verify = v switch { "none" => DedupVerification.None, "signature" => DedupVerification.Signature, _ => DedupVerification.Shingles } },
            choices: ["none", "signature", "shingles"])
        .Bool("exact_by_url", "Also drop a document whose URL repeats", d => d.ExactByUrl, (d, v) => d with { ExactByUrl = v })
        .Int("partitions", "Bucket partitions, the pairs step's tasks (0: max(tasks, 8))", d => d.Partitions, (d, v) => d with { Partitions = v }, min: 0, max: 100_000)
        .Int("max_leaders_per_bucket", "In a bucket too large to compare every pair: leaders a member is compared with", d => d.MaxLeadersPerBucket, (d, v) => d with { MaxLeadersPerBucket = v }, min: 1)
        .Bool("keep_rejected", "Also write dropped documents, with their cluster, to documents/rejected/", d => d.KeepRejected, (d, v) => d with { KeepRejected = v });

    public string Kind => "dedup";

    public IOptionSchema? Options => Schema.WithDefaults(new DedupOptions());


    public IReadOnlyList<PipelineStep> Expand(StageSpec spec, PipelineContext context)
    {
        if (spec.Input.Count != 1) throw spec.Section.Error("input", "a dedup stage reads exactly one documents dataset");
        string input = context.Resolve(spec.Section, "input", spec.Input[0]).Single;
        var options = Schema.Read(spec.Options, new DedupOptions { Tasks = spec.TasksOr(context.Executor.Workers) });
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
