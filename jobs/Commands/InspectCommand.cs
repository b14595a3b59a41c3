using System.CommandLine;
using System.Globalization;
using DataPipe.Jobs.Inspect;
using DataPipe.Jobs.Cli;

namespace DataPipe.Jobs.Commands;

/// <summary><c>datapipe inspect DIR</c>: schema, row and token counts, counters and a few rows of any dataset this project writes.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dataset") { Description = "Dataset folder (any stage's output)" };
        var rows = new Option<int>("--rows") { Description = "Sample rows to show", DefaultValueFactory = _ => 3 };
        var command = new Command("inspect", "Show a dataset's schema, rows, token totals, counters and sample rows") { dir, rows };
        command.SetAction(async (parse, ct) =>
        {
            var r = await DatasetInspector.InspectAsync(parse.GetValue(dir)!, Math.Max(0, parse.GetValue(rows)), ct).ConfigureAwait(false);
            foreach (var line in InspectText.Lines(r, DataPipe.Decontaminate.ContaminationReport.ReadFrom(r.Dir))) Console.WriteLine(line);
            return 0;
        });
        return command;
    }
}
