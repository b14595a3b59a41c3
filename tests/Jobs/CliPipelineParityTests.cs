using DataPipe.Core.Datasets;
using DataPipe.Decontaminate;
using DataPipe.Dedup;
using DataPipe.Tokenize.Bpe;
using DataPipe.Filter.Classifier;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;
using DataPipe.Train.Metrics;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// One pipeline run of every stage kind on two of the sample WARC files (rules-only filter, byte tokenizer, a 4-step
/// GPT), that the CLI tests below repeat stage by stage on the same inputs.
/// </summary>
public sealed class ParityPipeline : IAsyncLifetime
{
    public TempDir Dir { get; } = new("parity");
    public PipelineDefinition Pipeline { get; private set; } = null!;

    public string Warc(int i) => Path.Combine(Repo.Root, "samples", "warc", i == 0 ? "cc-whirlwind.warc.gz" : "crawl-sample-0000.warc.gz");

    public string StepDir(string step) => Pipeline.FindStep(step)!.OutputDir;

    public async Task InitializeAsync()
    {
        Pipeline = JobsFixtures.Load(Dir.Path, $$"""
            output: out
            inputs: { warc: [{{Warc(0)}}, {{Warc(1)}}] }
            executor: { workers: 2, attempts: 1 }
            stages:
              - { name: ingest, kind: ingest, input: warc, options: { min_text_chars: 40, max_body_bytes: 4194304 } }
              - { name: filter, kind: filter, input: ingest, tasks: 2, options: { rules: { gopher_quality: { min_words: 30 }, c4_lines: false } } }
              - { name: dedup, kind: dedup, input: filter, tasks: 2, options: { partitions: 2 } }
              - { name: tokenize, kind: tokenize, input: dedup, tasks: 2, options: { tokenizer: byte, val_fraction: 0.25, seed: 3 } }
              - name: train
                kind: train
                input: tokenize
                options: { layers: 1, heads: 1, width: 16, context: 16, batch: 2, steps: 4, warmup_steps: 1, eval_every: 2, checkpoint_every: 2, device: cpu, threads: 1, seed: 1 }
            """);
        await new LocalPipelineExecutor(2, 1).RunAsync(Pipeline, Pipeline.Steps);
    }

    public Task DisposeAsync()
    {
        Dir.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Each CLI stage command, given the options a pipeline stage had, writes the bytes that stage wrote.</summary>
public class CliStageParityTests(ParityPipeline run) : IClassFixture<ParityPipeline>
{
    private static async Task CliAsync(params string[] args)
    {
        var (code, stdout, stderr) = await JobsFixtures.CliAsync(args);
        Assert.True(code == 0, $"datapipe {string.Join(' ', args)}: {stderr}{stdout}");
    }

    [Fact]
    public async Task Ingest_from_the_CLI_writes_the_bytes_of_the_pipelines_ingest_stage()
    {
        string cli = run.Dir["cli-ingest"];
        await CliAsync("ingest", "--input", run.Warc(0), run.Warc(1), "--output", cli, "--min-text-chars", "40", "--max-body-bytes", "4194304");
        Assert.Equal(JobsFixtures.PartBytes(run.StepDir("ingest")), JobsFixtures.PartBytes(cli));
        Assert.Equal(DatasetFolder.ReadSuccess(run.StepDir("ingest"))!.ConfigHash, DatasetFolder.ReadSuccess(cli)!.ConfigHash);
    }

    [Fact]
    public async Task Filter_from_the_CLI_writes_the_bytes_of_the_pipelines_filter_stage()
    {
        string cli = run.Dir["cli-filter"];
        await CliAsync("filter", "--input", run.StepDir("ingest"), "--output", cli, "--tasks", "2", "--gopher-quality-min-words", "30", "--no-c4-lines");
        Assert.Equal(JobsFixtures.PartBytes(run.StepDir("filter")), JobsFixtures.PartBytes(cli));
        Assert.Equal(DatasetFolder.ReadSuccess(run.StepDir("filter"))!.Counters, DatasetFolder.ReadSuccess(cli)!.Counters);
    }

    [Fact]
    public async Task Decontaminate_from_the_CLI_writes_the_bytes_and_the_report_of_a_pipelines_decontaminate_stage()
    {
        // A benchmark made of passages of the corpus itself, so the rule really cuts: 400 characters from each of the
        // first three documents, one item a line.
        string docs = run.StepDir("dedup.documents");
        var passages = new List<string>();
        foreach (var part in DatasetFolder.ListParts(docs))
        {
            await foreach (var d in DocumentReader.ReadAsync(part))
            {
                string flat = string.Join(' ', d.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                if (flat.Length >= 600 && passages.Count < 3) passages.Add(flat.Substring(100, 400));
            }
        }
        Assert.Equal(3, passages.Count);
        string bench = run.Dir["bench-items.txt"];
        File.WriteAllLines(bench, passages);

        Directory.CreateDirectory(run.Dir["decon-pipeline"]);
        var p = JobsFixtures.Load(run.Dir["decon-pipeline"], $$"""
            output: out
            inputs: { docs: {{docs}} }
            executor: { workers: 2, attempts: 1 }
            stages:
              - { name: decontaminate, kind: decontaminate, input: docs, tasks: 2, options: { benchmarks: {{bench}}, ngram: 10, window_chars: 50, min_piece_chars: 100 } }
            """);
        await new LocalPipelineExecutor(2, 1).RunAsync(p, p.Steps);
        string cli = run.Dir["cli-decontaminate"];
        await CliAsync("decontaminate", "--input", docs, "--output", cli, "--benchmarks", bench, "--tasks", "2", "--ngram", "10", "--window-chars", "50", "--min-piece-chars", "100");

        string piped = p.Steps[0].OutputDir;
        Assert.Equal(JobsFixtures.PartBytes(piped), JobsFixtures.PartBytes(cli));
        Assert.Equal(DatasetFolder.ReadSuccess(piped)!.Counters, DatasetFolder.ReadSuccess(cli)!.Counters);
        var a = ContaminationReport.ReadFrom(piped)!;
        var b = ContaminationReport.ReadFrom(cli)!;
        Assert.True(a.CharsRemoved > 0, "the benchmark's passages were not found in the corpus they were taken from");
        Assert.Equal((a.DocumentsMatched, a.CharsRemoved, a.DocumentsDropped), (b.DocumentsMatched, b.CharsRemoved, b.DocumentsDropped));
    }

    [Fact]
    public async Task Tokenizer_train_from_the_CLI_learns_the_merges_of_a_pipelines_tokenizer_train_step()
    {
        string docs = run.StepDir("dedup.documents");
        Directory.CreateDirectory(run.Dir["bpe-pipeline"]);
        var p = JobsFixtures.Load(run.Dir["bpe-pipeline"], $$"""
            output: out
            inputs: { docs: {{docs}} }
            executor: { workers: 1, attempts: 1 }
            stages:
              - { name: tok, kind: tokenize, input: docs, options: { tokenizer: { train: { vocab_size: 400, min_pair_count: 3, threads: 2 } } } }
            """);
        await new LocalPipelineExecutor(1, 1).RunAsync(p, p.Select(null, "tok.bpe"));
        string cli = run.Dir["cli-bpe"];
        await CliAsync("tokenizer", "train", "--input", docs, "--output", cli, "--vocab-size", "400", "--min-pair-count", "3", "--threads", "1");

        string piped = p.FindStep("tok.bpe")!.OutputDir;
        foreach (string file in new[] { BpeVocabulary.VocabFile, BpeVocabulary.MergesFile })
            Assert.Equal(File.ReadAllBytes(Path.Combine(piped, file)), File.ReadAllBytes(Path.Combine(cli, file)));
        Assert.Equal(DatasetFolder.ReadSuccess(piped)!.ConfigHash, DatasetFolder.ReadSuccess(cli)!.ConfigHash);
    }

    [Fact]
    public async Task Dedup_from_the_CLI_writes_the_documents_and_the_stats_of_the_pipelines_dedup_stage()
    {
        string cli = run.Dir["cli-dedup"];
        await CliAsync("dedup", "--input", run.StepDir("filter"), "--output", cli, "--tasks", "2", "--partitions", "2");
        string pipelineRoot = Path.GetDirectoryName(run.StepDir("dedup.documents"))!;
        Assert.Equal(JobsFixtures.PartBytes(run.StepDir("dedup.documents")), JobsFixtures.PartBytes(Path.Combine(cli, "documents")));
        // The pipeline writes dedup_stats.json too, with the same numbers (only the stages' times differ).
        var a = DatasetFolder.ReadJson<DedupStats>(Path.Combine(pipelineRoot, DedupPipeline.StatsFile))!;
        var b = DatasetFolder.ReadJson<DedupStats>(Path.Combine(cli, DedupPipeline.StatsFile))!;
        var times = new SortedDictionary<string, double>();
        var clusters = Array.Empty<DedupStats.LargestCluster>();
        Assert.Equal(a with { StageWallSeconds = times, LargestClusters = clusters }, b with { StageWallSeconds = times, LargestClusters = clusters });
        Assert.Equal(a.LargestClusters.Select(c => (c.Cluster, c.Size)), b.LargestClusters.Select(c => (c.Cluster, c.Size)));
    }

    [Fact]
    public async Task Tokenize_from_the_CLI_writes_the_shards_and_manifest_of_the_pipelines_tokenize_stage()
    {
        string cli = run.Dir["cli-tokenize"];
        await CliAsync("tokenize", "--input", run.StepDir("dedup.documents"), "--output", cli, "--tokenizer", "byte", "--tasks", "2", "--val-fraction", "0.25", "--seed", "3");
        Assert.Equal(JobsFixtures.PartBytes(run.StepDir("tokenize")), JobsFixtures.PartBytes(cli));
    }

    [Fact]
    public async Task Train_from_the_CLI_records_the_hash_rows_and_losses_of_the_pipelines_train_stage()
    {
        string cli = run.Dir["cli-train"];
        await CliAsync("train", "--data", run.StepDir("tokenize"), "--out", cli, "--layers", "1", "--heads", "1", "--width", "16", "--context", "16",
            "--batch", "2", "--steps", "4", "--warmup-steps", "1", "--eval-every", "2", "--checkpoint-every", "2", "--device", "cpu", "--threads", "1", "--seed", "1");
        var a = DatasetFolder.ReadSuccess(run.StepDir("train"))!;
        var b = DatasetFolder.ReadSuccess(cli)!;
        Assert.Equal((a.ConfigHash, a.RowsIn, a.RowsOut), (b.ConfigHash, b.RowsIn, b.RowsOut));
        Assert.Equal(a.Counters, b.Counters);
        Assert.Equal(MetricsLog.Read(run.StepDir("train")).Steps.Select(s => s.Loss), MetricsLog.Read(cli).Steps.Select(s => s.Loss));
        Assert.True(File.Exists(Path.Combine(cli, LossPlot.FileName)));
    }
}

/// <summary>A CLI stage command and a pipeline file given the same options write the same bytes.</summary>
public class CliPipelineParityTests
{
    private static void WriteCurated(string path) => File.WriteAllText(path, string.Join("\n\n", Enumerable.Range(0, 12).Select(i =>
        $"Paragraph {i} of a curated article: the harbour of the old town was rebuilt after the storm of the year {1800 + i}, and its trade in grain and timber grew for decades.")));

    [Fact]
    public async Task Train_classifier_from_the_CLI_and_the_pipeline_step_pick_the_same_negatives_and_write_the_same_weights()
    {
        using var dir = new TempDir("parity-classifier");
        // Three parts, so a cut taken in file order and one taken in id order keep different documents.
        string docs = await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 30, parts: 3);
        WriteCurated(dir["curated.txt"]);

        var (code, stdout, stderr) = await JobsFixtures.CliAsync("filter", "train-classifier", "--positives", dir["curated.txt"], "--negatives", docs,
            "--output", dir["cli-model"], "--max-examples", "7", "--min-chars", "1", "--epochs", "2", "--hash-bits", "12", "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, stderr + stdout);

        var p = JobsFixtures.Load(dir.Path, $$"""
            output: out
            inputs: { docs: {{docs}}, curated: {{dir["curated.txt"]}} }
            executor: { workers: 1, attempts: 1 }
            stages:
              - name: filter
                kind: filter
                input: docs
                options:
                  rules: { language: false, gopher_quality: false, gopher_repetition: false, c4_lines: false }
                  classifier: { positives: curated, max_examples: 7, min_chars: 1, epochs: 2, hash_bits: 12, threads: 1, device: cpu }
            """);
        await new DataPipe.Jobs.Execution.LocalPipelineExecutor(1, 1).RunAsync(p, p.Select(null, "filter.classifier"));

        string pipelineModel = TrainClassifierStage.ModelIn(p.Steps[0].OutputDir);
        string cliModel = TrainClassifierStage.ModelIn(dir["cli-model"]);
        var cli = DatasetFolder.ReadJson<ClassifierReport>(Path.Combine(cliModel, ModelFolder.ReportFile))!;
        var pipeline = DatasetFolder.ReadJson<ClassifierReport>(Path.Combine(pipelineModel, ModelFolder.ReportFile))!;
        Assert.Equal((cli.TrainNegatives, cli.HoldoutNegatives), (pipeline.TrainNegatives, pipeline.HoldoutNegatives));
        // model.json carries the training time, so the weights are compared byte for byte and the settings by hash.
        Assert.Equal(File.ReadAllBytes(Path.Combine(pipelineModel, ModelFolder.WeightsFile)), File.ReadAllBytes(Path.Combine(cliModel, ModelFolder.WeightsFile)));
        Assert.Equal(DatasetFolder.ReadSuccess(p.Steps[0].OutputDir)!.ConfigHash, DatasetFolder.ReadSuccess(dir["cli-model"])!.ConfigHash);
    }
}

/// <summary>A CLI flag and a pipeline key of the same option share one range check and one message.</summary>
public class OptionSchemaTests
{
    [Fact]
    public async Task An_out_of_range_flag_is_refused_with_the_message_the_pipeline_key_gets()
    {
        using var dir = new TempDir("schema");
        var (code, _, stderr) = await JobsFixtures.CliAsync("train", "--data", dir["none"], "--out", dir["run"], "--layers", "0");
        Assert.Equal(2, code);
        Assert.Contains("layers: 0 is out of range [1, 128]", stderr);

        var e = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, $$"""
            output: out
            inputs: { shards: {{dir["none"]}} }
            stages:
              - { name: train, kind: train, input: shards, options: { layers: 0 } }
            """));
        Assert.Contains("stages[0].options.layers: 0 is out of range [1, 128]", e.Message);
    }
}

public class DedupFlagTests
{
    [Fact]
    public void Dedup_flags_come_from_its_schema_a_switch_alone_means_true_and_the_old_flag_name_still_reads()
    {
        var flags = DataPipe.Jobs.Pipeline.Kinds.DedupKind.Schema.CreateFlags(new DedupOptions());
        var command = new System.CommandLine.Command("dedup");
        foreach (var f in flags) command.Add(f);

        var parse = command.Parse(["--keep-rejected", "--ngram", "3", "--exact-by-url", "false", "--verify", "signature"]);
        var options = DataPipe.Jobs.Pipeline.Kinds.DedupKind.Schema.ReadFlags(parse, flags, new DedupOptions());

        Assert.Empty(parse.Errors);
        Assert.Equal((true, 3, false, DedupVerification.Signature), (options.KeepRejected, options.ShingleSize, options.ExactByUrl, options.Verify));
        Assert.Equal(new DedupOptions(), DataPipe.Jobs.Pipeline.Kinds.DedupKind.Schema.ReadFlags(command.Parse([]), flags, new DedupOptions()));
    }
}
