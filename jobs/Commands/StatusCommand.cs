using System.CommandLine;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Execution;
using DataPipe.Jobs.Pipeline;

namespace DataPipe.Jobs.Commands;

/// <summary><c>datapipe status PIPELINE.yaml</c>: per stage, tasks done/running/failed, rows and task time so far.</summary>
public static class StatusCommand
{
    /// <summary>Node states in which a node runs jobs; any other (down, drained, failing, ...) is reported, as is any not responding ("*").</summary>
    private static readonly string[] UpStates = ["idle", "mixed", "allocated", "completing", "planned"];

    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline YAML file" };
        var set = CommonOptions.Set();
        var command = new Command("status", "Show how far a pipeline got: per stage, tasks done/running/failed, rows, time, and Slurm's view") { pipeline, set };
        command.SetAction(async (parse, ct) =>
        {
            var def = PipelineLoader.Load(parse.GetValue(pipeline)!, overrides: parse.GetValue(set));
            var client = new SlurmClient();
            var statuses = PipelineStatus.Read(def, ids =>
            {
                if (!SlurmClient.IsInstalled) return new Dictionary<string, string>();
                var queue = client.QueueAsync(ids, ct).GetAwaiter().GetResult();
                return queue.ToDictionary(q => q.Key, q => SlurmClient.Describe(q.Value));
            });
            Console.WriteLine($"{def.Name}: {def.OutputRoot}");
            foreach (var line in StatusText.Lines(statuses, def.OutputRoot)) Console.WriteLine(line);
            foreach (var line in StatusText.LostLines(statuses)) Console.WriteLine(line);
            if (PipelineRecord.Read(def.OutputRoot)?.Executor == "slurm" && SlurmClient.IsInstalled)
            {
                try
                {
                    var down = (await client.NodesAsync(ct).ConfigureAwait(false)).Where(n => n.State.EndsWith('*') || !UpStates.Contains(n.State.TrimEnd('~', '#', '!', '%', '$', '@', '^', '-'))).ToList();
                    foreach (var (node, state, reason) in down)
                        foreach (var line in TextWrap.Wrap($"slurm node {node}: {state}{(reason.Length > 0 ? $" ({reason})" : "")}")) Console.WriteLine(line);
                }
                catch (Core.Errors.DataPipeException e)
                {
                    foreach (var line in TextWrap.Wrap($"slurm nodes: unknown ({e.Message})")) Console.WriteLine(line);
                }
            }
            return 0;
        });
        return command;
    }
}
