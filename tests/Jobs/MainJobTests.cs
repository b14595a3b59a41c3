using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

public class MainJobTests
{
    [Fact]
    public async Task The_main_job_shape_runs_end_to_end_summarises_every_stage_and_a_rerun_reuses_every_step()
    {
        using var dir = new TempDir("mainjob");
        string file = MainJobPipeline.Write(dir.Path, "out");
        var p = PipelineLoader.Load(file);

        var (code, stdout, stderr) = await JobsFixtures.CliAsync("run", file);

        Assert.True(code == 0, stderr + stdout);
        var summary = DatasetFolder.ReadJson<PipelineSummary>(dir["out/summary.json"])!;
        Assert.Equal(p.Steps.Select(s => s.Name), summary.Steps.Select(s => s.Step));
        var ingest = summary.Steps.Single(s => s.Step == "ingest");
        var filter = summary.Steps.Single(s => s.Step == "filter");
        var dedup = summary.Steps.Single(s => s.Step == "dedup.documents");
        var tokenize = summary.Steps.Single(s => s.Step == "tokenize");
        Assert.True(ingest.RowsOut > 0);
        Assert.Equal(ingest.RowsOut, filter.RowsIn);
        Assert.True(filter.RowsOut < filter.RowsIn, "the filter dropped nothing");
        // Every document the filter dropped is counted under the rule or classifier decision that dropped it.
        Assert.Equal(filter.RowsIn - filter.RowsOut, filter.Dropped.Where(d => d.Key.StartsWith("dropped.", StringComparison.Ordinal)).Sum(d => d.Value));
        Assert.Equal(filter.RowsOut, dedup.RowsIn);
        Assert.Equal(dedup.RowsOut, tokenize.RowsOut);
        Assert.True(tokenize.Tokens > 0);
        Assert.True(summary.Classifier!.HoldoutAuc > 0.5, $"held-out AUC {summary.Classifier.HoldoutAuc}");
        Assert.True(double.IsFinite(summary.Training!.FinalValLoss!.Value));
        Assert.True(summary.Training.FinalBitsPerByte > 0);
        Assert.InRange(summary.Training.UnigramBaselineLoss!.Value, 0.1, 20);
        // The console wraps long lines at its width; compare with the line breaks folded back into spaces.
        Assert.Contains("a unigram model of the training tokens scores", System.Text.RegularExpressions.Regex.Replace(stdout, @"\s+", " "));
        Assert.False(string.IsNullOrEmpty(summary.Training.Sample));
        Assert.Equal(6, summary.Training.Steps);
        Assert.Contains("held-out AUC", stdout);
        Assert.Contains("bits/byte", stdout);
        Assert.Contains("generated sample", stdout);
        // Out of sample, computed here and not by the trainer's code: WikiText-2's validation split (the positives were its
        // test split) against pages of a crawl file the pipeline never read ranks curated text above web text.
        double auc = await OutOfSampleAucAsync(summary.Classifier.Model, dir["unseen"]);
        Assert.True(auc > 0.8, $"out-of-sample AUC {auc:F3}");

        // The filter read the model trained in its own step and scored every document it kept.
        foreach (var part in DatasetFolder.ListParts(dir["out/filter/documents"]))
            await foreach (var d in DocumentReader.ReadAsync(part)) Assert.NotNull(d.QualityScore);
        Assert.True(File.Exists(dir["out/tokenize/bpe/vocab.json"]));
        // The loss plot is drawn beside the metrics, and the summary names it.
        Assert.True(new FileInfo(dir["out/train/loss.png"]).Length > 1000);
        Assert.Contains(dir["out/train/loss.png"], stdout);

        var (again, stdout2, stderr2) = await JobsFixtures.CliAsync("run", file);
        Assert.True(again == 0, stderr2 + stdout2);
        var record = PipelineRecord.Read(dir["out"])!;
        Assert.Equal(p.Steps.Count, record.Steps.Count);
        Assert.All(record.Steps, s => Assert.True(s.Reused, $"{s.Step} ran again"));
        var summary2 = DatasetFolder.ReadJson<PipelineSummary>(dir["out/summary.json"])!;
        Assert.Equal(summary.Steps.Select(s => (s.Step, s.RowsOut, s.Tokens)), summary2.Steps.Select(s => (s.Step, s.RowsOut, s.Tokens)));
        Assert.Equal(summary.Training.Sample, summary2.Training!.Sample);
    }

    /// <summary>
    /// The probability that a random curated paragraph scores above a random unseen web page (Mann-Whitney, ties
    /// counting half), over 200 WikiText-2 validation paragraphs and the pages of a crawl file that is not among the samples.
    /// </summary>
    private static async Task<double> OutOfSampleAucAsync(string model, string workDir)
    {
        var scorer = DataPipe.Filter.Classifier.QualityScorer.Load(model);
        var curated = File.ReadLines(Repo.Shared("text/wikitext-2/valid.txt"))
            .Select(p => p.Trim()).Where(p => p.Length >= 500).Take(200).Select(p => scorer.Score(p)).ToList();
        var ingest = await DataPipe.Ingest.IngestStage.CreateAsync(new DataPipe.Ingest.IngestOptions
        {
            Inputs = [Repo.Shared("warc/crawl-sample-0001.warc.gz")],
        });
        await new DataPipe.Core.Execution.LocalStageExecutor().RunAsync(ingest, workDir, new DataPipe.Core.Execution.StageRunOptions { Workers = 1 });
        var web = new List<float>();
        foreach (var part in DatasetFolder.ListParts(workDir))
            await foreach (var d in DocumentReader.ReadAsync(part))
                if (d.Text.Length >= 500) web.Add(scorer.Score(d.Text));
        Assert.True(curated.Count >= 50 && web.Count >= 8, $"{curated.Count} curated, {web.Count} web texts");
        double wins = 0;
        foreach (float c in curated)
            foreach (float w in web)
                wins += c > w ? 1 : c == w ? 0.5 : 0;
        return wins / ((double)curated.Count * web.Count);
    }

    [Fact]
    public async Task The_shipped_sample_pipeline_runs_end_to_end_when_shortened_by_overrides()
    {
        using var dir = new TempDir("sample");
        string sample = Path.Combine(Repo.Root, "jobs", "pipelines", "sample.yaml");
        var p = PipelineLoader.Load(sample, overrides: [$"output={dir["out"]}"]);

        // The file as shipped, with a shorter classifier and GPT training and its output in a temporary folder.
        var (code, stdout, stderr) = await JobsFixtures.CliAsync("run", sample, "--set", $"output={dir["out"]}",
            "--set", "stages.filter.options.classifier.epochs=2", "--set", "stages.train.options.steps=6", "--set", "stages.train.options.warmup_steps=2",
            "--set", "stages.train.options.eval_every=6", "--set", "stages.train.options.eval_batches=2", "--set", "stages.train.options.checkpoint_every=6",
            "--set", "stages.train.options.sample_tokens=8");

        Assert.True(code == 0, stderr + stdout);
        var summary = DatasetFolder.ReadJson<PipelineSummary>(dir["out/summary.json"])!;
        Assert.Equal(p.Steps.Select(s => s.Name), summary.Steps.Select(s => s.Step));
        Assert.All(summary.Steps, s => Assert.True(s.RowsIn > 0, $"{s.Step} read no rows"));
        Assert.All(summary.Steps.Where(s => s.Step is "ingest" or "filter" or "dedup.documents" or "tokenize"), s => Assert.True(s.RowsOut > 0, $"{s.Step} kept no rows"));
        Assert.Equal(6, summary.Training!.Steps);
        Assert.True(File.Exists(dir["out/train/loss.png"]));
    }

    [Fact]
    public async Task One_task_and_four_tasks_per_stage_keep_the_same_documents_at_every_stage()
    {
        using var dir = new TempDir("mainjob");
        var one = PipelineLoader.Load(MainJobPipeline.Write(dir.Path, "one", tasks: 1, train: false, file: "one.yaml"));
        var four = PipelineLoader.Load(MainJobPipeline.Write(dir.Path, "four", tasks: 4, train: false, file: "four.yaml"));

        await new LocalPipelineExecutor(2, 1).RunAsync(one, one.Steps);
        await new LocalPipelineExecutor(2, 1).RunAsync(four, four.Steps);

        var a = await MainJobPipeline.SurvivorsAsync(one);
        var b = await MainJobPipeline.SurvivorsAsync(four);
        Assert.Equal(["dedup.documents", "filter", "ingest", "tokenize"], a.Keys);
        Assert.Equal(4, DatasetFolder.ReadSuccess(dir["four/filter/documents"])!.TaskCount);
        foreach (var (step, ids) in a)
        {
            Assert.NotEmpty(ids);
            Assert.True(ids.SequenceEqual(b[step]), $"{step}: 1 task kept {ids.Count} documents, 4 tasks kept {b[step].Count}");
        }
        Assert.True(a["filter"].Count < a["ingest"].Count);
    }
}

[Collection("slurm")]
public class MainJobSlurmTests(SlurmCluster cluster)
{
    [SlurmFact]
    public async Task The_main_job_on_Slurm_with_2_array_tasks_keeps_the_same_documents_as_one_local_task()
    {
        using var dir = new TempDir("mainjob-slurm");
        string executor = """{ kind: slurm, attempts: 1, slurm: { partition: debug, time: "00:05:00", cpus_per_task: 1, poll_seconds: 0.5 } }""";
        var onSlurm = PipelineLoader.Load(MainJobPipeline.Write(dir.Path, "slurm", tasks: 2, executor: executor, train: false, file: "slurm.yaml"));
        var local = PipelineLoader.Load(MainJobPipeline.Write(dir.Path, "local", tasks: 1, train: false, file: "local.yaml"));

        var log = new StringWriter();
        await new SlurmPipelineExecutor(cluster.Client, $"dotnet {SlurmPipelineExecutor.Quote(JobsFixtures.DatapipeDll)}", log).RunAsync(onSlurm, onSlurm.Steps, CancellationToken.None);
        await new LocalPipelineExecutor(2, 1).RunAsync(local, local.Steps);

        Assert.Matches(@"\[filter\.classifier\] submitted job array \d+ \(1 task\(s\), after \d+\)", log.ToString());
        Assert.Matches(@"\[filter\] submitted job array \d+ \(2 task\(s\), after \d+\)", log.ToString());
        Assert.All(PipelineRecord.Read(dir["slurm"])!.Steps, s => Assert.NotNull(s.SlurmJobId));
        var a = await MainJobPipeline.SurvivorsAsync(local);
        var b = await MainJobPipeline.SurvivorsAsync(onSlurm);
        foreach (var (step, ids) in a)
        {
            Assert.NotEmpty(ids);
            Assert.True(ids.SequenceEqual(b[step]), $"{step}: local kept {ids.Count} documents, Slurm kept {b[step].Count}");
        }
    }
}
