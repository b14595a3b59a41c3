using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

public class PipelineYamlTests
{
    private static readonly NumbersKind Numbers = new();

    private static PipelineConfigException Refused(string yaml)
    {
        using var dir = new TempDir("yaml");
        return Assert.Throws<PipelineConfigException>(() => JobsFixtures.Load(dir.Path, yaml, JobsFixtures.KindsWith(Numbers)));
    }

    [Fact]
    public void A_valid_file_gives_steps_in_order_with_paths_resolved_against_the_file()
    {
        using var dir = new TempDir("yaml");
        var p = JobsFixtures.Load(dir.Path, """
            name: demo
            output: out
            inputs:
              docs: data/docs
            executor:
              kind: slurm
              workers: 3
              attempts: 4
              slurm: { partition: batch, time: "00:10:00", cpus_per_task: 2, memory: 2G }
            stages:
              - name: first
                kind: numbers
                tasks: 3
                options: { rows: 5 }
              - name: second
                kind: reshard
                input: first
                tasks: 2
                slurm: { cpus_per_task: 4 }
            """, JobsFixtures.KindsWith(Numbers));

        Assert.Equal("demo", p.Name);
        Assert.Equal(dir["out"], p.OutputRoot);
        Assert.Equal(["first", "second"], p.Steps.Select(s => s.Name));
        Assert.Equal(dir["out/first"], p.Steps[0].OutputDir);
        Assert.Equal(3, p.Steps[0].Tasks);
        Assert.Equal("slurm", p.Executor.Kind);
        Assert.Equal(4, p.Executor.Attempts);
        Assert.Equal("batch", p.Steps[1].Resources.Partition);
        Assert.Equal(4, p.Steps[1].Resources.CpusPerTask);
        Assert.Equal(2, p.Steps[0].Resources.CpusPerTask);
        Assert.Equal("2G", p.Steps[0].Resources.Memory);
    }

    [Fact]
    public void An_unknown_option_key_is_refused_naming_the_key_its_line_and_the_known_keys()
    {
        var e = Refused("""
            output: out
            stages:
              - name: a
                kind: numbers
                options:
                  rows: 5
                  rowz: 6
            """);
        Assert.Contains("pipeline.yaml:7:", e.Message);
        Assert.Contains("stages[0].options.rowz: unknown key", e.Message);
        Assert.Contains("rows", e.Message);
        Assert.Equal(2, e.ExitCode);
    }

    [Fact]
    public void An_unknown_top_level_or_stage_key_is_refused()
    {
        Assert.Contains("pipeline.yaml:2: ouptut", Refused("output: out\nouptut: x\nstages:\n  - { name: a, kind: numbers }\n").Message);
        Assert.Contains("stages[0].taks: unknown key", Refused("output: out\nstages:\n  - name: a\n    kind: numbers\n    taks: 2\n").Message);
        Assert.Contains("executor.slurm.partitoin: unknown key", Refused("output: out\nexecutor:\n  slurm:\n    partitoin: x\nstages:\n  - { name: a, kind: numbers }\n").Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_or_range_is_refused_with_its_line()
    {
        var e = Refused("output: out\nstages:\n  - name: a\n    kind: numbers\n    tasks: two\n");
        Assert.Contains("pipeline.yaml:5: stages[0].tasks: expected a whole number, found 'two'", e.Message);
        Assert.Contains("stages[0].tasks: 0 is out of range", Refused("output: out\nstages:\n  - name: a\n    kind: numbers\n    tasks: 0\n").Message);
        Assert.Contains("executor.kind: 'kubernetes' is not one of: local, slurm", Refused("output: out\nexecutor: { kind: kubernetes }\nstages:\n  - { name: a, kind: numbers }\n").Message);
        Assert.Contains("stages[0].options: expected a mapping", Refused("output: out\nstages:\n  - name: a\n    kind: numbers\n    options: [1, 2]\n").Message);
        Assert.Contains("time: '90 minutes' is not a Slurm time limit", Refused("output: out\nexecutor: { slurm: { time: 90 minutes } }\nstages:\n  - { name: a, kind: numbers }\n").Message);
    }

    [Fact]
    public void An_unknown_kind_names_the_kinds_there_are()
    {
        var e = Refused("output: out\nstages:\n  - name: a\n    kind: numbrs\n");
        Assert.Contains("pipeline.yaml:4: stages[0].kind: unknown stage kind 'numbrs' (known:", e.Message);
        Assert.Contains("reshard", e.Message);
    }

    [Fact]
    public void A_reference_to_a_stage_declared_later_or_to_nothing_is_refused()
    {
        var e = Refused("output: out\nstages:\n  - { name: a, kind: reshard, input: b }\n  - { name: b, kind: numbers }\n");
        Assert.Contains("stages[0].input: 'b' is neither an input nor a stage declared before this one", e.Message);
    }

    [Fact]
    public void Missing_required_keys_and_duplicate_names_are_refused()
    {
        Assert.Contains("output: required key is missing", Refused("stages:\n  - { name: a, kind: numbers }\n").Message);
        Assert.Contains("'a' is already the name", Refused("output: out\nstages:\n  - { name: a, kind: numbers }\n  - { name: a, kind: numbers }\n").Message);
        Assert.Contains("is not a usable name", Refused("output: out\nstages:\n  - { name: ../up, kind: numbers }\n").Message);
    }

    [Fact]
    public void Broken_yaml_is_refused_with_its_line()
    {
        var e = Refused("output: out\nstages:\n  - name: a\n    kind: [numbers\n");
        Assert.Contains("not valid YAML", e.Message);
        Assert.Matches(@"pipeline\.yaml:\d+:", e.Message);
    }

    [Fact]
    public void A_stage_cannot_write_outside_the_output_root_unless_the_file_allows_it()
    {
        var up = Refused("output: out\nstages:\n  - { name: a, kind: numbers, output: ../elsewhere }\n");
        Assert.Contains("stages[0].output: '../elsewhere' resolves to", up.Message);
        Assert.Contains("outside the output root", up.Message);
        Assert.Contains("allow_outside_output: true", up.Message);

        var absolute = Refused("output: out\nstages:\n  - { name: a, kind: numbers, output: /etc/datapipe }\n");
        Assert.Contains("outside the output root", absolute.Message);

        using var dir = new TempDir("yaml");
        var allowed = JobsFixtures.Load(dir.Path, "output: out\nallow_outside_output: true\nstages:\n  - { name: a, kind: numbers, output: ../elsewhere }\n", JobsFixtures.KindsWith(Numbers));
        Assert.Equal(dir["elsewhere"], allowed.Steps[0].OutputDir);
    }

    [Fact]
    public void Two_stages_cannot_share_or_nest_output_folders()
    {
        var e = Refused("output: out\nstages:\n  - { name: a, kind: numbers }\n  - { name: b, kind: numbers, output: a/inner }\n");
        Assert.Contains("overlaps", e.Message);
        Assert.Contains("stage 'a'", e.Message);
    }

    [Fact]
    public void The_cli_reports_a_bad_file_as_one_line_with_exit_code_2()
    {
        var e = Refused("output: out\nstages:\n  - { name: a, kind: numbers, tasks: -1 }\n");
        Assert.Equal(2, DataPipeCli.ReportError(e));
    }

    [Fact]
    public async Task The_cli_exits_2_naming_the_key_before_running_anything()
    {
        using var dir = new TempDir("yaml");
        string file = dir["bad.yaml"];
        File.WriteAllText(file, "output: out\nstages:\n  - name: r\n    kind: reshard\n    input: docs\ninputs: { docs: d }\nexecutor: { workers: 0 }\n");
        var (code, _, stderr) = await JobsFixtures.CliAsync("run", file);
        Assert.Equal(2, code);
        Assert.Contains("bad.yaml:7: executor.workers: 0 is out of range", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(dir["out"]));
    }
}
