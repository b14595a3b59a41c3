using DataPipe.Core.Errors;

namespace DataPipe.Decontaminate.Benchmarks;

/// <summary>How a benchmark file is laid out.</summary>
public enum BenchmarkFormat
{
    /// <summary>Chosen from the file: JSON lines are read as llm-foundry records (or by <see cref="BenchmarkSource.Field"/> when one is named); text files with a digit on lines 2, 8 and 14 as six-line items; other text files one item per line.</summary>
    Auto,

    /// <summary>JSON lines as llm-foundry's local eval data ships them: query+choices+gold, context+continuation, context_options+continuation+gold, context+chain_of_thought+answer.</summary>
    LlmFoundry,

    /// <summary>Six lines per item: "activity: context", the gold label (0-3), then the four endings (HellaSwag as a text file).</summary>
    SixLine,

    /// <summary>One item per non-empty line.</summary>
    Text,

    /// <summary>JSON lines, the item is the string in <see cref="BenchmarkSource.Field"/>.</summary>
    JsonLines,
}

/// <summary>One evaluation set to keep out of the training data: a file, the name reports use, and its layout.</summary>
public sealed record BenchmarkSource
{
    public required string Path { get; init; }

    /// <summary>Name in counters and reports (lower-case letters, digits, '_'); default: the file name without its extensions.</summary>
    public required string Name { get; init; }

    public BenchmarkFormat Format { get; init; } = BenchmarkFormat.Auto;

    /// <summary>The JSON field holding the item, for <see cref="BenchmarkFormat.JsonLines"/>.</summary>
    public string? Field { get; init; }

    /// <summary>The default name of a file: "arc_easy.jsonl.gz" → "arc_easy".</summary>
    public static string NameOf(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        foreach (string ext in new[] { ".gz", ".jsonl", ".json", ".txt" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) name = name[..^ext.Length];
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        return new string(chars);
    }

    /// <summary>
    /// The sources named by <paramref name="paths"/>: a file is one source; a folder is every *.jsonl, *.json and *.txt
    /// file in it (gzipped or not), in name order. Two sources with one name are refused.
    /// </summary>
    public static IReadOnlyList<BenchmarkSource> Expand(IEnumerable<string> paths)
    {
        var list = new List<BenchmarkSource>();
        foreach (string p in paths)
        {
            if (Directory.Exists(p))
            {
                var files = Directory.EnumerateFiles(p)
                    .Where(f => new[] { ".jsonl", ".jsonl.gz", ".json", ".json.gz", ".txt", ".txt.gz" }.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                    .Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new DataPipeException($"{p}: benchmark folder holds no .jsonl, .json or .txt files");
                list.AddRange(files.Select(f => new BenchmarkSource { Path = f, Name = NameOf(f) }));
            }
            else if (File.Exists(p))
            {
                list.Add(new BenchmarkSource { Path = p, Name = NameOf(p) });
            }
            else
            {
                throw new DataPipeException($"{p}: benchmark file or folder not found");
            }
        }
        return CheckNames(list);
    }

    public static IReadOnlyList<BenchmarkSource> CheckNames(IReadOnlyList<BenchmarkSource> sources)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in sources)
        {
            if (s.Name.Length == 0 || s.Name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
                throw new DataPipeException($"{s.Path}: benchmark name '{s.Name}' must be lower-case letters, digits and '_'");
            if (!seen.TryAdd(s.Name, s.Path)) throw new DataPipeException($"{s.Path}: benchmark name '{s.Name}' is also used by {seen[s.Name]}");
            if (s.Format == BenchmarkFormat.JsonLines && string.IsNullOrEmpty(s.Field))
                throw new DataPipeException($"{s.Path}: format jsonl needs the field that holds the item");
        }
        return sources;
    }
}
