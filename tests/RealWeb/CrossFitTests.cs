using DataPipe.Filter.Classifier;

namespace DataPipe.Tests.RealWeb;

public class CrossFitTests
{
    [Fact]
    public void Folds_are_stable_and_cover_every_fold_about_equally()
    {
        var ids = Enumerable.Range(0, 5000).Select(i => $"<urn:uuid:{i:D8}>").ToList();
        var folds = ids.Select(id => CrossFitScorer.FoldOf(id, 5)).ToList();
        Assert.Equal(folds, ids.Select(id => CrossFitScorer.FoldOf(id, 5)));
        var counts = folds.GroupBy(f => f).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(5, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 900, 1100));
    }

    [Fact]
    public void Mixing_weights_give_each_source_its_share_of_the_positive_class()
    {
        var books = Enumerable.Range(0, 300).Select(i => new LabeledText($"b{i}", "book", true)).ToList();
        var wiki = Enumerable.Range(0, 50).Select(i => new LabeledText($"w{i}", "wiki", true)).ToList();
        var web = Enumerable.Range(0, 150).Select(i => new LabeledText($"r{i}", "web", true)).ToList();
        var mixed = CrossFitScorer.Mix([(books, 1), (wiki, 1), (web, 2)]);
        Assert.Equal(500, mixed.Count);
        double total = mixed.Sum(e => e.Weight);
        Assert.Equal(500, total, 6);
        Assert.Equal(0.25, mixed.Where(e => e.Text == "book").Sum(e => e.Weight) / total, 6);
        Assert.Equal(0.25, mixed.Where(e => e.Text == "wiki").Sum(e => e.Weight) / total, 6);
        Assert.Equal(0.50, mixed.Where(e => e.Text == "web").Sum(e => e.Weight) / total, 6);
    }
}
