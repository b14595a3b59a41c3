using System.CommandLine;
using System.Globalization;
using DataPipe.Train.Compression;
using Spectre.Console;

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
            var ci = CultureInfo.InvariantCulture;
            var table = new Table().Title("[bold]compression of the training stream[/]")
                .AddColumn("coder").AddColumn(new TableColumn("bytes").RightAligned()).AddColumn(new TableColumn("ratio").RightAligned()).AddColumn(new TableColumn("bits/byte").RightAligned());
            table.AddRow("raw UTF-8", r.RawBytes.ToString("N0", ci), "1.00", "8.000");
            table.AddRow("GPT (prequential code + xz'd code/config)", r.TotalBytes.ToString("N0", ci), r.Ratio.ToString("F2", ci), r.BitsPerByte.ToString("F3", ci));
            foreach (var b in r.Baselines) table.AddRow(b.Name, b.Bytes.ToString("N0", ci), b.Ratio.ToString("F2", ci), b.BitsPerByte.ToString("F3", ci));
            AnsiConsole.Write(table);
            Console.WriteLine(string.Create(ci, $"stream: {r.Steps} steps, {r.Tokens:N0} tokens seen once; code length {r.CodeLengthBits / 8:N0} bytes + model code and config {r.ModelCodeBytes:N0} bytes ({r.CodeFiles.Count} files)"));
            Console.WriteLine($"report: {Path.Combine(Path.GetFullPath(parse.GetValue(run)!), CompressionReport.FileName)}");
            return 0;
        });
        return command;
    }
}
