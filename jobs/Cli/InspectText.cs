using System.Globalization;
using DataPipe.Decontaminate;
using DataPipe.Jobs.Inspect;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe inspect</c> prints about a dataset folder, within <see cref="TextWrap.Columns"/> columns: the
/// folder, a measure/value table (stage, state, tasks, rows, Parquet files, tokens), the config hash, the stage's
/// counters one per row, the other files with their sizes, a decontaminate output's contamination table
/// (<see cref="ContaminationText"/>), the schema, and each sample row as a column/value table whose values wrap inside
/// their column.
/// </summary>
public static class InspectText
{
    public static IReadOnlyList<string> Lines(DatasetReport r, ContaminationReport? contamination = null)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var lines = new List<string>();
        lines.AddRange(TextWrap.Wrap(r.Dir));
        var head = new TextTable().Column("measure").Column("value");
        head.Row("stage", r.Success?.Stage ?? r.Plan?.Stage ?? "(no records)");
        head.Row("state", r.Success is not null ? "complete" : r.Plan is not null ? $"incomplete: {r.TasksDone}/{r.Plan.TaskCount} tasks done" : "not a stage output");
        if (r.Success is { } s)
        {
            head.Row("tasks", s.TaskCount.ToString(CultureInfo.InvariantCulture));
            head.Row("rows in → out", $"{N(s.RowsIn)} → {N(s.RowsOut)} (records)");
        }
        head.Row("parquet files", $"{r.Files.Count} ({N(r.Bytes)} bytes)");
        head.Row("rows", $"{N(r.Rows)} (footers)");
        if (r.Tokens is { } t)
        {
            head.Row("tokenizer", $"{t.Tokenizer.Kind} {t.Tokenizer.Name} (vocab {t.Tokenizer.VocabSize})");
            head.Row("train tokens", N(t.Train.Tokens));
            head.Row("validation tokens", N(t.Validation.Tokens));
        }
        lines.AddRange(head.Lines());
        if (r.Success is { } done)
        {
            lines.AddRange(TextWrap.Wrap("config hash: " + done.ConfigHash));
            if (done.Counters.Count > 0)
            {
                lines.Add("");
                var counters = new TextTable().Column("counter").Column("count", right: true);
                foreach (var (k, v) in done.Counters) counters.Row(k, N(v));
                lines.AddRange(counters.Lines());
            }
        }
        if (r.OtherFiles.Count > 0)
        {
            lines.Add("");
            var files = new TextTable().Column("file").Column("bytes", right: true);
            foreach (var (f, b) in r.OtherFiles) files.Row(TextWrap.ShortenPath(f, 60), N(b));
            lines.AddRange(files.Lines());
        }
        if (contamination is not null)
        {
            lines.Add("");
            lines.AddRange(ContaminationText.Lines(contamination, Path.Combine(r.Dir, ContaminationReport.FileName)));
        }
        if (r.Schema.Count > 0)
        {
            lines.Add("");
            lines.Add("schema");
            var schema = new TextTable().Column("column").Column("type");
            foreach (var (name, type) in r.Schema) schema.Row(name, type);
            lines.AddRange(schema.Lines());
        }
        for (int i = 0; i < r.Sample.Count; i++)
        {
            lines.Add("");
            lines.Add($"row {i}");
            var row = new TextTable().Column("column").Column("value");
            foreach (var (c, v) in r.Sample[i]) row.Row(c, v);
            lines.AddRange(row.Lines());
        }
        return lines;
    }
}
