using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using DataPipe.Ingest.Language;

namespace DataPipe.Bench.Ingest;

/// <summary>
/// <c>bench langid [--texts 2000]</c>: language identification speed on real Common Crawl text (CCNet WET documents in
/// ../shared/data/text/ccnet): the detector's build time, texts/s on the ~300-character longest-lines sample Ingest
/// uses, and texts/s on whole texts for comparison (why Ingest samples). One core.
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
                sw.Restart();
                foreach (var x in samples) d.ComputeLanguageConfidenceValues(x);
                Console.WriteLine($"  sample {chars,3} chars, {languages,2} languages: {samples.Count / sw.Elapsed.TotalSeconds,7:N0} texts/s");
            }
        }

        int whole = Math.Min(texts.Count, 300);
        var detector = Lingua.LanguageDetectorBuilder.FromLanguages([.. id.Languages.Select(LanguageIdentifier.ToLanguage)]).WithLowAccuracyMode().Build();
        detector.DetectLanguageOf("warm up");
        sw.Restart();
        for (int i = 0; i < whole; i++) detector.DetectLanguageOf(texts[i]);
        double full = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"whole texts (no sampling, first {whole}): {whole / full:N0} texts/s; sampling is {(texts.Count / sampled) / (whole / full):F1}x faster");
        return Task.FromResult(0);
    }
}
