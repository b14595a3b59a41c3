using DataPipe.Core.Datasets;
using DataPipe.Decontaminate;
using DataPipe.Filter;
using DataPipe.Filter.Rules;
using DataPipe.Ingest;
using DataPipe.Jobs.Commands;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

/// <summary>The stage commands' flags are generated from the kinds' schemas: same names, defaults and checks.</summary>
public class StageFlagTests
{
    private static System.CommandLine.Command CommandOf(IEnumerable<System.CommandLine.Option> flags)
    {
        var command = new System.CommandLine.Command("stage");
        foreach (var f in flags) command.Add(f);
        return command;
    }

    [Fact]
    public void Every_rule_option_of_the_registry_is_a_filter_flag_and_the_old_switches_still_parse()
    {
        var filter = FilterCommand.Create();
        var names = filter.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
        foreach (var rule in FilterRuleRegistry.All)
        {
            Assert.Contains($"--no-{rule.Name.Replace('_', '-')}", names);
            foreach (var flag in rule.CreateFlags()) Assert.Contains(flag.Name, names);
        }
        foreach (var old in new[] { "--no-language", "--no-gopher-quality", "--no-gopher-repetition", "--no-c4", "--languages", "--min-lang-score", "--pareto", "--score-only", "--keep-rejected", "--threshold", "--pareto-alpha", "--pareto-seed" })
            Assert.Contains(old, names);
        var parse = filter.Parse(["--input", "in", "--output", "out", "--no-c4", "--languages", "en", "de", "--gopher-quality-min-words", "20"]);
        Assert.Empty(parse.Errors);
    }

    [Fact]
    public void A_rule_threshold_flag_becomes_that_rules_key_and_reads_as_the_pipeline_key_does()
    {
        var rule = FilterRuleRegistry.Get("gopher_quality");
        var flags = rule.CreateFlags();
        var given = rule.FlagsToMapping(CommandOf(flags).Parse(["--gopher-quality-min-words", "20"]), flags);
        var rules = new YamlDotNet.RepresentationModel.YamlMappingNode { { "gopher_quality", given } };
        var options = (GopherQualityOptions)rule.Read(YamlSection.InMemory("command line", rules))!;
        Assert.Equal((20, new GopherQualityOptions().MaxWords), (options.MinWords, options.MaxWords));
        Assert.Empty(rule.FlagsToMapping(CommandOf(flags).Parse([]), flags).Children);
    }

    [Fact]
    public void Ingest_flags_read_lists_either_way_and_refuse_an_unknown_language_as_the_pipeline_key_does()
    {
        var flags = IngestKind.Schema.CreateFlags(new IngestOptions());
        var spaced = IngestKind.Schema.ReadFlags(CommandOf(flags).Parse(["--languages", "en", "de", "--min-text-chars", "40"]), flags, new IngestOptions());
        var commas = IngestKind.Schema.ReadFlags(CommandOf(flags).Parse(["--languages", "en,de", "--min-text-chars", "40"]), flags, new IngestOptions());
        Assert.Equal(["en", "de"], spaced.Languages);
        Assert.Equal(spaced.Languages, commas.Languages);
        Assert.Equal(40, commas.MinTextChars);
        Assert.Equal(new IngestOptions().MaxRecordBytes, commas.MaxRecordBytes);

        var flag = Assert.Throws<PipelineConfigException>(() => IngestKind.Schema.ReadFlags(CommandOf(flags).Parse(["--languages", "xx"]), flags, new IngestOptions()));
        using var dir = new TempDir("ingest-schema");
        var key = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, """
            output: out
            inputs: { warc: w.warc.gz }
            stages:
              - { name: ingest, kind: ingest, input: warc, options: { languages: [xx] } }
            """));
        Assert.StartsWith("command line: languages:", flag.Message);
        Assert.Contains("stages[0].options.languages:", key.Message);
        Assert.EndsWith(flag.Message["command line: languages:".Length..], key.Message);
    }

    [Fact]
    public void Decontaminate_min_words_follows_a_shorter_ngram_and_more_words_than_the_ngram_are_refused()
    {
        var flags = DecontaminateKind.Schema.CreateFlags(new DecontaminateOptions());
        var shorter = DecontaminateKind.Schema.ReadFlags(CommandOf(flags).Parse(["--ngram", "5"]), flags, new DecontaminateOptions());
        Assert.Equal((5, 5), (shorter.Ngrams.N, shorter.Ngrams.MinWords));
        var e = Assert.Throws<PipelineConfigException>(() => DecontaminateKind.Schema.ReadFlags(CommandOf(flags).Parse(["--ngram", "5", "--min-words", "6"]), flags, new DecontaminateOptions()));
        Assert.Contains("min_words: 6 is more than ngram (5)", e.Message);
    }

    [Fact]
    public void A_filter_threshold_without_keep_threshold_is_refused_in_a_pipeline_and_alone_on_the_CLI_means_keep_threshold()
    {
        var flags = FilterKind.Schema.CreateFlags(new FilterOptions());
        var e = Assert.Throws<PipelineConfigException>(() => FilterKind.Schema.ReadFlags(CommandOf(flags).Parse(["--keep", "pareto", "--threshold", "0.3"]), flags, new FilterOptions()));
        Assert.Contains("threshold: a threshold is used only with keep: threshold (keep is pareto)", e.Message);
        var ok = FilterKind.Schema.ReadFlags(CommandOf(flags).Parse(["--threshold", "0.3"]), flags, new FilterOptions { KeepRule = ClassifierKeepRule.Threshold });
        Assert.Equal((ClassifierKeepRule.Threshold, 0.3f), (ok.KeepRule, ok.Threshold));
    }

    [Fact]
    public async Task An_input_ingest_cannot_open_is_listed_in_its_task_record_and_named_by_the_CLI()
    {
        using var dir = new TempDir("ingest-skipped");
        string missing = dir["nope.warc.gz"];
        var (code, stdout, stderr) = await JobsFixtures.CliAsync("ingest", "--input", Repo.Shared("warc/edge/example.warc.gz"), missing, "--output", dir["out"], "--languages", "en", "de");
        Assert.True(code == 0, stderr + stdout);
        var skipped = Assert.Single(IngestCommand.SkippedInputs(dir["out"]));
        Assert.Equal((missing, SkipReasons.InputNotFound), (skipped.Location, skipped.Reason));
        Assert.Contains($"warning: input skipped: {missing}", stderr);
        Assert.Equal(1, DatasetFolder.ReadSuccess(dir["out"])!.Counters[SkipReasons.InputNotFound]);
    }
}

/// <summary>Executor settings are read from the executor section alone; elsewhere they are refused by name.</summary>
public class ExecutorSectionTests
{
    private static PipelineConfigException Refused(string yaml)
    {
        using var dir = new TempDir("executor-section");
        return Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, yaml));
    }

    [Fact]
    public void Workers_at_the_top_level_in_a_stage_or_in_its_options_are_refused_naming_the_executor_spelling()
    {
        const string Stage = "inputs: { docs: d }\nstages:\n  - { name: r, kind: reshard, input: docs";
        Assert.Contains("workers: 'workers' is an executor setting: write it in the executor section (executor: { workers: ... })",
            Refused($"output: out\nworkers: 4\n{Stage} }}\n").Message);
        Assert.Contains("stages[0].attempts: 'attempts' is an executor setting, not a stage's",
            Refused($"output: out\n{Stage}, attempts: 3 }}\n").Message);
        Assert.Contains("stages[0].options.workers: 'workers' is an executor setting, not a stage option's",
            Refused($"output: out\n{Stage}, options: {{ workers: 3 }} }}\n").Message);
    }

    [Fact]
    public void The_executor_section_is_read_through_its_schema_with_its_defaults()
    {
        using var dir = new TempDir("executor-schema");
        var p = JobsFixtures.Load(dir.Path, "output: out\ninputs: { docs: d }\nexecutor: { attempts: 3 }\nstages:\n  - { name: r, kind: reshard, input: docs }\n");
        Assert.Equal(("local", Environment.ProcessorCount, 3), (p.Executor.Kind, p.Executor.Workers, p.Executor.Attempts));
        Assert.Equal(["kind", "workers", "attempts"], DataPipe.Jobs.Pipeline.PipelineLoader.ExecutorSchema.Entries.Select(e => e.Name));
    }
}

/// <summary>A stage command run as a one-stage pipeline reports a bad flag as the kind reports the key.</summary>
public class OneStageCommandTests
{
    [Fact]
    public async Task An_out_of_range_rule_flag_is_refused_by_the_filter_kind_naming_the_rules_key()
    {
        using var dir = new TempDir("one-stage-filter");
        string docs = await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 4, parts: 1);
        var (code, _, stderr) = await JobsFixtures.CliAsync("filter", "--input", docs, "--output", dir["out"], "--gopher-quality-min-words", "-1");
        Assert.NotEqual(0, code);
        Assert.Contains("command line: rules.gopher_quality.min_words: -1 is out of range", stderr);
        Assert.False(Directory.Exists(dir["out"]) && Directory.EnumerateFiles(dir["out"], "*.parquet").Any(), "a refused command wrote parts");
    }
}
