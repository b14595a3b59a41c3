using System.Text;
using System.Text.RegularExpressions;
using DataPipe.Core.Documents;
using DataPipe.Core.Text;
using DataPipe.Dedup.Shingles;

namespace DataPipe.Dedup.Evaluation;

/// <summary>
/// Ground truth for dedup: documents built from real sentences (WikiText-2, Tiny Shakespeare, Common Crawl text from
/// ../shared/data), and near-duplicates made from them with the edits web copies show: words substituted,
/// inserted and deleted, boilerplate added, paragraphs moved, until the exact Jaccard similarity of their word-shingle
/// sets reaches a target level. The similarity actually reached is measured, not assumed, and recorded with the pair.
/// Deterministic for a seed.
/// </summary>
public sealed partial class NearDuplicateGenerator
{
    private static readonly string[] Boilerplate =
    [
        "Share this article on Facebook Twitter LinkedIn and Email Print this page",
        "Copyright all rights reserved Terms of use Privacy policy Cookie settings Contact us",
        "Sign up for our newsletter to get the latest stories delivered to your inbox every morning",
        "Related posts you might also like Read more Leave a comment Cancel reply",
        "Skip to main content Home About Blog Shop Contact Search this site Menu",
    ];

    private readonly string[] _sentences;
    private readonly string[] _vocabulary;
    private readonly WordShingler _shingler;

    public NearDuplicateGenerator(IReadOnlyList<string> sentences, int shingleSize = 5)
    {
        if (sentences.Count < 100) throw new ArgumentException($"need at least 100 sentences of source text (got {sentences.Count})");
        _sentences = [.. sentences];
        _vocabulary = [.. sentences.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        _shingler = new WordShingler(shingleSize);
    }

    /// <summary>Sentences of 6 to 60 words from text files (WikiText markup and Shakespeare speaker lines are cleaned).</summary>
    public static IReadOnlyList<string> LoadSentences(IEnumerable<string> files)
    {
        var sentences = new List<string>();
        foreach (var file in files)
        {
            string text = file.EndsWith(".gz", StringComparison.Ordinal) ? ReadJsonlTexts(file) : File.ReadAllText(file);
            text = text.Replace(" @-@ ", "-", StringComparison.Ordinal).Replace(" @,@ ", ",", StringComparison.Ordinal).Replace(" @.@ ", ".", StringComparison.Ordinal);
            foreach (Match m in SentencePattern().Matches(text))
            {
                string s = Whitespace().Replace(m.Value, " ").Trim();
                int words = s.Count(c => c == ' ') + 1;
                if (words is >= 6 and <= 60 && !s.StartsWith('=')) sentences.Add(s);
            }
        }
        return sentences;
    }

    private static string ReadJsonlTexts(string path)
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var sb = new StringBuilder();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            using var json = System.Text.Json.JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("text", out var t)) sb.Append(t.GetString()).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A document of about <paramref name="words"/> words: random source sentences in paragraphs of 3 to 6.</summary>
    public string BaseText(Random random, int words = 500)
    {
        var sb = new StringBuilder(words * 7);
        int count = 0, inParagraph = 0, paragraphSize = random.Next(3, 7);
        while (count < words)
        {
            string s = _sentences[random.Next(_sentences.Length)];
            if (inParagraph == paragraphSize)
            {
                sb.Append("\n\n");
                inParagraph = 0;
                paragraphSize = random.Next(3, 7);
            }
            else if (sb.Length > 0) sb.Append(' ');
            sb.Append(s);
            inParagraph++;
            count += s.Count(c => c == ' ') + 1;
        }
        return sb.ToString();
    }

    /// <summary>
    /// A copy of <paramref name="text"/> edited until the Jaccard similarity of the two shingle sets is at most
    /// <paramref name="target"/> (it ends within about one edit's worth below it); returns the copy and the similarity reached.
    /// A target of 1 returns an exact copy with casing and spacing changed (the same <c>content_hash</c>).
    /// </summary>
    public (string Text, double Jaccard) Variant(string text, double target, Random random)
    {
        if (target >= 1) return (random.Next(2) == 0 ? text.ToUpperInvariant() : text.Replace(" ", "  ", StringComparison.Ordinal), 1.0);
        var original = ShingleSet(text);
        var paragraphs = text.Split("\n\n").Select(p => p.Split(' ').ToList()).ToList();
        int boilerplateUsed = 0;
        double j = 1;
        while (true)
        {
            // Each scattered word edit changes about n shingles of N: J ≈ (N − n·e) / (N + n·e). Take half the remaining way each round.
            int n = _shingler.Size, total = original.Count;
            double need = total * (1 - target) / (1 + target) / n;
            double done = total * (1 - j) / (1 + j) / n;
            int edits = Math.Max(1, (int)((need - done) / 2));
            for (int e = 0; e < edits; e++) Edit(paragraphs, random, ref boilerplateUsed);
            string candidate = string.Join("\n\n", paragraphs.Where(p => p.Count > 0).Select(p => string.Join(' ', p)));
            j = Jaccard(original, ShingleSet(candidate));
            if (j <= target) return (candidate, j);
        }
    }

    private void Edit(List<List<string>> paragraphs, Random random, ref int boilerplateUsed)
    {
        double op = random.NextDouble();
        var p = paragraphs[random.Next(paragraphs.Count)];
        if (op < 0.04 && boilerplateUsed < 2)
        {
            // Boilerplate at the start or the end, as sites add to copied articles.
            var block = Boilerplate[random.Next(Boilerplate.Length)].Split(' ').ToList();
            if (random.Next(2) == 0) paragraphs.Insert(0, block); else paragraphs.Add(block);
            boilerplateUsed++;
        }
        else if (op < 0.08 && paragraphs.Count > 2)
        {
            // A paragraph moved elsewhere.
            int from = random.Next(paragraphs.Count);
            var moved = paragraphs[from];
            paragraphs.RemoveAt(from);
            paragraphs.Insert(random.Next(paragraphs.Count + 1), moved);
        }
        else if (p.Count == 0 || op < 0.5)
        {
            if (p.Count == 0) p.Add(RandomWord(random)); else p[random.Next(p.Count)] = RandomWord(random);
        }
        else if (op < 0.75) p.Insert(random.Next(p.Count + 1), RandomWord(random));
        else p.RemoveAt(random.Next(p.Count));
    }

    private string RandomWord(Random random) => _vocabulary[random.Next(_vocabulary.Length)];

    /// <summary>The distinct 64-bit shingle hashes of a text (the set the ground-truth Jaccard is computed on).</summary>
    public HashSet<ulong> ShingleSet(string text) => [.. _shingler.Shingle(text)];

    public static double Jaccard(HashSet<ulong> a, HashSet<ulong> b)
    {
        if (a.Count == 0 && b.Count == 0) return 1;
        int both = a.Count < b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return (double)both / (a.Count + b.Count - both);
    }

    /// <summary>
    /// A corpus of <paramref name="bases"/> original documents, a share of which (<paramref name="familyShare"/>) get one
    /// copy at each similarity level in <paramref name="levels"/>, all shuffled. Every (original, copy) pair is recorded with
    /// its measured Jaccard similarity; copies get their own URLs, so only their text makes them duplicates.
    /// </summary>
    public GroundTruthCorpus Generate(int bases, double familyShare, IReadOnlyList<double> levels, int seed, int words = 500)
    {
        var random = new Random(seed);
        var items = new List<(string Text, int Family, double Jaccard)>();
        var baseItem = new int[bases];
        for (int b = 0; b < bases; b++)
        {
            string text = BaseText(random, words);
            baseItem[b] = items.Count;
            items.Add((text, b, 1));
            if (random.NextDouble() < familyShare)
                foreach (double level in levels)
                {
                    var (copy, j) = Variant(text, level, random);
                    items.Add((copy, b, j));
                }
        }
        // Shuffle (Fisher-Yates) so families are spread over input slices and tasks.
        var order = Enumerable.Range(0, items.Count).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int k = random.Next(i + 1);
            (order[i], order[k]) = (order[k], order[i]);
        }
        var docs = new Document[items.Count];
        var positionOf = new int[items.Count];
        var t0 = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < order.Length; i++)
        {
            docs[i] = MakeDocument(i, items[order[i]].Text, t0.AddSeconds(i));
            positionOf[order[i]] = i;
        }
        var pairs = new List<GroundTruthPair>();
        for (int i = 0; i < order.Length; i++)
        {
            var it = items[order[i]];
            int b = positionOf[baseItem[it.Family]];
            if (b != i) pairs.Add(new GroundTruthPair(Math.Min(b, i), Math.Max(b, i), it.Jaccard));
        }
        pairs.Sort((x, y) => x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B));
        return new GroundTruthCorpus(docs, pairs);
    }

    public static Document MakeDocument(long i, string text, DateTime fetch)
    {
        string url = $"https://site{i % 97}.example/{i:x}";
        return new Document
        {
            Id = $"<urn:uuid:{new Guid((int)(i & 0x7FFFFFFF), (short)(i >> 32), 0, new byte[8])}>",
            Url = url,
            Host = $"site{i % 97}.example",
            FetchTime = fetch,
            Lang = "en",
            LangScore = 0.99f,
            Text = text,
            Source = "generated:near-duplicates",
            SourceOffset = i,
            ContentHash = ContentHash.Of(text),
        };
    }

    [GeneratedRegex(@"[^.!?\n]+[.!?]", RegexOptions.CultureInvariant)]
    private static partial Regex SentencePattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}

/// <summary>Two documents (row indices in the corpus) of the same family and the Jaccard similarity their shingle sets have.</summary>
public sealed record GroundTruthPair(int A, int B, double Jaccard);

/// <summary>Generated documents in input order, with the ground-truth pairs among them.</summary>
public sealed record GroundTruthCorpus(IReadOnlyList<Document> Documents, IReadOnlyList<GroundTruthPair> Pairs);
