using DataPipe.Decontaminate;
using DataPipe.Decontaminate.Benchmarks;
using DataPipe.Decontaminate.Ngrams;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Decontaminate;

/// <summary>
/// Recall on leaks planted in real web pages, against the index of all 14 sets in ../shared/data/benchmarks: every
/// 7th indexed item of every set (about 4,700 items), whole, reformatted, and with one word changed.
/// </summary>
public class PlantedLeakTests
{
    private static IEnumerable<(string Set, BenchmarkItem Item, int Global, string Passage)> Sampled(int every = 7)
    {
        var (index, sources) = BenchmarkFiles.FullIndex;
        var indexed = new HashSet<int>();
        for (int e = 0; e < index.Count; e++) foreach (int i in index.ItemsOf(e)) indexed.Add(i);
        var scanner = new WordScanner();
        for (int b = 0; b < sources.Count; b++)
        {
            foreach (var item in BenchmarkReader.Read(sources[b]))
            {
                int global = index.Benchmarks[b].FirstItem + item.Record;
                if (item.Record % every != 0 || !indexed.Contains(global)) continue;
                string passage = item.Passages.First(p =>
                {
                    scanner.Scan(p);
                    return scanner.Count >= index.Settings.MinWords;
                });
                yield return (sources[b].Name, item, global, passage);
            }
        }
    }

    private static bool Finds(ContaminationFinder finder, string text, int global)
    {
        if (finder.Find(text) == 0) return false;
        foreach (var m in finder.Matches)
            if (finder.Index.ItemsOf(m.Entry).Contains(global)) return true;
        return false;
    }

    [Fact]
    public void Every_sampled_item_of_every_set_planted_whole_in_a_real_page_is_found()
    {
        var finder = new ContaminationFinder(BenchmarkFiles.FullIndex.Index);
        var hosts = BenchmarkFiles.HostPages();
        var missed = new List<string>();
        var perSet = new Dictionary<string, int>();
        foreach (var (set, item, global, passage) in Sampled())
        {
            perSet[set] = perSet.GetValueOrDefault(set) + 1;
            if (!Finds(finder, BenchmarkFiles.Embed(hosts[global % hosts.Count], passage), global)) missed.Add($"{set} item {item.Record}");
        }
        Assert.Equal(14, perSet.Count);
        Assert.True(perSet.Values.Sum() > 4000, $"only {perSet.Values.Sum()} items sampled");
        Assert.Empty(missed);
    }

    [Fact]
    public void Items_with_other_capitals_punctuation_quotes_and_line_breaks_are_found()
    {
        var finder = new ContaminationFinder(BenchmarkFiles.FullIndex.Index);
        var hosts = BenchmarkFiles.HostPages();
        var missed = new List<string>();
        foreach (var (set, item, global, passage) in Sampled())
        {
            var tokens = passage.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string reformatted = string.Join("", tokens.Select((t, i) =>
            {
                t = t.Replace('\'', '\u2019');
                if (i % 3 == 0) t = t.ToUpperInvariant();
                if (i % 5 == 2) t += ",";
                if (i % 5 == 3) t = t.TrimEnd('.', ',', '?', '!');
                return t + (i % 7 == 6 ? "\n" : "  ");
            }));
            if (!Finds(finder, BenchmarkFiles.Embed(hosts[global % hosts.Count], reformatted), global)) missed.Add($"{set} item {item.Record}: {reformatted}");
        }
        Assert.Empty(missed);
    }

    [Fact]
    public void An_item_with_its_middle_word_changed_is_found_through_an_unchanged_thirteen_word_run()
    {
        var finder = new ContaminationFinder(BenchmarkFiles.FullIndex.Index);
        var hosts = BenchmarkFiles.HostPages();
        var scanner = new WordScanner();
        int checkedItems = 0;
        var missed = new List<string>();
        foreach (var (set, item, global, passage) in Sampled())
        {
            var tokens = passage.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int mid = tokens.Length / 2;
            scanner.Scan(string.Join(' ', tokens[..mid]));
            int left = scanner.Count;
            scanner.Scan(string.Join(' ', tokens[(mid + 1)..]));
            if (Math.Max(left, scanner.Count) < 13) continue;
            tokens[mid] = "zebra";
            checkedItems++;
            if (!Finds(finder, BenchmarkFiles.Embed(hosts[global % hosts.Count], string.Join(' ', tokens)), global)) missed.Add($"{set} item {item.Record}");
        }
        Assert.True(checkedItems > 2000, $"only {checkedItems} items long enough");
        Assert.Empty(missed);
    }

    [Fact]
    public void The_real_web_pages_used_as_hosts_hold_no_benchmark_text()
    {
        var finder = new ContaminationFinder(BenchmarkFiles.FullIndex.Index);
        var hosts = BenchmarkFiles.HostPages();
        Assert.True(hosts.Count >= 20);
        Assert.All(hosts, h => Assert.Equal(0, finder.Find(h)));
    }

    [Fact]
    public void Clean_books_articles_and_plays_pass_the_cut_unchanged()
    {
        var index = BenchmarkFiles.FullIndex.Index;
        var decontaminator = new Decontaminator(index, new DecontaminateOptions { Action = DecontaminateAction.Cut });
        var texts = Directory.EnumerateFiles(Repo.Shared("text/gutenberg"), "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText)
            .Concat(File.ReadAllText(Repo.Shared("text/wikitext-2/valid.txt")).Split("\n = ", StringSplitOptions.RemoveEmptyEntries))
            .Concat(File.ReadAllText(Repo.Shared("text/wikitext-2/test.txt")).Split("\n = ", StringSplitOptions.RemoveEmptyEntries))
            .Append(File.ReadAllText(Repo.Shared("text/tinyshakespeare.txt")))
            .ToList();
        var counters = new DataPipe.Core.Stages.Counters();
        long chars = 0;
        foreach (var (text, i) in texts.Select((t, i) => (t, i)))
        {
            var doc = TestDocuments.Make(i, text);
            var outcome = decontaminator.Process(doc, counters);
            Assert.Same(doc, Assert.Single(outcome.Documents));
            chars += text.Length;
        }
        Assert.True(chars > 20_000_000, $"{chars} chars checked");
        Assert.Equal(0, counters["decontaminate.documents_matched"]);
        Assert.Equal(0, decontaminator.Report().CharsRemoved);
    }
}
