using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using DataPipe.Ingest.Language;

namespace DataPipe.Bench.Ingest;

/// <summary>
/// <c>bench langid [--texts 2000]</c>: language identification speed on real Common Crawl text (CCNet WET documents in
/// ../shared/data/text/ccnet): the detector's build time, texts/s on the ~300-character longest-lines sample Ingest
/// uses, and texts/s on whole texts for comparison (why Ingest samples); then, on every real text of ../shared/data,
/// the first pass (script rules, stop words) against Lingua alone: share settled, agreement, speed of both. One core.
/// </summary>
public static class LangIdBench
{
    public static Task<int> RunAsync(string[] args)
    {
        int n = IngestBench.IntArg(args, "--texts", 2000);
        var texts = new List<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(WarcCorpus.SharedData, "text", "ccnet"), "*.gz").Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(f), CompressionMode.Decompress));
            string? line;
            while (texts.Count < n && (line = reader.ReadLine()) is not null)
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("raw_content", out var t) || doc.RootElement.TryGetProperty("text", out t)) texts.Add(t.GetString() ?? "");
            }
        }
        int distinct = texts.Count;
        // The shared data holds a few dozen real documents: cycle through them to reach the count asked for.
        for (int i = 0; texts.Count < n; i++) texts.Add(texts[i % distinct]);
        Console.WriteLine($"{texts.Count} texts ({distinct} distinct real Common Crawl documents, cycled), mean {texts.Average(t => t.Length):F0} characters");
        var sw = Stopwatch.StartNew();
        var id = LanguageIdentifier.For();
        id.Identify("warm up the models with a short English sentence");
        Console.WriteLine($"detector for {id.Languages.Count} languages (low accuracy mode) built and loaded in {sw.Elapsed.TotalSeconds:F2} s");

        sw.Restart();
        var counts = new Dictionary<string, int>();
        foreach (var t in texts)
        {
            var (lang, _) = id.Identify(t);
            counts[lang] = counts.GetValueOrDefault(lang) + 1;
        }
        double sampled = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"sampled ({LanguageIdentifier.SampleChars} chars of longest lines): {texts.Count / sampled:N0} texts/s; languages: {string.Join(", ", counts.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}={kv.Value}"))}");

        foreach (int chars in new[] { 100, 200, 300 })
        {
            foreach (int languages in new[] { 6, 24 })
            {
                var d = Lingua.LanguageDetectorBuilder.FromLanguages([.. id.Languages.Take(languages).Select(LanguageIdentifier.ToLanguage)]).WithLowAccuracyMode().Build();
                d.ComputeLanguageConfidenceValues("warm up the models");
                var samples = texts.Take(300).Select(t => LanguageIdentifier.Sample(t, chars)).ToList();
                foreach (var x in samples) d.ComputeLanguageConfidenceValues(x); // warm: JIT tiers, model pages
                sw.Restart();
                foreach (var x in samples) d.ComputeLanguageConfidenceValues(x);
                Console.WriteLine($"  sample {chars,3} chars, {languages,2} languages: {samples.Count / sw.Elapsed.TotalSeconds,7:N0} texts/s");
            }
        }

        Agreement(id);

        int whole = Math.Min(texts.Count, 300);
        var detector = Lingua.LanguageDetectorBuilder.FromLanguages([.. id.Languages.Select(LanguageIdentifier.ToLanguage)]).WithLowAccuracyMode().Build();
        detector.DetectLanguageOf("warm up");
        sw.Restart();
        for (int i = 0; i < whole; i++) detector.DetectLanguageOf(texts[i]);
        double full = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"whole texts (no sampling, first {whole}): {whole / full:N0} texts/s; sampling is {(texts.Count / sampled) / (whole / full):F1}x faster");
        return Task.FromResult(0);
    }

    /// <summary>
    /// The first pass against Lingua alone on every real text of ../shared/data (the main text of the 130
    /// extraction pages, the WET records of the Common Crawl capture, the CCNet and Dolma documents): how many it
    /// settles, how often it agrees with Lingua, Lingua's confidence on those, and the speed of both.
    /// </summary>
    private static void Agreement(LanguageIdentifier id)
    {
        var texts = RealTexts();
        var sw = Stopwatch.StartNew();
        var lingua = texts.Select(id.IdentifyWithLingua).ToList();
        double linguaSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var combined = texts.Select(id.Identify).ToList();
        double combinedSeconds = sw.Elapsed.TotalSeconds;
        int settled = 0, agree = 0, unchanged = 0, linguaOne = 0;
        float minScore = 1;
        var langs = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Count; i++)
        {
            langs[lingua[i].Lang] = langs.GetValueOrDefault(lingua[i].Lang) + 1;
            if (combined[i].Lang == lingua[i].Lang) unchanged++;
            if (id.IdentifyWithFirstPass(texts[i]) is not { } s) continue;
            settled++;
            if (s == lingua[i].Lang) agree++;
            else Console.WriteLine($"    disagreement: first pass {s}, Lingua {lingua[i].Lang} ({lingua[i].Score:F2}): {LanguageIdentifier.Sample(texts[i])[..Math.Min(120, LanguageIdentifier.Sample(texts[i]).Length)].ReplaceLineEndings(" ")}");
            if (lingua[i].Score >= 0.999f) linguaOne++;
            minScore = Math.Min(minScore, lingua[i].Score);
        }
        Console.WriteLine($"agreement on {texts.Count} real texts (Lingua says {string.Join(", ", langs.Select(kv => $"{kv.Key}={kv.Value}"))}):");
        Console.WriteLine($"    first pass settles {settled} ({100.0 * settled / texts.Count:F1}%), agreeing with Lingua on {agree} ({100.0 * agree / Math.Max(1, settled):F1}%); Lingua's confidence there: {linguaOne} at 1.0, min {minScore:F3}");
        Console.WriteLine($"    language unchanged vs Lingua alone: {unchanged}/{texts.Count} ({100.0 * unchanged / texts.Count:F1}%)");
        Console.WriteLine($"    Lingua alone {texts.Count / linguaSeconds:N0} texts/s, first pass then Lingua {texts.Count / combinedSeconds:N0} texts/s: {linguaSeconds / combinedSeconds:F1}x");
    }

    /// <summary>Every real text in ../shared/data: extracted main text of the pages, WET records, CCNet and Dolma documents.</summary>
    internal static List<string> RealTexts()
    {
        var texts = new List<string>();
        var extractor = new DataPipe.Ingest.Extraction.DensityExtractor();
        foreach (var dir in Directory.GetDirectories(Path.Combine(WarcCorpus.SharedData, "html-extraction", "pages")).Order(StringComparer.Ordinal))
            texts.Add(extractor.Extract(File.ReadAllText(Path.Combine(dir, "source.html"))));
        using (var reader = new DataPipe.Ingest.Warc.WarcReader(File.OpenRead(Path.Combine(WarcCorpus.SharedData, "warc", "cc-whirlwind.warc.wet.gz"))))
        {
            while (reader.TryRead(out var rec))
                if (rec.Type == "conversion") texts.Add(System.Text.Encoding.UTF8.GetString(rec.Block.Span));
        }
        foreach (var f in Directory.GetFiles(Path.Combine(WarcCorpus.SharedData, "text", "ccnet"), "*.gz").Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(f), CompressionMode.Decompress));
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("raw_content", out var t) || doc.RootElement.TryGetProperty("text", out t)) texts.Add(t.GetString() ?? "");
            }
        }
        return [.. texts.Where(t => t.Length > 0)];
    }
}
