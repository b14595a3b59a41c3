using System.Text;
using System.Text.Json.Nodes;
using DataPipe.Core.Datasets;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Faults;

/// <summary>
/// The real pipeline the fault tests break: two of the sample WARC files → ingest → dedup (four steps) → tokenize,
/// two tasks per stage, run as a child <c>datapipe</c> process so it can be killed.
/// </summary>
public static class FaultPipeline
{
    public static string Write(string dir, string output, string extra = "")
    {
        string warc = Path.Combine(Repo.Root, "samples", "warc");
        string file = Path.Combine(dir, "pipeline.yaml");
        File.WriteAllText(file, $"""
            name: faults
            output: {output}
            {extra}
            inputs:
              warc: [{Path.Combine(warc, "cc-whirlwind.warc.gz")}, {Path.Combine(warc, "crawl-sample-0000.warc.gz")}]
            executor: {'{'} workers: 2, attempts: 1 {'}'}
            stages:
              - {'{'} name: ingest, kind: ingest, input: warc, tasks: 2 {'}'}
              - name: dedup
                kind: dedup
                input: ingest
                tasks: 2
                options: {'{'} partitions: 2 {'}'}
              - name: tokenize
                kind: tokenize
                input: dedup
                tasks: 2
                options: {'{'} tokenizer: byte, val_fraction: 0.1, seed: 3 {'}'}
            """);
        return file;
    }

    /// <summary>
    /// Every step's committed files, keyed "step/relative path", with what makes two runs' outputs differ although
    /// they hold the same data taken out: wall-clock fields of JSON files (times, seconds, rates, where a resumed
    /// run resumed from) and the JSON header of GPT checkpoints (its creation time), whose tensors, optimizer state
    /// and RNG state stay byte for byte.
    /// </summary>
    public static SortedDictionary<string, byte[]> ComparableSnapshot(PipelineDefinition p)
    {
        var all = Snapshot(p);
        foreach (var key in all.Keys.ToList())
        {
            if (key.EndsWith(".ckpt", StringComparison.Ordinal)) all[key] = CheckpointBody(all[key]);
            else if (key.EndsWith(".json", StringComparison.Ordinal)) all[key] = WithoutClockFields(all[key]);
            else if (key.EndsWith(".jsonl", StringComparison.Ordinal))
                all[key] = [.. Encoding.UTF8.GetString(all[key]).Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(l => WithoutClockFields(Encoding.UTF8.GetBytes(l)).Append((byte)'\n'))];
        }
        return all;
    }

    private static readonly string[] ClockFields = ["trained_at", "train_seconds", "seconds", "tokens_per_second", "mfu", "resumed_from", "created_at", "finished_at"];

    private static byte[] WithoutClockFields(byte[] json)
    {
        var node = JsonNode.Parse(json);
        if (node is JsonObject o) foreach (var f in ClockFields) o.Remove(f);
        return Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");
    }

    /// <summary>A checkpoint without its magic line and JSON header (which holds its creation time) and without its trailing SHA-256 (over that header).</summary>
    private static byte[] CheckpointBody(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        reader.ReadBytes("DATAPIPE-GPT-CKPT/1\n".Length);
        _ = reader.ReadString();
        int start = (int)reader.BaseStream.Position;
        return bytes[start..^32];
    }

    /// <summary>Every step's committed files and their bytes, keyed "step/relative path".</summary>
    public static SortedDictionary<string, byte[]> Snapshot(PipelineDefinition p)
    {
        var all = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var step in p.Steps)
            foreach (var (rel, bytes) in JobsFixtures.PartBytes(step.OutputDir))
                all[$"{step.Name}/{rel}"] = bytes;
        return all;
    }

    /// <summary>
    /// Checks what a reader of the folders may see at any moment: every part file present belongs to a completion record
    /// (nothing half-written is visible), and a step with <c>_SUCCESS.json</c> has exactly the outputs it lists.
    /// </summary>
    public static void AssertNothingHalfWritten(PipelineDefinition p)
    {
        foreach (var step in p.Steps)
        {
            string dir = step.OutputDir;
            if (!Directory.Exists(dir)) continue;
            var plan = DatasetFolder.ReadStagePlan(dir);
            var recorded = new HashSet<string>(StringComparer.Ordinal);
            for (int t = 0; t < (plan?.TaskCount ?? 0); t++)
                foreach (var o in DatasetFolder.ReadTaskRecord(dir, t)?.Outputs ?? [])
                    recorded.Add(o.Path);
            foreach (var part in Directory.EnumerateFiles(dir, "*.parquet", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(dir, part);
                if (rel.StartsWith(DatasetFolder.TmpDir + "/", StringComparison.Ordinal)) continue;
                Assert.True(recorded.Contains(rel), $"{part} is visible but no task record lists it");
            }
            if (DatasetFolder.ReadSuccess(dir) is { } success)
            {
                Assert.Equal(plan!.TaskCount, success.TaskCount);
                foreach (var o in success.Outputs)
                    Assert.Equal(o.Bytes, new FileInfo(Path.Combine(dir, o.Path)).Length);
            }
        }
    }
}
