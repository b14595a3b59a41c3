using System.Diagnostics;
using System.Text.RegularExpressions;
using DataPipe.Core.Datasets;
using DataPipe.Jobs.Execution;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// What a node crash leaves behind, without a cluster: a <c>datapipe task</c> process stopped by
/// <see cref="TaskHold"/> before its commit and killed there, then the task run again.
/// </summary>
public class TaskHoldTests
{
    private static string Pipeline(string output) => $"""
        name: holdtest
        output: {output}
        inputs: {'{'} docs: docs {'}'}
        executor: {'{'} kind: local, workers: 1, attempts: 1 {'}'}
        stages:
          - {'{'} name: spread, kind: reshard, input: docs, tasks: 2 {'}'}
        """;

    [Fact]
    public async Task A_task_process_killed_before_its_commit_shows_as_lost_leaves_no_part_and_its_rerun_commits_once()
    {
        using var dir = new TempDir("taskhold");
        await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 40, parts: 2);
        var p = JobsFixtures.Load(dir.Path, Pipeline("out"));
        string spread = p.FindStep("spread")!.OutputDir;
        string holds = Directory.CreateDirectory(dir["holds"]).FullName;

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { JobsFixtures.DatapipeDll, "task", p.File, "--stage", "spread", "--task", "1" }) psi.ArgumentList.Add(a);
        psi.Environment[TaskHold.Variable] = "spread:1:before-commit";
        psi.Environment[TaskHold.DirVariable] = holds;
        using (var task = Process.Start(psi)!)
        {
            var stdout = task.StandardOutput.ReadToEndAsync();
            var stderr = task.StandardError.ReadToEndAsync();
            string held = TaskHold.Files(holds, "spread", 1, "before-commit").Held;
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(held) && File.ReadAllText(held).EndsWith('\n')))
            {
                if (task.HasExited) Assert.Fail($"the task exited (code {task.ExitCode}) before it stopped at its hold point: {await stderr}{await stdout}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the task did not reach its hold point within 2 minutes");
                await Task.Delay(50);
            }
            Assert.Equal($"{Environment.MachineName} pid {task.Id}", File.ReadAllText(held).Trim());
            // Written to its temp folder, not yet renamed into place.
            Assert.True(File.Exists(Path.Combine(DatasetFolder.TaskTmpDir(spread, 1), DatasetFolder.PartFileName(1))));
            task.Kill(entireProcessTree: true);
            await task.WaitForExitAsync();
        }

        Assert.False(File.Exists(Path.Combine(spread, DatasetFolder.PartFileName(1))));
        Assert.Null(DatasetFolder.ReadTaskRecord(spread, 1));
        var lost = Assert.Single(TaskAttempts.FindLost(spread, 2, DateTime.MinValue));
        Assert.Equal((1, Environment.MachineName, (string?)null), (lost.Task, lost.Host, lost.RerunOn));
        var (code, status, err) = await JobsFixtures.CliAsync("status", p.File);
        Assert.True(code == 0, err + status);
        Assert.Contains($"spread: task 1 lost on {Environment.MachineName}", Regex.Replace(status, @"\s+", " "));
        Assert.Contains("not rerun yet", Regex.Replace(status, @"\s+", " "));

        // The rerun (the hold is not set for it) commits the task once, and the lost attempt now names it.
        var (runCode, runOut, runErr) = await JobsFixtures.CliAsync("run", p.File);
        Assert.True(runCode == 0, runErr + runOut);
        Assert.Equal(40, DatasetFolder.ReadSuccess(spread)!.RowsOut);
        Assert.Single(File.ReadLines(DatasetFolder.TaskLogPath(spread, 1)), l => l.Contains("] done: ", StringComparison.Ordinal));
        Assert.Equal(Environment.MachineName, Assert.Single(TaskAttempts.FindLost(spread, 2, DateTime.MinValue)).RerunOn);
        Assert.False(Directory.Exists(Path.Combine(spread, DatasetFolder.TmpDir)));
    }

    [Fact]
    public void A_malformed_hold_is_refused_naming_the_variable_and_the_entry()
    {
        var stage = new NumbersStage("spread", 1, 1, 0, null, []);
        var e = Assert.Throws<InvalidOperationException>(() => TaskHold.Wrap(stage, "spread", "spread:1:start;spread:x:start", Path.GetTempPath()));
        Assert.Contains($"{TaskHold.Variable}: 'spread:x:start' is not STEP:TASK:POINT", e.Message);
        Assert.Same(stage, TaskHold.Wrap(stage, "other", "spread:1:start", Path.GetTempPath()));
        Assert.Same(stage, TaskHold.Wrap(stage, "spread", null, null));
    }
}
