using System.CommandLine;
using DataPipe.Decontaminate;
using DataPipe.Jobs.Commands;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Tests.Support;
using DataPipe.Train;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// Path options (benchmarks, model, positives, a train config file ...) are declared in their kind's schema like every
/// other option: the command's flag comes from there, and a relative path resolves against the pipeline file's folder,
/// or the current folder on the command line.
/// </summary>
public class PathOptionTests
{
    private static string[] PathNames<T>(OptionSchema<T> schema) where T : class => [.. schema.Entries.Where(e => e.IsPath).Select(e => e.Name)];

    private static void AssertFlags(Command command, IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            var flag = command.Options.SingleOrDefault(o => o.Name == "--" + name.Replace('_', '-'));
            Assert.True(flag is not null, $"{command.Name} has no flag for {name}");
            Assert.Contains(OptionSchema<TrainConfig>.PathHelp, flag.Description);
        }
    }

    [Fact]
    public void Path_options_are_declared_in_the_kind_schemas_and_are_the_commands_flags()
    {
        Assert.Equal(["benchmarks", "ignore", "index"], PathNames(DecontaminateKind.Schema));
        Assert.Equal(["model"], PathNames(FilterKind.Schema));
        Assert.Equal(["positives", "negatives"], PathNames(ClassifierTrainingSchema.Schema));
        Assert.Equal(["config"], PathNames(TrainKind.Schema));
        AssertFlags(DecontaminateCommand.Create(), PathNames(DecontaminateKind.Schema));
        AssertFlags(FilterCommand.Create(), PathNames(FilterKind.Schema));
        AssertFlags(FilterTrainClassifierCommand.Create(), PathNames(ClassifierTrainingSchema.Schema));
        AssertFlags(TrainCommand.Create(), PathNames(TrainKind.Schema));
        // Options only a pipeline file can give (sections, stage names) have no flag.
        Assert.DoesNotContain(FilterCommand.Create().Options, o => o.Name is "--rules" or "--classifier");
        Assert.DoesNotContain(TokenizeCommand.Create().Options, o => o.Name == "--tokenizer-from");
    }

    [Fact]
    public async Task A_relative_benchmarks_path_on_the_command_line_resolves_against_the_current_folder()
    {
        using var dir = new TempDir("path-cli");
        string docs = await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 6, parts: 1);
        File.WriteAllText(dir["sets.txt"], "a benchmark item that the documents do not hold anywhere at all, long enough to index\n");
        var (code, stdout, stderr) = await JobsFixtures.CliInFolderAsync(dir.Path, "decontaminate", "--input", docs, "--output", "out", "--benchmarks", "sets.txt");
        Assert.True(code == 0, stderr + stdout);
        var report = ContaminationReport.ReadFrom(dir["out"])!;
        Assert.Equal(["sets"], report.Benchmarks.Select(b => b.Name));
        // The command keeps its n-gram index beside its output.
        Assert.True(Directory.Exists(dir["out.ngram-index"]) || File.Exists(dir["out.ngram-index"]), "no index beside the output");
    }

    [Fact]
    public async Task A_train_config_path_resolves_against_the_pipeline_file_and_the_stage_keys_override_it()
    {
        using var dir = new TempDir("path-config");
        Directory.CreateDirectory(dir["shards"]);
        File.WriteAllText(dir["shards/manifest.json"], "{}");
        Directory.CreateDirectory(dir["p"]);
        File.WriteAllText(dir["p/small.yaml"], "steps: 7\nlayers: 3\n");
        var p = JobsFixtures.Load(dir["p"], $$"""
            output: out
            inputs: { shards: {{dir["shards"]}} }
            stages:
              - { name: train, kind: train, input: shards, options: { config: small.yaml, layers: 2 } }
            """);
        var stage = (TrainStage)await p.Steps[0].Build(CancellationToken.None);
        Assert.Equal((7, 2), (stage.Config.Steps, stage.Config.Layers));
    }

    [Fact]
    public void A_file_of_train_options_refuses_the_keys_only_a_stage_has()
    {
        using var dir = new TempDir("path-config-file");
        File.WriteAllText(dir["c.yaml"], "steps: 7\nresume: true\n");
        var e = Assert.Throws<PipelineConfigException>(() => TrainKind.Schema.ReadFile(dir["c.yaml"], new TrainConfig()));
        Assert.Contains("resume: unknown key", e.Message);
    }

    [Fact]
    public void A_missing_train_config_file_is_refused_naming_the_key_and_the_path()
    {
        using var dir = new TempDir("path-config-missing");
        Directory.CreateDirectory(dir["shards"]);
        var e = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, $$"""
            output: out
            inputs: { shards: {{dir["shards"]}} }
            stages:
              - { name: train, kind: train, input: shards, options: { config: none.yaml } }
            """));
        Assert.Contains("stages[0].options.config:", e.Message);
        Assert.Contains(dir["none.yaml"], e.Message);
    }

    [Fact]
    public async Task Train_classifier_without_negatives_is_refused_naming_the_key_and_writes_nothing()
    {
        using var dir = new TempDir("path-negatives");
        File.WriteAllText(dir["curated.txt"], "curated text");
        var (code, _, stderr) = await JobsFixtures.CliAsync("filter", "train-classifier", "--positives", dir["curated.txt"], "--output", dir["model"]);
        Assert.NotEqual(0, code);
        Assert.Contains("negatives: required", stderr);
        Assert.False(Directory.Exists(dir["model"]));
    }

    [Fact]
    public void Decontaminate_field_without_benchmarks_is_refused_naming_field()
    {
        using var dir = new TempDir("path-field");
        string docs = dir["docs"];
        Directory.CreateDirectory(docs);
        File.WriteAllText(dir["set.txt"], "one item\n");
        var e = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, $$"""
            output: out
            inputs: { docs: {{docs}} }
            stages:
              - { name: d, kind: decontaminate, input: docs, options: { custom_benchmarks: [{ path: set.txt }], field: text } }
            """));
        Assert.Contains("stages[0].options.field:", e.Message);
    }
}
