using DataPipe.Decontaminate;
using DataPipe.Decontaminate.Benchmarks;
using DataPipe.Decontaminate.Ngrams;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Decontaminate;

/// <summary>How benchmark text becomes the n-gram index: normalisation, short items, common and listed n-grams, the saved file.</summary>
public class BenchmarkIndexTests
{
    private static BenchmarkSource Text(string path, params string[] lines)
    {
        File.WriteAllLines(path, lines);
        return new BenchmarkSource { Path = path, Name = BenchmarkSource.NameOf(path), Format = BenchmarkFormat.Text };
    }

    [Fact]
    public void Normalisation_lowercases_drops_apostrophes_and_splits_on_punctuation_and_whitespace()
    {
        Assert.Equal("dont stop well known café 3 14", WordScanner.Normalize("  Don’t STOP!! well-known\tCafé — 3.14 "));
        Assert.Equal("its the dogs", WordScanner.Normalize("it's \"the\" dog's"));
    }

    [Fact]
    public void An_item_shorter_than_n_words_is_matched_whole_and_one_below_the_minimum_is_counted_too_short()
    {
        using var dir = new TempDir("decontam-index");
        var src = Text(dir["mine.txt"], "Marigold counted eleven herons along the silver estuary today", "Predators eat bunnies");
        var index = BenchmarkIndex.Build([src], new NgramSettings());
        Assert.Equal(1, index.Benchmarks[0].ItemsIndexed);
        Assert.Equal(1, index.Benchmarks[0].ItemsTooShort);
        var finder = new ContaminationFinder(index);
        Assert.Equal(1, finder.Find("We read: MARIGOLD counted eleven herons, along the silver estuary today. Then lunch."));
        Assert.Equal(2, finder.Matches[0].FirstWord);
        Assert.Equal(9, finder.Matches[0].Words);
        // Eight of its nine words are not the item.
        Assert.Equal(0, finder.Find("Marigold counted eleven herons along the silver estuary yesterday"));
        Assert.Equal(0, finder.Find("Predators eat bunnies and so on, every day of the week in the wild."));
    }

    [Fact]
    public void An_ngram_in_more_items_than_the_limit_is_ignored_and_counted()
    {
        using var dir = new TempDir("decontam-index");
        const string Common = "read the passage below carefully and then answer the question that follows it";
        var lines = Enumerable.Range(0, 12).Select(i => $"{Common} item {i} asks about river number {i} and its long winding course").ToArray();
        var index = BenchmarkIndex.Build([Text(dir["mine.txt"], lines)], new NgramSettings { MaxItemsPerNgram = 10 });
        Assert.True(index.NgramsIgnoredCommon >= 1);
        var finder = new ContaminationFinder(index);
        Assert.Equal(0, finder.Find($"Some page. {Common}. More page."));
        Assert.True(finder.Find($"Some page. {lines[3]}. More page.") > 0);
        var loose = BenchmarkIndex.Build([Text(dir["mine2.txt"], lines)], new NgramSettings { MaxItemsPerNgram = 12 });
        Assert.Equal(0, loose.NgramsIgnoredCommon);
    }

    [Fact]
    public void Phrases_in_the_ignore_list_are_never_matched_and_are_counted()
    {
        using var dir = new TempDir("decontam-index");
        const string Licence = "permission is hereby granted free of charge to any person obtaining a copy of this software";
        var src = Text(dir["mine.txt"], Licence + " and the rest of item one", "a different item about the colour of the evening sky over the old harbour town");
        File.WriteAllLines(dir["ignore.txt"], [Licence.ToUpperInvariant()]);
        var index = BenchmarkIndex.Build([src], new NgramSettings(), dir["ignore.txt"]);
        Assert.True(index.NgramsIgnoredListed >= 1);
        Assert.Equal(0, new ContaminationFinder(index).Find(Licence));
    }

    [Fact]
    public void A_saved_index_is_reused_while_its_sources_are_unchanged_and_rebuilt_when_one_changes()
    {
        using var dir = new TempDir("decontam-index");
        var src = Text(dir["mine.txt"], "the lighthouse keeper wrote down the height of every wave that struck the northern rocks");
        string file = dir["cache/mine.ngram-index"];
        var first = BenchmarkIndex.LoadOrBuild(file, [src], new NgramSettings());
        var second = BenchmarkIndex.LoadOrBuild(file, [src], new NgramSettings());
        Assert.True(first.Built);
        Assert.False(second.Built);
        Assert.Equal(first.Index.Count, second.Index.Count);
        Assert.Equal(3, new ContaminationFinder(second.Index).Find("so the lighthouse keeper wrote down the height of every wave that struck the northern rocks!"));

        File.AppendAllLines(src.Path, ["a second item about the baker who sold warm bread to the sailors at dawn every day"]);
        var third = BenchmarkIndex.LoadOrBuild(file, [src], new NgramSettings());
        Assert.True(third.Built);
        Assert.NotEqual(first.Index.Key, third.Index.Key);
        Assert.Equal(third.Index.Key, BenchmarkIndex.ReadKey(file));
        Assert.True(new ContaminationFinder(BenchmarkIndex.Load(file)).Find("the baker who sold warm bread to the sailors at dawn every day") > 0);
    }

    [Fact]
    public void Llm_foundry_records_become_passages_without_prompt_labels()
    {
        using var dir = new TempDir("decontam-index");
        File.WriteAllLines(dir["sets.jsonl"],
        [
            "{\"query\": \"Question: Where would you find magazines?\\nChoices:\\nA. doctor\\nB. bookstore\\nAnswer:\", \"choices\": [\"A\", \"B\"], \"gold\": 1}",
            "{\"context_options\": [\"Sarah was a better surgeon than Maria so Sarah\", \"Sarah was a better surgeon than Maria so Maria\"], \"continuation\": \"always got the harder cases.\", \"gold\": 0}",
            "{\"context\": \"WORLD HISTORY: This Navy commander flew to the South Pole\", \"continuation\": \"Admiral Byrd\"}",
            "{\"context\": \"Janet has 16 eggs.\", \"chain_of_thought\": \"She sells 16 - 3 = <<16-3=13>>13 eggs.\", \"answer\": \"13\"}",
        ]);
        var items = BenchmarkReader.Read(new BenchmarkSource { Path = dir["sets.jsonl"], Name = "sets" }).ToList();
        Assert.Equal(new[] { "Where would you find magazines? bookstore", "Where would you find magazines? doctor bookstore" }, items[0].Passages);
        Assert.Equal(new[] { "Sarah was a better surgeon than Maria so Sarah always got the harder cases.", "Sarah was a better surgeon than Maria so always got the harder cases." }, items[1].Passages);
        Assert.Equal(new[] { "This Navy commander flew to the South Pole Admiral Byrd", "This Navy commander flew to the South Pole" }, items[2].Passages);
        Assert.Equal(new[] { "Janet has 16 eggs.", "Janet has 16 eggs. She sells 16 - 3 = 13 eggs." }, items[3].Passages);
        Assert.Equal(4, items[3].Line);
    }

    [Fact]
    public void Six_line_items_are_detected_and_a_bad_label_names_its_line()
    {
        using var dir = new TempDir("decontam-index");
        string[] item = ["Roof shingle removal: A man is sitting on a roof. he", "3", "is using wrap.", "is ripping tiles.", "is holding a cube.", "starts pulling up roofing on a roof."];
        File.WriteAllLines(dir["six.txt"], [.. item, .. item, .. item]);
        var src = new BenchmarkSource { Path = dir["six.txt"], Name = "six" };
        Assert.Equal(BenchmarkFormat.SixLine, BenchmarkReader.Detect(src));
        var items = BenchmarkReader.Read(src).ToList();
        Assert.Equal(3, items.Count);
        Assert.Equal("A man is sitting on a roof. he starts pulling up roofing on a roof.", items[0].Passages[0]);
        Assert.Equal(7, items[1].Line);
        File.WriteAllLines(dir["six.txt"], [.. item, .. item, item[0], "x", .. item[2..]]);
        var e = Assert.Throws<DataPipe.Core.Errors.DataPipeException>(() => BenchmarkReader.Read(src with { Format = BenchmarkFormat.SixLine }).ToList());
        Assert.StartsWith($"{dir["six.txt"]}:14: six-line item starting on line 13: line 2 must be the gold label", e.Message, StringComparison.Ordinal);
    }
}
