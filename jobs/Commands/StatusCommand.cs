using System.CommandLine;
using System.Globalization;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary><c>datapipe status PIPELINE.yaml</c>: per stage, tasks done/running/failed, rows and task time so far.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline YAML file" };
        var command = new Command("status", "Show how far a pipeline got: per stage, tasks done/running/failed, rows, time, and Slurm's view") { pipeline };
        command.SetAction(async (parse, ct) =>
        {
            var def = PipelineLoader.Load(parse.GetValue(pipeline)!);
            var client = new SlurmClient();
            var statuses = PipelineStatus.Read(def, ids =>
            {
                if (!SlurmClient.IsInstalled) return new Dictionary<string, string>();
                var queue = client.QueueAsync(ids, ct).GetAwaiter().GetResult();
                return queue.ToDictionary(q => q.Key, q => SlurmClient.Describe(q.Value));
            });
            var table = new Table().Title($"[bold]{Markup.Escape(def.Name)}[/]: {Markup.Escape(def.OutputRoot)}")
                .AddColumn("step").AddColumn("state").AddColumn(new TableColumn("done").RightAligned()).AddColumn(new TableColumn("running").RightAligned())
                .AddColumn(new TableColumn("failed").RightAligned()).AddColumn(new TableColumn("rows in").RightAligned())
                .AddColumn(new TableColumn("rows out").RightAligned()).AddColumn(new TableColumn("task s").RightAligned()).AddColumn("slurm");
            foreach (var s in statuses)
            {
                table.AddRow(Markup.Escape(s.Step), Markup.Escape(s.State), $"{s.Done}/{s.Tasks}", s.Running.ToString(CultureInfo.InvariantCulture),
                    s.Failed.ToString(CultureInfo.InvariantCulture), s.RowsIn.ToString("N0", CultureInfo.InvariantCulture),
                    s.RowsOut.ToString("N0", CultureInfo.InvariantCulture), s.Seconds.ToString("F1", CultureInfo.InvariantCulture), Markup.Escape(s.Slurm ?? ""));
            }
            AnsiConsole.Write(table);
            foreach (var s in statuses.Where(s => s.FailedLog is not null))
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(s.Step)}[/]: a task failed; see [blue]{Markup.Escape(s.FailedLog!)}[/]");
            await Task.CompletedTask.ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
