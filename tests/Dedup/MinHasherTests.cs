using DataPipe.Dedup.MinHash;
using DataPipe.Dedup.Shingles;
using DataPipe.Dedup.Stages;

namespace DataPipe.Tests.Dedup;

public class MinHasherTests
{
    private static ulong[] Set(int from, int to) => [.. Enumerable.Range(from, to - from).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL ^ 0xABCDEF)];

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.7)]
    [InlineData(0.5)]
    [InlineData(0.2)]
    public void Signature_agreement_estimates_the_jaccard_similarity(double jaccard)
    {
        // |A| = |B| = 1000 with overlap o: J = o / (2000 - o).
        int overlap = (int)Math.Round(2000 * jaccard / (1 + jaccard));
        double exact = overlap / (2000.0 - overlap);
        var hasher = new MinHasher(512);
        double est = MinHasher.EstimateJaccard(hasher.Compute(Set(0, 1000)), hasher.Compute(Set(1000 - overlap, 2000 - overlap)));
        // Standard error sqrt(J(1-J)/512) <= 0.022; 4 of them.
        Assert.InRange(est, exact - 0.09, exact + 0.09);
    }

    [Fact]
    public void Identical_sets_have_identical_signatures_and_order_and_repeats_do_not_matter()
    {
        var hasher = new MinHasher(112);
        var a = Set(0, 300);
        var b = a.Reverse().Concat(a.Take(50)).ToArray();
        Assert.Equal(hasher.Compute(a), hasher.Compute(b));
    }

    [Fact]
    public void The_vector_and_scalar_permutations_agree()
    {
        // 21 permutations: two 8-wide vector blocks (where the CPU has them), a 4-wide scalar block and a scalar tail.
        var set = Set(0, 300);
        Assert.Equal(new MinHasher(21, seed: 42).Compute(set), new MinHasher(21, seed: 42, vectorize: true).Compute(set));
        Assert.Equal(new MinHasher(1, seed: 42, vectorize: true).Compute(set)[0], new MinHasher(21, seed: 42, vectorize: true).Compute(set)[0]);
    }

    [Fact]
    public void The_same_seed_gives_the_same_signature_in_every_instance_and_another_seed_does_not()
    {
        var set = Set(0, 200);
        Assert.Equal(new MinHasher(112, 1).Compute(set), new MinHasher(112, 1).Compute(set));
        Assert.NotEqual(new MinHasher(112, 1).Compute(set), new MinHasher(112, 2).Compute(set));
    }

    [Fact]
    public void No_shingles_gives_an_empty_signature()
    {
        var sig = new MinHasher(16).Compute([]);
        Assert.True(MinHasher.IsEmpty(sig));
        Assert.False(MinHasher.IsEmpty(new MinHasher(16).Compute(Set(0, 3))));
    }

    [Fact]
    public void Banding_at_0_8_with_112_permutations_is_14_by_8_and_follows_the_s_curve()
    {
        var b = LshBanding.ForThreshold(0.8);
        Assert.Equal(new LshBanding(14, 8), b);
        Assert.InRange(b.CandidateProbability(0.8), 0.92, 0.93);
        Assert.True(b.CandidateProbability(0.85) > 0.98);
        Assert.True(b.CandidateProbability(0.5) < 0.06);
        Assert.True(LshBanding.ForThreshold(0.5).Rows < b.Rows);
    }

    [Fact]
    public void Band_keys_are_equal_exactly_when_the_band_rows_are_equal()
    {
        var banding = new LshBanding(4, 3);
        uint[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        uint[] y = [1, 2, 3, 4, 5, 0, 7, 8, 9, 10, 11, 12];
        Assert.Equal(banding.BandKey(x, 0), banding.BandKey(y, 0));
        Assert.NotEqual(banding.BandKey(x, 1), banding.BandKey(y, 1));
        // The same rows in another band give another key, so bands never share buckets.
        uint[] z = [7, 8, 9, 7, 8, 9, 0, 0, 0, 0, 0, 0];
        Assert.NotEqual(banding.BandKey(z, 0), banding.BandKey(z, 1));
    }

    [Fact]
    public void Exact_jaccard_of_shingle_sets_matches_the_definition()
    {
        var s = new WordShingler(2);
        var scratch = new List<uint>();
        var a = SignatureStage.ShingleSet(s.Shingle("a b c d e"), scratch).ToArray();
        var b = SignatureStage.ShingleSet(s.Shingle("a b c d x"), scratch).ToArray();
        // {ab, bc, cd, de} vs {ab, bc, cd, dx}: 3 / 5.
        Assert.Equal(0.6, PairsStage.SetJaccard(a, b), 6);
    }
}
