using DataPipe.Core.Documents;
using DataPipe.Dedup.Evaluation;

namespace DataPipe.Bench.Dedup;

/// <summary>Inputs of the dedup benchmarks: real sentences from ../shared/data and corpora generated from them.</summary>
internal static class DedupBenchData
{
    public static string SharedData()
    {
        if (Environment.GetEnvironmentVariable("DATAPIPE_SHARED_DATA") is { Length: > 0 } env) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln"))) return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "data"));
        throw new InvalidOperationException("DataPipe.sln not found above the benchmark; set DATAPIPE_SHARED_DATA");
    }

    public static NearDuplicateGenerator Generator(int shingleSize = 5)
    {
        string data = SharedData();
        string[] files =
        [
            Path.Combine(data, "text/wikitext-2/test.txt"),
            Path.Combine(data, "text/wikitext-2/valid.txt"),
            Path.Combine(data, "text/tinyshakespeare.txt"),
            Path.Combine(data, "text/ccnet/cc_en_head-0091.jsonl.gz"),
            Path.Combine(data, "text/ccnet/cc_en_head-0174.jsonl.gz"),
        ];
        return new NearDuplicateGenerator(NearDuplicateGenerator.LoadSentences(files), shingleSize);
    }

    /// <summary>
    /// A stream of <paramref name="count"/> documents of about 3 KB: 88% originals, 10% near-duplicates of one of the last
    /// 1,000 originals (a few word edits), 2% exact copies. Edits are cheap here; similarity is not measured (scale only).
    /// </summary>
    public static IEnumerable<Document> ScaleCorpus(NearDuplicateGenerator g, long count, int seed)
    {
        var random = new Random(seed);
        var recent = new string[1000];
        int filled = 0;
        var t0 = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        for (long i = 0; i < count; i++)
        {
            double r = random.NextDouble();
            string text;
            if (filled > 0 && r < 0.02) text = recent[random.Next(filled)];
            else if (filled > 0 && r < 0.12) text = EditWords(recent[random.Next(filled)], random, 8);
            else
            {
                text = g.BaseText(random, 560);
                recent[filled < recent.Length ? filled++ : random.Next(recent.Length)] = text;
            }
            yield return NearDuplicateGenerator.MakeDocument(i, text, t0.AddSeconds(i));
        }
    }

    private static string EditWords(string text, Random random, int edits)
    {
        var words = text.Split(' ');
        for (int e = 0; e < edits; e++) words[random.Next(words.Length)] = words[random.Next(words.Length)];
        return string.Join(' ', words);
    }
}
