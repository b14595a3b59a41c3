using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Core.Stages;
using DataPipe.Jobs.Pipeline;
using DataPipe.Tests.Jobs;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Faults;

public class DiskFaultTests
{
    [MountFact]
    public async Task An_output_folder_on_a_read_only_file_system_fails_with_one_error_naming_it_and_a_nonzero_exit()
    {
        using var dir = new TempDir("readonly");
        using var ro = TmpfsMount.TryMount(dir["out"], 1 << 20, readOnly: true) ?? throw new InvalidOperationException("tmpfs mount failed although the probe succeeded");
        await AssertOneErrorNamingAsync(dir, dir["out"]);
    }

    [Fact]
    public async Task An_output_folder_that_cannot_be_created_fails_with_one_error_naming_it_and_a_nonzero_exit()
    {
        // A path under a regular file: ENOTDIR for any user, root included, with no mount needed.
        using var dir = new TempDir("notdir");
        File.WriteAllText(dir["blocker"], "a file, not a folder");
        await AssertOneErrorNamingAsync(dir, dir["blocker/out"]);
    }

    private static async Task AssertOneErrorNamingAsync(TempDir dir, string root)
    {
        string file = FaultPipeline.Write(dir.Path, root);

        var (code, stdout, stderr) = await JobsFixtures.CliAsync("run", file);

        Assert.Equal(1, code);
        var lines = stderr.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(root, lines[0]);
        Assert.DoesNotContain("   at ", stdout + stderr);
    }

    [MountFact]
    public async Task A_full_disk_fails_naming_the_path_leaves_nothing_half_written_and_the_rerun_completes_once_space_frees()
    {
        using var dir = new TempDir("fulldisk");
        using var disk = TmpfsMount.TryMount(dir["out"], 96 * 1024) ?? throw new InvalidOperationException("tmpfs mount failed although the probe succeeded");
        string file = FaultPipeline.Write(dir.Path, "out");
        var p = PipelineLoader.Load(file);

        var (code, _, stderr) = await JobsFixtures.CliAsync("run", file);

        Assert.NotEqual(0, code);
        Assert.Contains("No space left on device", stderr);
        Assert.Contains(dir["out"], stderr);
        Assert.Null(DatasetFolder.ReadSuccess(p.Steps[^1].OutputDir));
        FaultPipeline.AssertNothingHalfWritten(p);

        disk.Grow(64L << 20);
        var (again, _, err2) = await JobsFixtures.CliAsync("run", file);
        Assert.True(again == 0, err2);
        FaultPipeline.AssertNothingHalfWritten(p);
        Assert.NotNull(DatasetFolder.ReadSuccess(p.Steps[^1].OutputDir));
    }

    /// <summary>The same contract without a mount (any user): a stage whose writes fail with ENOSPC after N bytes, then succeed.</summary>
    [Fact]
    public async Task A_task_whose_writes_fail_with_ENOSPC_commits_nothing_names_the_path_and_the_rerun_completes()
    {
        using var dir = new TempDir("enospc");
        var stage = new LimitedDiskStage { ByteLimit = 4096 };
        var e = await Assert.ThrowsAsync<StageFailedException>(() => new LocalStageExecutor().RunAsync(stage, dir["out"], new StageRunOptions { Workers = 2, MaxAttempts = 1 }));
        Assert.Contains("No space left on device", e.Message);
        Assert.Contains(dir["out"], e.Message);
        Assert.Empty(DatasetFolder.ListParts(dir["out"]));
        stage.ByteLimit = long.MaxValue;
        var ok = await new LocalStageExecutor().RunAsync(stage, dir["out"], new StageRunOptions { Workers = 2, MaxAttempts = 1 });
        Assert.Equal(2000, ok.Success.RowsOut);
    }

    private sealed class LimitedDiskStage : IStage
    {
        public long ByteLimit { get; set; }
        public string Name => "limited";
        public string ConfigHash => "limited";
        public IReadOnlyList<ColumnDescription>? OutputSchema => null;
        public Task<StagePlan> PlanAsync(CancellationToken ct) => Task.FromResult(new StagePlan(2));

        public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
        {
            string path = ctx.CreateOutput(ctx.PartFileName);
            await using var fs = new FileStream(path, FileMode.Create);
            long written = 0;
            var row = new byte[100];
            for (int i = 0; i < 1000; i++)
            {
                if (written + row.Length > ByteLimit) throw new IOException($"No space left on device : '{path}'");
                await fs.WriteAsync(row, ct);
                written += row.Length;
                ctx.AddRowsOut();
            }
        }
    }
}
