using System.CommandLine;
using System.Globalization;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary><c>datapipe status PIPELINE.yaml</c>: per stage, tasks done/running/failed, rows and task time so far.</summary>
public static class StatusCommand
{
    /// <summary>Node states in which a node runs jobs; any other (down, drained, failing, ...) is reported, as is any not responding ("*").</summary>
    private static readonly string[] UpStates = ["idle", "mixed", "allocated", "completing", "planned"];

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
            foreach (var s in statuses)
            {
                foreach (var l in s.Lost)
                    AnsiConsole.MarkupLine(Markup.Escape($"{s.Step}: task {l.Task} lost on {l.Host} (its attempt started {l.StartedAt:HH:mm:ss} and never ended); {(l.RerunOn is null ? "not rerun yet" : $"rerun on {l.RerunOn}")}"));
            }
            if (PipelineRecord.Read(def.OutputRoot)?.Executor == "slurm" && SlurmClient.IsInstalled)
            {
                try
                {
                    var down = (await client.NodesAsync(ct).ConfigureAwait(false)).Where(n => n.State.EndsWith('*') || !UpStates.Contains(n.State.TrimEnd('~', '#', '!', '%', '$', '@', '^', '-'))).ToList();
                    foreach (var (node, state, reason) in down)
                        AnsiConsole.MarkupLine(Markup.Escape($"slurm node {node}: {state}{(reason.Length > 0 ? $" ({reason})" : "")}"));
                }
                catch (Core.Errors.DataPipeException e)
                {
                    AnsiConsole.MarkupLine(Markup.Escape($"slurm nodes: unknown ({e.Message})"));
                }
            }
            return 0;
        });
        return command;
    }
}
