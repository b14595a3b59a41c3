using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

public class TrainingStepYamlTests
{
    private static string Positives => Path.Combine(Repo.Root, "samples", "positives");

    private static string Filter(string options) => $$"""
        output: out
        inputs: { docs: docs }
        stages:
          - name: clean
            kind: filter
            input: docs
            tasks: 3
            options:
        {{options}}
        """;

    private static PipelineConfigException Refused(string yaml)
    {
        using var dir = new TempDir("yaml");
        return Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, yaml));
    }

    [Fact]
    public void A_filter_with_a_classifier_section_runs_as_a_one_task_classifier_step_then_the_filter()
    {
        using var dir = new TempDir("yaml");
        var p = JobsFixtures.Load(dir.Path, Filter($"""
                  rules: {'{'} language: false, gopher_quality: {'{'} min_words: 20 {'}'}, c4_lines: {'{'} min_sentences: 1 {'}'} {'}'}
                  classifier: {'{'} positives: [{Positives}], hash_bits: 16, epochs: 2, hidden: 0, seed: 3, max_examples: 50 {'}'}
                  keep: pareto
                  pareto_alpha: 2
                  keep_rejected: true
            """));

        Assert.Equal(["clean.classifier", "clean"], p.Steps.Select(s => s.Name));
        Assert.Equal(dir["out/clean/classifier"], p.Steps[0].OutputDir);
        Assert.Equal(1, p.Steps[0].Tasks);
        Assert.Equal(dir["out/clean/documents"], p.Steps[1].OutputDir);
        Assert.Equal(3, p.Steps[1].Tasks);
        Assert.All(p.Steps, s => Assert.Equal("clean", s.StageName));
    }

    [Fact]
    public void A_classifier_takes_a_list_of_negatives_with_one_mixing_weight_each()
    {
        using var dir = new TempDir("yaml");
        string yaml(string negatives) => $$"""
            output: out
            inputs: { docs: docs, pages: pages, boilerplate: boilerplate }
            stages:
              - name: clean
                kind: filter
                input: docs
                options:
                  classifier: { positives: [{{Positives}}], style: true, words: false, {{negatives}} }
            """;
        var p = JobsFixtures.Load(dir.Path, yaml("negatives: [pages, boilerplate], negative_weights: [1, 3]"));
        Assert.Equal(["clean.classifier", "clean"], p.Steps.Select(s => s.Name));
        var e = Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, yaml("negatives: [pages, boilerplate], negative_weights: [1]")));
        Assert.Contains("negative_weights: 1 weights for 2 negatives entries", e.Message);
    }

    [Fact]
    public void A_filter_with_a_trained_model_or_rules_only_is_one_step_in_the_stage_folder()
    {
        using var dir = new TempDir("yaml");
        Directory.CreateDirectory(dir["model"]);
        var withModel = JobsFixtures.Load(dir.Path, Filter("      model: model\n      keep: threshold\n      threshold: 0.3\n"));
        Assert.Equal(["clean"], withModel.Steps.Select(s => s.Name));
        Assert.Equal(dir["out/clean"], withModel.Steps[0].OutputDir);

        var rulesOnly = JobsFixtures.Load(dir.Path, Filter("      rules: { gopher_repetition: false }\n"));
        Assert.Equal(["clean"], rulesOnly.Steps.Select(s => s.Name));
    }

    [Fact]
    public void A_tokenize_stage_with_a_train_section_runs_as_a_bpe_step_then_tokenize_reading_that_folder()
    {
        using var dir = new TempDir("yaml");
        var p = JobsFixtures.Load(dir.Path, """
            output: out
            inputs: { docs: docs }
            stages:
              - name: tok
                kind: tokenize
                input: docs
                tasks: 2
                options:
                  tokenizer: { train: { vocab_size: 1024, min_pair_count: 3 } }
                  val_fraction: 0.1
              - name: lm
                kind: train
                input: tok
                options: { steps: 2 }
            """);

        Assert.Equal(["tok.bpe", "tok", "lm"], p.Steps.Select(s => s.Name));
        Assert.Equal(dir["out/tok/bpe"], p.Steps[0].OutputDir);
        Assert.Equal(1, p.Steps[0].Tasks);
        Assert.Equal(dir["out/tok/shards"], p.Steps[1].OutputDir);
        // --until tok stops after the shards, --from tok starts at the BPE.
        Assert.Equal(["tok.bpe", "tok"], p.Select(null, "tok").Select(s => s.Name));
        Assert.Equal(["tok.bpe", "tok", "lm"], p.Select("tok", null).Select(s => s.Name));
    }

    [Fact]
    public void The_main_job_file_loads_with_every_stage_and_both_training_steps()
    {
        var p = PipelineLoader.Load(Path.Combine(Repo.Root, "jobs", "pipelines", "sample.yaml"));
        Assert.Equal(["ingest", "filter", "dedup", "decontaminate", "tokenize", "train"], p.StageNames);
        Assert.Equal(
            ["ingest", "filter.classifier", "filter", "dedup.signatures", "dedup.pairs", "dedup.clusters", "dedup.documents", "decontaminate", "tokenize.bpe", "tokenize", "train"],
            p.Steps.Select(s => s.Name));
    }

    [Fact]
    public void A_misspelled_classifier_or_rule_option_is_refused_naming_the_key_and_its_line()
    {
        var e = Refused(Filter($"      classifier:\n        positives: {Positives}\n        epocs: 3\n"));
        Assert.Contains("pipeline.yaml:11: stages[0].options.classifier.epocs: unknown key", e.Message);
        Assert.Contains("epochs", e.Message);

        var rule = Refused(Filter("      rules:\n        gopher_quality:\n          min_wordz: 3\n"));
        Assert.Contains("pipeline.yaml:11: stages[0].options.rules.gopher_quality.min_wordz: unknown key", rule.Message);

        var tok = Refused("output: out\ninputs: { docs: docs }\nstages:\n  - name: t\n    kind: tokenize\n    input: docs\n    options:\n      tokenizer: { train: { vocab: 10 } }\n");
        Assert.Contains("pipeline.yaml:8: stages[0].options.tokenizer.train.vocab: unknown key", tok.Message);
    }

    [Fact]
    public void Bad_filter_and_tokenizer_values_are_refused_naming_the_key()
    {
        string classifier = $"      classifier: {{ positives: {Positives} }}\n";
        Assert.Contains("options.keep: 'best' is not one of: pareto, threshold, score_only", Refused(Filter(classifier + "      keep: best\n")).Message);
        Assert.Contains("options.threshold: a threshold is used only with keep: threshold", Refused(Filter(classifier + "      threshold: 0.4\n")).Message);
        Assert.Contains("options.pareto_alpha: 0 is out of range", Refused(Filter(classifier + "      pareto_alpha: 0\n")).Message);
        Assert.Contains("options.keep: the keep rule needs a classifier", Refused(Filter("      keep: pareto\n")).Message);
        Assert.Contains("options.classifier.hash_bits: 30 is out of range [10, 24]", Refused(Filter($"      classifier: {{ positives: {Positives}, hash_bits: 30 }}\n")).Message);
        Assert.Contains("options.classifier.positives: 'no/such/dir' resolves to", Refused(Filter("      classifier: { positives: no/such/dir }\n")).Message);
        Assert.Contains("options.classifier.positives: required", Refused(Filter("      classifier: { epochs: 2 }\n")).Message);
        Assert.Contains("options.model: give either classifier", Refused(Filter(classifier + "      model: m\n")).Message);
        Assert.Contains("options.rules.gopher_quality.min_words: -1 is out of range", Refused(Filter("      rules: { gopher_quality: { min_words: -1 } }\n")).Message);
        Assert.Contains("options.rules.c4_lines: expected false (off), true (defaults) or a mapping", Refused(Filter("      rules: { c4_lines: sometimes }\n")).Message);
        Assert.Contains("options.tokenizer.train.vocab_size: 100 is out of range", Refused("output: out\ninputs: { docs: docs }\nstages:\n  - name: t\n    kind: tokenize\n    input: docs\n    options:\n      tokenizer: { train: { vocab_size: 100 } }\n").Message);
    }
}
