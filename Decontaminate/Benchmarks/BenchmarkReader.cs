using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataPipe.Core.Errors;

namespace DataPipe.Decontaminate.Benchmarks;

/// <summary>
/// One evaluation item as text passages in reading order. Each passage is compared on its own, so an n-gram never spans
/// two texts that a page would not show side by side. <see cref="Record"/> is the item's 0-based record number in its
/// file (a JSON line, a text line, a six-line block), <see cref="Line"/> the 1-based line it starts on.
/// </summary>
public sealed record BenchmarkItem(int Record, int Line, IReadOnlyList<string> Passages);

/// <summary>
/// Reads the items of a benchmark file (plain or gzipped) into passages:
/// <list type="bullet">
/// <item>query + choices + gold (ARC, BoolQ, COPA, OpenBookQA, PIQA, CommonsenseQA, SIQA): the query without
/// llm-foundry's prompt labels ("Question:", "Passage:", "Context:", "Choices:", "Answer:") followed by the gold
/// choice (how the eval reads it), and the query followed by every choice in order (how a quiz page shows it). When the
/// choices are bare letters, the choice texts are the query's "A. text" lines.</item>
/// <item>context + continuation (LAMBADA, Jeopardy): context then continuation, and the context alone; a leading
/// upper-case heading ("WORLD HISTORY:") is not part of the text.</item>
/// <item>context_options + continuation + gold (WinoGrande, WSC): the sentence with the gold option, and with the blank
/// left empty as the original sentence has it.</item>
/// <item>context + chain_of_thought (GSM8K): the problem, and the problem followed by its worked solution without the
/// calculator annotations (&lt;&lt;16-3-4=9&gt;&gt;).</item>
/// <item>six-line blocks (HellaSwag): the context (after its "activity:" label) followed by the gold ending, and by
/// all four endings.</item>
/// <item>text: each non-empty line; jsonl: the named string field.</item>
/// </list>
/// A record that fits none of these is an error naming the file and line: a benchmark silently skipped would leave its
/// leaks in the corpus.
/// </summary>
public static partial class BenchmarkReader
{
    public static IEnumerable<BenchmarkItem> Read(BenchmarkSource source)
    {
        var format = source.Format == BenchmarkFormat.Auto ? Detect(source) : source.Format;
        return format switch
        {
            BenchmarkFormat.LlmFoundry => ReadJsonLines(source, (root, line) => LlmFoundry(source, root, line)),
            BenchmarkFormat.JsonLines => ReadJsonLines(source, (root, line) => [FieldString(source, root, source.Field!, line)]),
            BenchmarkFormat.SixLine => ReadSixLine(source),
            _ => ReadText(source),
        };
    }

    /// <summary>The layout <see cref="BenchmarkFormat.Auto"/> resolves to for this file.</summary>
    public static BenchmarkFormat Detect(BenchmarkSource source)
    {
        string name = source.Path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? source.Path[..^3] : source.Path;
        if (name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return source.Field is null ? BenchmarkFormat.LlmFoundry : BenchmarkFormat.JsonLines;
        // Six-line items: a label digit on lines 2, 8 and 14.
        var head = Lines(source).Take(14).ToList();
        bool sixLine = head.Count >= 14 && new[] { 1, 7, 13 }.All(i => head[i].Text.Trim() is { Length: 1 } d && char.IsAsciiDigit(d[0]));
        return sixLine ? BenchmarkFormat.SixLine : BenchmarkFormat.Text;
    }

    private static IEnumerable<(int Line, string Text)> Lines(BenchmarkSource source)
    {
        Stream stream;
        try
        {
            stream = File.OpenRead(source.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataPipeException($"{source.Path}: cannot read benchmark file ({e.Message})", e);
        }
        using (stream)
        {
            int b0 = stream.ReadByte(), b1 = stream.ReadByte();
            stream.Position = 0;
            Stream body = b0 == 0x1f && b1 == 0x8b ? new GZipStream(stream, CompressionMode.Decompress) : stream;
            using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            int line = 0;
            while (true)
            {
                string? text;
                try
                {
                    text = reader.ReadLine();
                }
                catch (Exception e) when (e is InvalidDataException or DecoderFallbackException or IOException)
                {
                    throw new DataPipeException($"{source.Path}:{line + 1}: not readable as UTF-8 text{(body is GZipStream ? " in gzip" : "")} ({e.Message})", e);
                }
                if (text is null) yield break;
                line++;
                yield return (line, text);
            }
        }
    }

    private static IEnumerable<BenchmarkItem> ReadText(BenchmarkSource source)
    {
        int record = 0;
        foreach (var (line, text) in Lines(source))
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            yield return new BenchmarkItem(record++, line, [text.Trim()]);
        }
    }

    private static IEnumerable<BenchmarkItem> ReadSixLine(BenchmarkSource source)
    {
        var block = new List<string>(6);
        int first = 0, record = 0;
        foreach (var (line, text) in Lines(source))
        {
            if (block.Count == 0)
            {
                if (text.Length == 0) continue;
                first = line;
            }
            block.Add(text);
            if (block.Count < 6) continue;
            string label = block[1].Trim();
            if (label.Length != 1 || label[0] is < '0' or > '3')
                throw new DataPipeException($"{source.Path}:{first + 1}: six-line item starting on line {first}: line 2 must be the gold label 0-3, is '{Short(label)}'");
            string context = block[0];
            int colon = context.IndexOf(": ", StringComparison.Ordinal);
            if (colon >= 0) context = context[(colon + 2)..];
            var endings = block.Skip(2).ToArray();
            string gold = endings[label[0] - '0'];
            yield return new BenchmarkItem(record++, first, [$"{context} {gold}", $"{context} {string.Join(" ", endings)}"]);
            block.Clear();
        }
        if (block.Count > 0)
            throw new DataPipeException($"{source.Path}:{first}: six-line item starting on line {first} has only {block.Count} lines (the file ends inside an item)");
    }

    private static IEnumerable<BenchmarkItem> ReadJsonLines(BenchmarkSource source, Func<JsonElement, int, string[]> passages)
    {
        int record = 0;
        foreach (var (line, text) in Lines(source))
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new DataPipeException($"{source.Path}:{line}: not a JSON record ({e.Message})", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new DataPipeException($"{source.Path}:{line}: expected a JSON object, found {doc.RootElement.ValueKind}");
                yield return new BenchmarkItem(record++, line, passages(doc.RootElement, line));
            }
        }
    }

    /// <summary>The passages of one llm-foundry record, by the fields it has.</summary>
    private static string[] LlmFoundry(BenchmarkSource source, JsonElement root, int line)
    {
        if (root.TryGetProperty("query", out _) && root.TryGetProperty("choices", out _))
        {
            string query = FieldString(source, root, "query", line);
            var choices = StringArray(source, root, "choices", line);
            int gold = Gold(source, root, line, choices.Length);
            var body = new List<string>();
            var lettered = new List<string>();
            bool letters = choices.All(c => c.Trim().Length == 1);
            foreach (string raw in query.Split('\n'))
            {
                string l = raw.Trim();
                if (letters && ChoiceLine().Match(l) is { Success: true } m)
                {
                    lettered.Add(m.Groups[1].Value);
                    continue;
                }
                if (PromptLabel().Match(l) is { Success: true } p) l = p.Groups[1].Value;
                if (l.Length > 0) body.Add(l);
            }
            var texts = letters && lettered.Count == choices.Length ? lettered.ToArray() : choices;
            string question = string.Join(" ", body);
            return texts.Length > 1
                ? [$"{question} {texts[gold]}", $"{question} {string.Join(" ", texts)}"]
                : [$"{question} {texts[gold]}"];
        }
        if (root.TryGetProperty("context_options", out _) && root.TryGetProperty("continuation", out _))
        {
            var options = StringArray(source, root, "context_options", line);
            string continuation = FieldString(source, root, "continuation", line);
            int gold = Gold(source, root, line, options.Length);
            // The options differ only in the word filling the blank; their common start, cut at a word boundary, is the
            // sentence before the blank.
            string prefix = options[0];
            foreach (string o in options.Skip(1))
            {
                int k = 0;
                while (k < prefix.Length && k < o.Length && prefix[k] == o[k]) k++;
                prefix = prefix[..k];
            }
            int space = prefix.LastIndexOf(' ');
            prefix = options.Length > 1 ? (space < 0 ? "" : prefix[..space]) : prefix;
            return [$"{options[gold]} {continuation}", $"{prefix} {continuation}"];
        }
        if (root.TryGetProperty("context", out _) && root.TryGetProperty("continuation", out _))
        {
            string context = FieldString(source, root, "context", line);
            if (Heading().Match(context) is { Success: true } h) context = context[h.Length..];
            string continuation = FieldString(source, root, "continuation", line);
            return [$"{context} {continuation}", context];
        }
        if (root.TryGetProperty("context", out _) && root.TryGetProperty("chain_of_thought", out _))
        {
            string context = FieldString(source, root, "context", line);
            string solution = Annotation().Replace(FieldString(source, root, "chain_of_thought", line), "");
            return [context, $"{context} {solution}"];
        }
        string fields = string.Join(", ", root.EnumerateObject().Select(p => p.Name));
        throw new DataPipeException($"{source.Path}:{line}: record fits no llm-foundry layout (query+choices+gold, context+continuation, context_options+continuation+gold, context+chain_of_thought); its fields: {(fields.Length == 0 ? "none" : fields)}");
    }

    private static string[] StringArray(BenchmarkSource source, JsonElement root, string field, int line)
    {
        var v = root.GetProperty(field);
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0 || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw new DataPipeException($"{source.Path}:{line}: field '{field}' must be a non-empty list of strings");
        return [.. v.EnumerateArray().Select(e => e.GetString()!)];
    }

    private static int Gold(BenchmarkSource source, JsonElement root, int line, int choices)
    {
        if (!root.TryGetProperty("gold", out var g) || g.ValueKind != JsonValueKind.Number || !g.TryGetInt32(out int gold))
            throw new DataPipeException($"{source.Path}:{line}: field 'gold' must be the index of the right choice");
        if (gold < 0 || gold >= choices)
            throw new DataPipeException($"{source.Path}:{line}: field 'gold' is {gold}, outside the {choices} choices");
        return gold;
    }

    [GeneratedRegex(@"^[A-Z]\.\s+(.+)$")]
    private static partial Regex ChoiceLine();

    [GeneratedRegex(@"^(?:Question|Passage|Context|Choices|Answer)\s*:\s*(.*)$")]
    private static partial Regex PromptLabel();

    /// <summary>An all-capitals heading of up to eight words before a colon ("WORLD HISTORY: ").</summary>
    [GeneratedRegex(@"^[A-Z0-9&'.,\- ]{2,80}:\s+(?=\S)")]
    private static partial Regex Heading();

    [GeneratedRegex(@"<<[^>]*>>")]
    private static partial Regex Annotation();

    private static string FieldString(BenchmarkSource source, JsonElement root, string field, int line)
    {
        if (!root.TryGetProperty(field, out var v)) throw new DataPipeException($"{source.Path}:{line}: field '{field}' is missing");
        if (v.ValueKind != JsonValueKind.String) throw new DataPipeException($"{source.Path}:{line}: field '{field}' is {v.ValueKind}, expected a string");
        return v.GetString()!;
    }

    private static string Short(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
