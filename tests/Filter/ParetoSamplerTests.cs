using DataPipe.Filter;

namespace DataPipe.Tests.Filter;

public class ParetoSamplerTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    [InlineData(0.95)]
    public void The_keep_rate_at_a_score_matches_the_pareto_survival_function(double score)
    {
        var sampler = new ParetoSampler(alpha: 9, seed: 7);
        const int n = 200_000;
        int kept = 0;
        for (int i = 0; i < n; i++)
            if (sampler.Keep($"<urn:uuid:doc-{i}>", score)) kept++;
        double expected = Math.Pow(2 - score, -9);
        double sd = Math.Sqrt(expected * (1 - expected) / n);
        Assert.InRange((double)kept / n, expected - 5 * sd - 1e-4, expected + 5 * sd + 1e-4);
        Assert.Equal(expected, sampler.KeepProbability(score), 12);
    }

    [Fact]
    public void A_score_of_one_is_always_kept()
    {
        var sampler = new ParetoSampler();
        Assert.All(Enumerable.Range(0, 1000), i => Assert.True(sampler.Keep($"d{i}", 1.0)));
    }

    [Fact]
    public void The_draw_depends_only_on_the_document_id_and_the_seed()
    {
        var a = new ParetoSampler(9, seed: 1);
        var b = new ParetoSampler(9, seed: 1);
        var c = new ParetoSampler(9, seed: 2);
        var ids = Enumerable.Range(0, 100).Select(i => $"<urn:uuid:{i}>").ToArray();
        Assert.Equal(ids.Select(a.Draw), ids.Select(b.Draw));
        Assert.NotEqual(ids.Select(a.Draw), ids.Select(c.Draw));
        Assert.All(ids, id => Assert.True(a.Draw(id) >= 0));
    }
}
