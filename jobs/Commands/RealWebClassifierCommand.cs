using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Filter;
using DataPipe.Filter.Classifier;
using DataPipe.Ingest;
using DataPipe.Ingest.RealWeb;
using DataPipe.Ingest.Warc;
using DataPipe.Jobs.Cli;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe realweb-classifier --corpus DIR --model DIR [--alpha 9] [--seed 0]</c>: does the quality score mean
/// quality on sites the classifier never saw? On every held-out evaluation page of a realweb corpus that has a full
/// reference text, it scores the reference (the article a careful human cut out) and the page's boilerplate (its
/// visible lines that are not in the reference), and reports the AUC of reference over boilerplate and how many
/// references GPT-3's Pareto rule keeps (the draw the filter makes, and the expected rate), for all pages and for
/// the English ones (the filter's language rule keeps only English). Writes <c>classifier-eval.json</c> in the model folder.
/// </summary>
public static class RealWebClassifierCommand
{
    /// <summary>Boilerplate shorter than this is not scored (too little text to say anything).</summary>
    public const int MinBoilerplateChars = 200;

    /// <summary>
    /// One evaluation page. <c>Kept</c>: the raw reference passes the Pareto draw; <c>PipelineKept</c>: the reference
    /// as a document passes the filter's default rules (those of realweb.yaml: English, Gopher, C4 lines, which also
    /// clean lines) and then the Pareto draw on its cleaned text (<c>RulesReason</c> says why the rules dropped it).
    /// </summary>
    public sealed record Row(string Key, string Lang, float ReferenceScore, float? BoilerplateScore, bool Kept, double KeepProbability,
        string? RulesReason, float? CleanedScore, bool PipelineKept);

    public sealed record Summary(string Subset, int References, int Boilerplates, double Auc, double KeptFraction, double ExpectedKeptFraction, double MedianReferenceScore, double MedianBoilerplateScore,
        double DroppedByRulesFraction, double PipelineKeptFraction);

    public static Command Create()
    {
        var corpus = new Option<string>("--corpus") { Description = "A realweb-corpus output folder", Required = true };
        var model = new Option<string>("--model") { Description = "A classifier model folder (e.g. out/realweb/filter/classifier/model)", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "Pareto alpha of the keep rule", DefaultValueFactory = _ => 9 };
        var seed = new Option<ulong>("--seed") { Description = "Pareto seed of the keep rule", DefaultValueFactory = _ => 0 };
        var command = new Command("realweb-classifier", "Score held-out reference texts against their pages' boilerplate on sites the classifier never saw")
        {
            corpus, model, alpha, seed,
        };
        command.SetAction(parse =>
        {
            var (rows, summaries) = Evaluate(parse.GetValue(corpus)!, parse.GetValue(model)!, parse.GetValue(alpha), parse.GetValue(seed));
            string file = Path.Combine(parse.GetValue(model)!, "classifier-eval.json");
            File.WriteAllText(file, JsonSerializer.Serialize(new { alpha = parse.GetValue(alpha), summaries, rows }, DataPipeJson.Options));
            foreach (var line in RealWebClassifierText.Lines(summaries, file)) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    public static (List<Row> Rows, List<Summary> Summaries) Evaluate(string corpusDir, string modelDir, double alpha, ulong seed)
    {
        var scorer = QualityScorer.Load(modelDir);
        var pareto = new ParetoSampler(alpha, seed);
        string refsFile = Path.Combine(corpusDir, RealWebCorpus.HeldOutFolder, RealWebCorpus.EvalReferencesFile);
        string manifestFile = Path.Combine(corpusDir, RealWebCorpus.ManifestFile);
        string warc = Path.Combine(corpusDir, RealWebCorpus.HeldOutFolder, "eval.warc.gz");
        foreach (var f in new[] { refsFile, manifestFile, warc })
            if (!File.Exists(f)) throw new DataPipeException($"{f}: not found (is {corpusDir} a realweb-corpus folder?)");

        var references = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(refsFile))
        {
            using var doc = JsonDocument.Parse(line);
            references[doc.RootElement.GetProperty("id").GetString()!] = doc.RootElement.GetProperty("text").GetString()!;
        }
        var keyAt = new Dictionary<long, string>();
        using (var manifest = JsonDocument.Parse(File.ReadAllText(manifestFile)))
            foreach (var p in manifest.RootElement.GetProperty("pages").EnumerateArray())
                if (p.GetProperty("group").GetString() == "eval")
                    keyAt[p.GetProperty("offset").GetInt64()] = p.GetProperty("key").GetString()!;

        // The pages' visible text (as a WET file would hold it), through the ingest's own decoding.
        var processor = new PageProcessor(new IngestOptions { Extractor = VisibleTextExtractor.ExtractorName, Languages = ["en", "de", "fr", "es", "it", "pl", "pt", "nl"] });
        var rules = new DataPipe.Filter.Rules.RuleChain(new DataPipe.Filter.Rules.FilterRulesOptions());
        var counters = new DataPipe.Core.Stages.Counters();
        var language = DataPipe.Ingest.Language.LanguageIdentifier.For(["en", "de", "fr", "es", "it", "pl", "pt", "nl"]);
        var rows = new List<Row>();
        using (var reader = new WarcReader(File.OpenRead(warc)))
        {
            while (reader.TryRead(out var record))
            {
                if (record.Type != "response" || !keyAt.TryGetValue(record.FileOffset, out var key) || !references.TryGetValue(key, out var reference)) continue;
                var result = processor.Process(record, warc);
                string visible = result.Document?.Text ?? "";
                string boilerplate = Boilerplate(visible, reference);
                float refScore = scorer.Score(reference);
                float? boilScore = boilerplate.Length >= MinBoilerplateChars ? scorer.Score(boilerplate) : null;
                string id = result.Document?.Id ?? key;
                var (lang, langScore) = language.Identify(reference);
                var asDocument = new DataPipe.Core.Documents.Document { Id = id, Text = reference, Lang = lang, LangScore = langScore };
                string? reason = rules.Apply(asDocument, counters);
                float? cleaned = reason is null ? scorer.Score(asDocument.Text) : null;
                rows.Add(new Row(key, lang, refScore, boilScore, pareto.Keep(id, refScore), pareto.KeepProbability(refScore),
                    reason, cleaned, cleaned is { } c && pareto.Keep(id, c)));
            }
        }
        var summaries = new List<Summary> { Summarise("all", rows), Summarise("en", [.. rows.Where(r => r.Lang == "en")]) };
        return (rows, summaries);
    }

    /// <summary>The visible lines of a page that are not part of its reference text (whitespace-normalised line match).</summary>
    public static string Boilerplate(string visible, string reference)
    {
        static string Norm(string l) => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var inReference = new HashSet<string>(reference.Split('\n').Select(Norm).Where(l => l.Length > 0), StringComparer.Ordinal);
        string flat = Norm(reference);
        var lines = visible.Split('\n').Select(Norm).Where(l => l.Length > 0 && !inReference.Contains(l) && !(l.Length >= 40 && flat.Contains(l, StringComparison.Ordinal)));
        return string.Join('\n', lines);
    }

    private static Summary Summarise(string subset, List<Row> rows)
    {
        var scores = new List<float>();
        var labels = new List<bool>();
        foreach (var r in rows)
        {
            scores.Add(r.ReferenceScore);
            labels.Add(true);
            if (r.BoilerplateScore is { } b)
            {
                scores.Add(b);
                labels.Add(false);
            }
        }
        int boil = labels.Count(l => !l);
        double auc = rows.Count > 0 && boil > 0 ? BinaryMetrics.Auc(scores, labels) : double.NaN;
        return new Summary(subset, rows.Count, boil, Math.Round(auc, 4),
            rows.Count == 0 ? double.NaN : Math.Round(rows.Count(r => r.Kept) / (double)rows.Count, 4),
            rows.Count == 0 ? double.NaN : Math.Round(rows.Average(r => r.KeepProbability), 4),
            Median(rows.Select(r => (double)r.ReferenceScore)), Median(rows.Where(r => r.BoilerplateScore is not null).Select(r => (double)r.BoilerplateScore!.Value)),
            rows.Count == 0 ? double.NaN : Math.Round(rows.Count(r => r.RulesReason is not null) / (double)rows.Count, 4),
            rows.Count == 0 ? double.NaN : Math.Round(rows.Count(r => r.PipelineKept) / (double)rows.Count, 4));
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return Math.Round(v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2, 4);
    }
}
