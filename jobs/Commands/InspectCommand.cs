using System.CommandLine;
using System.Globalization;
using DataPipe.Jobs.Inspect;
using Spectre.Console;

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
            string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
            var head = new Table().Title($"[bold]{Markup.Escape(r.Dir)}[/]").AddColumn("measure").AddColumn("value");
            head.AddRow("stage", Markup.Escape(r.Success?.Stage ?? r.Plan?.Stage ?? "(no records)"));
            head.AddRow("state", r.Success is not null ? "complete" : r.Plan is not null ? $"incomplete: {r.TasksDone}/{r.Plan.TaskCount} tasks done" : "not a stage output");
            if (r.Success is { } s)
            {
                head.AddRow("config hash", s.ConfigHash);
                head.AddRow("tasks", s.TaskCount.ToString(CultureInfo.InvariantCulture));
                head.AddRow("rows in → out (records)", $"{N(s.RowsIn)} → {N(s.RowsOut)}");
                foreach (var (k, v) in s.Counters) head.AddRow(Markup.Escape(k), N(v));
            }
            head.AddRow("parquet files", $"{r.Files.Count} ({N(r.Bytes)} bytes)");
            head.AddRow("rows (footers)", N(r.Rows));
            if (r.Tokens is { } t)
            {
                head.AddRow("tokenizer", Markup.Escape($"{t.Tokenizer.Kind} {t.Tokenizer.Name} (vocab {t.Tokenizer.VocabSize})"));
                head.AddRow("train tokens", N(t.Train.Tokens));
                head.AddRow("validation tokens", N(t.Validation.Tokens));
            }
            foreach (var (f, b) in r.OtherFiles) head.AddRow(Markup.Escape(f), $"{N(b)} bytes");
            AnsiConsole.Write(head);
            if (DataPipe.Decontaminate.ContaminationReport.ReadFrom(r.Dir) is { } contamination)
                DecontaminateCommand.Print(contamination, Path.Combine(r.Dir, DataPipe.Decontaminate.ContaminationReport.FileName));
            if (r.Schema.Count > 0)
            {
                var schema = new Table().Title("schema").AddColumn("column").AddColumn("type");
                foreach (var (name, type) in r.Schema) schema.AddRow(Markup.Escape(name), Markup.Escape(type));
                AnsiConsole.Write(schema);
            }
            for (int i = 0; i < r.Sample.Count; i++)
            {
                var row = new Table().Title($"row {i}").AddColumn("column").AddColumn("value");
                foreach (var (c, v) in r.Sample[i]) row.AddRow(Markup.Escape(c), Markup.Escape(v));
                AnsiConsole.Write(row);
            }
            return 0;
        });
        return command;
    }
}
