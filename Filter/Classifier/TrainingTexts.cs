using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Storage;
using HtmlAgilityPack;
using Parquet;

namespace DataPipe.Filter.Classifier;

/// <summary>How training inputs are cut into examples.</summary>
public sealed record TrainingTextOptions
{
    /// <summary>Plain-text files (a book, a Wikipedia dump) are cut at paragraph breaks into pieces of about this many characters.</summary>
    public int ChunkChars { get; init; } = 3000;

    /// <summary>Examples shorter than this are not used.</summary>
    public int MinChars { get; init; } = 200;

    /// <summary>The field holding the text in JSON Lines inputs.</summary>
    public string JsonTextField { get; init; } = "text";

    /// <summary>Read at most this many examples from one side (0: all).</summary>
    public int MaxExamples { get; init; }
}

/// <summary>
/// Reads the classifier's positives or negatives from any mix of inputs, so the trainer assumes no particular corpus:
/// plain text (<c>.txt</c>, <c>.md</c>, optionally gzipped; cut into paragraph-aligned pieces), JSON Lines
/// (<c>.jsonl</c>, <c>.json</c>, optionally gzipped; one object per line with a text field), Parquet (a documents
/// dataset, or any file with a string column <c>text</c>), HTML (<c>.html</c>, <c>.htm</c>; its visible text), folders
/// of these (a completed dataset folder is read through its parts), and globs.
/// </summary>
public static class TrainingTexts
{
    private static readonly string[] TextExtensions = [".txt", ".md", ".text"];
    private static readonly string[] JsonExtensions = [".jsonl", ".json", ".ndjson"];
    private static readonly string[] HtmlExtensions = [".html", ".htm"];

    public static async Task<List<LabeledText>> ReadAsync(IEnumerable<string> specs, bool positive, TrainingTextOptions options, CancellationToken ct = default)
    {
        var result = new List<LabeledText>();
        var files = new List<string>();
        foreach (var spec in specs)
            files.AddRange(await ExpandAsync(spec, ct).ConfigureAwait(false));
        string side = positive ? "positives" : "negatives";
        if (files.Count == 0) throw new DataPipeException($"{side}: no input given");
        foreach (var file in files)
        {
            await foreach (var (id, text) in ReadFileAsync(file, options, ct).ConfigureAwait(false))
            {
                if (text.Length < options.MinChars) continue;
                result.Add(new LabeledText(id, text, positive));
                if (options.MaxExamples > 0 && result.Count >= options.MaxExamples) return result;
            }
        }
        if (result.Count == 0)
            throw new DataPipeException($"{side}: no text of at least {options.MinChars} characters in {string.Join(", ", specs)}");
        return result;
    }

    /// <summary>
    /// The negative examples in one order whatever order the files list them in or how many parts a dataset has: every
    /// text read, sorted by id, then the first <see cref="TrainingTextOptions.MaxExamples"/> kept. The CLI and the
    /// pipeline's classifier step both read negatives here, so they train on the same examples. Also returns how many
    /// texts were read before the cut.
    /// </summary>
    public static async Task<(List<LabeledText> Negatives, int Read)> ReadNegativesAsync(IEnumerable<string> specs, TrainingTextOptions options, CancellationToken ct = default)
    {
        var all = await ReadAsync(specs, positive: false, options with { MaxExamples = 0 }, ct).ConfigureAwait(false);
        IEnumerable<LabeledText> ordered = all.OrderBy(e => e.Id, StringComparer.Ordinal);
        if (options.MaxExamples > 0) ordered = ordered.Take(options.MaxExamples);
        return (ordered.ToList(), all.Count);
    }

    /// <summary>The files one input spec names (a file, a folder, a completed dataset's parts, or a glob), in a stable order.</summary>
    public static async Task<IReadOnlyList<string>> ExpandAsync(string spec, CancellationToken ct = default)
    {
        if (Glob.HasWildcards(spec))
            return [.. (await StorageResolver.Default.ExpandAsync([spec], ct).ConfigureAwait(false)).Select(LocalStorage.ToPath)];
        if (Directory.Exists(spec))
        {
            if (File.Exists(Path.Combine(spec, DatasetFolder.SuccessFile)) || File.Exists(Path.Combine(spec, DatasetFolder.StageFile)))
                return DatasetFolder.RequireCompleteParts(spec);
            var files = Directory.EnumerateFiles(spec, "*", SearchOption.AllDirectories)
                .Where(f => Kind(f) is not null && !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw new DataPipeException($"{spec}: folder holds no text, JSON Lines, Parquet or HTML files");
            return files;
        }
        if (!File.Exists(spec)) throw new DataPipeException($"{spec}: input not found");
        return [spec];
    }

    private static string? Kind(string path)
    {
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        string ext = Path.GetExtension(name).ToLowerInvariant();
        if (TextExtensions.Contains(ext)) return "text";
        if (JsonExtensions.Contains(ext)) return "json";
        if (ext == ".parquet" && !path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return "parquet";
        if (HtmlExtensions.Contains(ext)) return "html";
        return null;
    }

    private static IAsyncEnumerable<(string Id, string Text)> ReadFileAsync(string file, TrainingTextOptions o, CancellationToken ct) => Kind(file) switch
    {
        "text" => ReadTextAsync(file, o, ct),
        "json" => ReadJsonLinesAsync(file, o, ct),
        "parquet" => ReadParquetAsync(file, ct),
        "html" => ReadHtmlAsync(file, ct),
        _ => throw new DataPipeException($"{file}: unsupported input type (use .txt, .md, .jsonl, .json, .parquet or .html, optionally .gz)"),
    };

    private static StreamReader OpenText(string file)
    {
        Stream s = File.OpenRead(file);
        if (file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) s = new GZipStream(s, CompressionMode.Decompress);
        return new StreamReader(s, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>Paragraphs (separated by blank lines) gathered into pieces of at least <see cref="TrainingTextOptions.ChunkChars"/>.</summary>
    private static async IAsyncEnumerable<(string, string)> ReadTextAsync(string file, TrainingTextOptions o, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = OpenText(file);
        var piece = new StringBuilder();
        var paragraph = new StringBuilder();
        int index = 0;
        string? line;
        while (true)
        {
            line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            bool blank = line is null || string.IsNullOrWhiteSpace(line);
            if (!blank)
            {
                if (paragraph.Length > 0) paragraph.Append('\n');
                paragraph.Append(line!.Trim());
                continue;
            }
            if (paragraph.Length > 0)
            {
                if (piece.Length > 0) piece.Append("\n\n");
                piece.Append(paragraph);
                paragraph.Clear();
            }
            if (piece.Length >= o.ChunkChars || (line is null && piece.Length > 0))
            {
                yield return ($"{file}#{index++}", piece.ToString());
                piece.Clear();
            }
            if (line is null) yield break;
        }
    }

    private static async IAsyncEnumerable<(string, string)> ReadJsonLinesAsync(string file, TrainingTextOptions o, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = OpenText(file);
        int lineNo = 0;
        string? line;
        while ((line = await reader.ReadLineAsync(ct).ConfigureAwait(false)) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string? text;
            string id;
            try
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty(o.JsonTextField, out var t) || t.ValueKind != JsonValueKind.String)
                    throw new DataPipeException($"{file}:{lineNo}: no string field '{o.JsonTextField}'");
                text = t.GetString();
                id = json.RootElement.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : $"{file}:{lineNo}";
            }
            catch (JsonException e)
            {
                throw new DataPipeException($"{file}:{lineNo}: not a JSON object ({e.Message})");
            }
            if (!string.IsNullOrEmpty(text)) yield return (id, text);
        }
    }

    private static async IAsyncEnumerable<(string, string)> ReadParquetAsync(string file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(file, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException or InvalidDataException)
        {
            throw new DatasetSchemaException($"{file}: not a readable Parquet file ({e.Message})");
        }
        await using (reader.ConfigureAwait(false))
        {
            var fields = reader.Schema.GetDataFields();
            var textField = fields.FirstOrDefault(f => f.Name == "text" && Core.Documents.DocumentSchema.IsString(f) && f.MaxRepetitionLevel == 0)
                ?? throw new DatasetSchemaException($"{file}: no string column 'text' (columns: {string.Join(", ", fields.Select(f => f.Name))})");
            var idField = fields.FirstOrDefault(f => f.Name == "id" && Core.Documents.DocumentSchema.IsString(f) && f.MaxRepetitionLevel == 0);
            long row = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = checked((int)rg.RowCount);
                var texts = new string?[n];
                await rg.ReadAsync(textField, texts.AsMemory()!, null, ct).ConfigureAwait(false);
                string?[]? ids = null;
                if (idField is not null)
                {
                    ids = new string?[n];
                    await rg.ReadAsync(idField, ids.AsMemory()!, null, ct).ConfigureAwait(false);
                }
                for (int i = 0; i < n; i++, row++)
                {
                    string? text = texts[i];
                    if (string.IsNullOrEmpty(text)) continue;
                    yield return (ids?[i] ?? $"{file}:{row}", text);
                }
            }
        }
    }

    /// <summary>The visible text of an HTML file: scripts and styles removed, block elements on their own paragraphs.</summary>
    private static async IAsyncEnumerable<(string, string)> ReadHtmlAsync(string file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string html = await File.ReadAllTextAsync(file, ct).ConfigureAwait(false);
        yield return (file, HtmlText(html));
    }

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
        "table", "tr", "blockquote", "pre", "br", "hr", "figure", "figcaption", "dd", "dt", "main", "aside", "nav",
    };

    public static string HtmlText(string html)
    {
        var doc = new HtmlDocument();
        doc.LoadHtml(html);
        var sb = new StringBuilder(html.Length / 2);
        Walk(doc.DocumentNode, sb);
        var paragraphs = sb.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => string.Join(' ', p.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .Where(p => p.Length > 0);
        return string.Join("\n\n", paragraphs);

        static void Walk(HtmlNode node, StringBuilder sb)
        {
            if (node.NodeType == HtmlNodeType.Comment) return;
            if (node.NodeType == HtmlNodeType.Text)
            {
                sb.Append(HtmlEntity.DeEntitize(node.InnerText));
                return;
            }
            if (node.Name is "script" or "style" or "noscript" or "template") return;
            bool block = BlockElements.Contains(node.Name);
            if (block) sb.Append("\n\n");
            foreach (var child in node.ChildNodes) Walk(child, sb);
            if (block) sb.Append("\n\n");
        }
    }
}
