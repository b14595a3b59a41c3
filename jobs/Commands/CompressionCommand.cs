using System.CommandLine;
using System.Globalization;
using DataPipe.Train.Compression;
using DataPipe.Jobs.Cli;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe compression --run DIR [--data SHARDS]</c>: the prequential code length of a training run's stream plus
/// the compressed size of the model's code and config, as a compression ratio next to gzip -9, xz -9 and zstd -19 on
/// the same bytes (<see cref="CompressionReport"/>). Writes <c>compression.json</c> in the run folder.
/// </summary>
public static class CompressionCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "A train run folder (metrics.jsonl, checkpoints/)", Required = true };
        var data = new Option<string?>("--data") { Description = "The run's token shards, if they moved since training" };
        var command = new Command("compression", "A trained model as a lossless compressor of its training stream, against gzip, xz and zstd") { run, data };
        command.SetAction(async (parse, ct) =>
        {
            var r = await CompressionReport.RunAsync(parse.GetValue(run)!, parse.GetValue(data), ct).ConfigureAwait(false);
            foreach (var line in CompressionText.Lines(r, Path.Combine(Path.GetFullPath(parse.GetValue(run)!), CompressionReport.FileName))) Console.WriteLine(line);
            return 0;
        });
        return command;
    }
}
