using System.Text;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;

namespace DataPipe.Train.Metrics;

/// <summary>
/// <c>metrics.jsonl</c>: one JSON object per line, step rows and eval rows in the order they happened. Each line is
/// flushed as it is written, so a killed run loses at most the line being written; a resumed run first cuts the file
/// back to the rows of its checkpoint's steps.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    public const string FileName = "metrics.jsonl";
    private readonly StreamWriter _writer;

    public MetricsLog(string runDir)
    {
        Path = System.IO.Path.Combine(runDir, FileName);
        _writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Write(StepMetric row) => _writer.WriteLine(JsonSerializer.Serialize(row, DataPipeJson.Compact));

    public void Write(EvalMetric row) => _writer.WriteLine(JsonSerializer.Serialize(row, DataPipeJson.Compact));

    public void Dispose() => _writer.Dispose();

    /// <summary>Every complete row of a run's log. A line that does not parse fails naming the file and line, except a cut-off last line.</summary>
    public static (List<StepMetric> Steps, List<EvalMetric> Evals) Read(string runDir)
    {
        string path = System.IO.Path.Combine(runDir, FileName);
        var steps = new List<StepMetric>();
        var evals = new List<EvalMetric>();
        if (!File.Exists(path)) return (steps, evals);
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                string? kind = doc.RootElement.TryGetProperty("kind", out var k) ? k.GetString() : null;
                if (kind == "step") steps.Add(doc.RootElement.Deserialize<StepMetric>(DataPipeJson.Options)!);
                else if (kind == "eval") evals.Add(doc.RootElement.Deserialize<EvalMetric>(DataPipeJson.Options)!);
                else throw new DataPipeException($"{path}: line {i + 1}: unknown row kind '{kind}'");
            }
            catch (JsonException) when (i == lines.Length - 1)
            {
                // The last line of a killed run may be cut off; it belongs to a step after the last checkpoint.
            }
            catch (JsonException e)
            {
                throw new DataPipeException($"{path}: line {i + 1}: not a metrics row ({e.Message})", e);
            }
        }
        return (steps, evals);
    }

    /// <summary>Rewrites the log (atomically) keeping only the rows of steps up to <paramref name="step"/>.</summary>
    public static void TruncateAfter(string runDir, int step)
    {
        var (steps, evals) = Read(runDir);
        var sb = new StringBuilder();
        // Keep the original interleaving: an eval row follows the step row it was made at.
        foreach (var s in steps.Where(s => s.Step <= step))
        {
            sb.Append(JsonSerializer.Serialize(s, DataPipeJson.Compact)).Append('\n');
            foreach (var e in evals.Where(e => e.Step == s.Step))
                sb.Append(JsonSerializer.Serialize(e, DataPipeJson.Compact)).Append('\n');
        }
        AtomicFile.WriteAllText(System.IO.Path.Combine(runDir, FileName), sb.ToString());
    }
}
