using System.Text;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// The main job's shape at test size: two of the sample WARC files → ingest → filter (classifier trained on a slice of
/// the shipped WikiText-2 positives) → dedup → tokenize (a 300-token BPE trained in its own step) → train (a 1-layer
/// GPT for 6 steps). Every stage gets <c>tasks</c> tasks; training is one task.
/// </summary>
public static class MainJobPipeline
{
    public static string Write(string dir, string output, int tasks = 2, string executor = "{ workers: 2, attempts: 1 }", bool train = true, string file = "pipeline.yaml")
    {
        string warc = Path.Combine(Repo.Root, "samples", "warc");
        string curated = Path.Combine(Repo.Root, "samples", "positives", "wikitext-2-test.txt");
        string path = Path.Combine(dir, file);
        var yaml = new StringBuilder($$"""
            name: mainjob
            output: {{output}}
            inputs:
              warc: [{{Path.Combine(warc, "cc-whirlwind.warc.gz")}}, {{Path.Combine(warc, "crawl-sample-0000.warc.gz")}}]
              curated: {{curated}}
            executor: {{executor}}
            stages:
              - { name: ingest, kind: ingest, input: warc, tasks: {{tasks}} }
              - name: filter
                kind: filter
                input: ingest
                tasks: {{tasks}}
                options:
                  classifier: { positives: curated, hash_bits: 14, epochs: 3, max_examples: 60, threads: 1, device: cpu }
                  keep: pareto
                  pareto_alpha: 1
              - name: dedup
                kind: dedup
                input: filter
                tasks: {{tasks}}
                options: { partitions: 2 }
              - name: tokenize
                kind: tokenize
                input: dedup
                tasks: {{tasks}}
                options: { tokenizer: { train: { vocab_size: 300, threads: 1 } }, val_fraction: 0.25, seed: 3 }

            """);
        if (train)
        {
            yaml.Append("""
                  - name: train
                    kind: train
                    input: tokenize
                    options: { layers: 1, heads: 1, width: 16, context: 16, batch: 2, steps: 6, warmup_steps: 1, eval_every: 3, eval_batches: 2, checkpoint_every: 2, sample_prompt: "The ", sample_tokens: 8, device: cpu, threads: 1, seed: 1 }

                """);
        }
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    /// <summary>The documents ids of a step that writes documents (ingest, filter, dedup.documents), sorted.</summary>
    public static async Task<List<string>> DocumentIdsAsync(string dir)
    {
        var ids = new List<string>();
        foreach (var part in DatasetFolder.ListParts(dir))
            await foreach (var d in DocumentReader.ReadAsync(part)) ids.Add(d.Id);
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>The document ids in a token shard folder, with their split, sorted.</summary>
    public static async Task<List<string>> ShardDocumentIdsAsync(string dir)
    {
        var manifest = TokenManifest.Load(dir);
        var ids = new List<string>();
        foreach (var shard in manifest.Shards)
            await foreach (var row in TokenShardReader.ReadAsync(Path.Combine(dir, shard.File)))
                ids.Add($"{shard.Split}:{row.DocId}");
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>Per documents-writing step, the ids that survive it; the key is the step name.</summary>
    public static async Task<SortedDictionary<string, List<string>>> SurvivorsAsync(PipelineDefinition p)
    {
        var result = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var step in p.Steps)
        {
            if (step.Name is "ingest" or "filter" or "dedup.documents") result[step.Name] = await DocumentIdsAsync(step.OutputDir);
            if (step.Name == "tokenize") result[step.Name] = await ShardDocumentIdsAsync(step.OutputDir);
        }
        return result;
    }
}
