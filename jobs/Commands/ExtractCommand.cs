using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe extract --html FILE|DIR [--extractor NAME] [--format text|jsonl] [--explain]</c>: runs a main-text
/// extractor of the ingest stage on raw HTML files, so extraction can be checked alone. Text goes to stdout (one block
/// per file, or one JSON line <c>{"file":..,"text":..}</c> per file); a one-line summary goes to stderr. With
/// <c>--explain</c>, the block scorer prints every text block of each file instead: its score, kept or dropped and
/// why (the threshold, and the features that moved the score most), its element path and the start of its text.
/// </summary>
public static class ExtractCommand
{
    public static Command Create()
    {
        var html = new Option<string[]>("--html")
        {
            Description = "HTML file(s) or folder(s) (folders: every *.html / *.htm below, in name order)",
            AllowMultipleArgumentsPerToken = true,
        };
        var paths = new Argument<string[]>("paths") { Description = "More HTML files or folders", Arity = ArgumentArity.ZeroOrMore };
        var extractor = new Option<string>("--extractor")
        {
            Description = $"Extractor name ({string.Join(", ", ExtractorCatalog.Names)})",
            DefaultValueFactory = _ => ExtractorCatalog.Default,
        };
        var format = new Option<string>("--format")
        {
            Description = "text: the extracted text of each file; jsonl: one {\"file\",\"text\"} JSON line per file",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "jsonl");
        var explain = new Option<bool>("--explain")
        {
            Description = $"Print each text block with its score and why it was kept or dropped ({BlockScoreExtractor.ExtractorName} extractor)",
        };

        var command = new Command("extract", "Extract the main text of HTML files with an ingest extractor (to check extraction alone)")
        {
            html, paths, extractor, format, explain,
        };
        command.SetAction(parse =>
        {
            var inputs = (parse.GetValue(html) ?? []).Concat(parse.GetValue(paths) ?? []).ToList();
            if (parse.GetValue(explain)) return Explain(inputs, parse.GetValue(extractor) ?? ExtractorCatalog.Default, Console.Out);
            return Run(inputs, parse.GetValue(extractor) ?? ExtractorCatalog.Default, parse.GetValue(format) ?? "text", Console.Out, Console.Error);
        });
        return command;
    }

    public static int Run(IReadOnlyList<string> inputs, string extractorName, string format, TextWriter stdout, TextWriter stderr)
    {
        if (inputs.Count == 0) throw new DataPipeException("extract: give HTML files or folders with --html");
        var extractor = ExtractorCatalog.Create(extractorName);
        var files = ResolveFiles(inputs);
        bool jsonl = format == "jsonl";
        long chars = 0, bytes = 0;
        int empty = 0;
        var clock = Stopwatch.StartNew();
        for (int f = 0; f < files.Count; f++)
        {
            string file = files[f];
            byte[] raw = File.ReadAllBytes(file);
            bytes += raw.Length;
            string text = extractor.Extract(Decode(raw));
            chars += text.Length;
            if (text.Length == 0) empty++;
            if (jsonl)
                stdout.WriteLine(JsonSerializer.Serialize(new ExtractedFile(file, text), DataPipeJson.Compact));
            else
            {
                if (files.Count > 1) stdout.WriteLine($"==> {file} <==");
                if (text.Length > 0) stdout.WriteLine(text);
                if (files.Count > 1 && f < files.Count - 1) stdout.WriteLine();
            }
        }
        double secs = clock.Elapsed.TotalSeconds;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"extract [{extractor.Name}]: {files.Count} file(s), {bytes / 1e6:F2} MB in, {chars:N0} chars out, {empty} with no main text, {secs:F2} s ({files.Count / Math.Max(secs, 1e-9):F0} files/s)"));
        return 0;
    }

    private sealed record ExtractedFile(string File, string Text);

    /// <summary>Every text block of each file with its score, kept or dropped, and why (<see cref="BlockScoreExtractor.Explain"/>).</summary>
    public static int Explain(IReadOnlyList<string> inputs, string extractorName, TextWriter stdout)
    {
        if (inputs.Count == 0) throw new DataPipeException("extract --explain: give HTML files or folders with --html");
        if (ExtractorCatalog.Create(extractorName) is not BlockScoreExtractor scorer)
            throw new DataPipeException($"extract --explain: the '{extractorName}' extractor does not explain its blocks; use --extractor {BlockScoreExtractor.ExtractorName}");
        foreach (string file in ResolveFiles(inputs))
        {
            var (blocks, outcome) = scorer.Explain(Decode(File.ReadAllBytes(file)));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"==> {file} <== {blocks.Count} blocks, {blocks.Count(b => b.Kept)} kept, outcome {outcome}, threshold {scorer.Model.Threshold:F2}"));
            foreach (var b in blocks)
            {
                string text = b.Text.ReplaceLineEndings(" ");
                if (text.Length > 100) text = text[..100] + "...";
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(b.Kept ? "KEEP" : "drop")} #{b.Index,-4} score {b.Score:F2}  {b.Chars,6} chars  links {b.LinkDensity:F2}  density {b.DensityShare:F2}  {b.Path}"));
                stdout.WriteLine($"      {b.Why}");
                stdout.WriteLine($"      \"{text}\"");
            }
        }
        return 0;
    }

    /// <summary>Files named directly, then the *.html / *.htm files under each folder, in ordinal name order.</summary>
    internal static List<string> ResolveFiles(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (File.Exists(input)) files.Add(input);
            else if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(p => p.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
                    .OrderBy(p => p, StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new DataPipeException($"extract: no .html or .htm files under {input}");
                files.AddRange(found);
            }
            else throw new DataPipeException($"extract: HTML input not found: {input}");
        }
        return files;
    }

    /// <summary>Byte-order mark if any, else UTF-8 (invalid bytes become U+FFFD; charset sniffing is the ingest stage's).</summary>
    private static string Decode(byte[] raw)
    {
        using var reader = new StreamReader(new MemoryStream(raw), new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
