using DataPipe.Train.Model;
using static TorchSharp.torch;

namespace DataPipe.Tests.Train;

public class GptModelTests
{
    private static Gpt Small(long seed = 1) => new(new GptShape(Vocab: 50, Context: 16, Layers: 2, Heads: 2, Width: 32), seed);

    [Fact]
    public void A_prediction_never_depends_on_later_tokens()
    {
        using var model = Small(1);
        model.eval();
        using var a = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [1, 8]);
        using var b = tensor(new long[] { 1, 2, 3, 4, 9, 9, 9, 9 }, [1, 8]);
        using var la = model.forward(a);
        using var lb = model.forward(b);
        Assert.True(la[.., ..4, ..].allclose(lb[.., ..4, ..], rtol: 0, atol: 1e-6));
        Assert.False(la[.., 4.., ..].allclose(lb[.., 4.., ..], rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Initialisation_follows_gpt2_with_scaled_residual_projections_and_a_tied_head()
    {
        using var model = Small(2);
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(0.02, p["wte.weight"].std().item<float>(), 0.002);
        Assert.Equal(0.02 / Math.Sqrt(4), p["h.0.attn.c_proj.weight"].std().item<float>(), 0.002);
        Assert.Equal(0.02 / Math.Sqrt(4), p["h.1.mlp.c_proj.weight"].std().item<float>(), 0.002);
        Assert.Equal(0.0, p["h.0.attn.c_attn.bias"].abs().sum().item<float>());
        // No separate head matrix: the logits are the final states times the token embedding.
        Assert.DoesNotContain(p.Keys, k => k.Contains("head", StringComparison.Ordinal));
        long expected = 50 * 32 + 16 * 32 + 2 * (12 * 32 * 32 + 13 * 32) + 2 * 32;
        Assert.Equal(expected, model.ParameterCount);
        Assert.Equal(expected - 16 * 32, model.NonEmbeddingParameterCount);
    }

    [Fact]
    public void The_same_seed_gives_the_same_initial_weights_whatever_the_global_generator_does()
    {
        using var a = Small(9);
        manual_seed(12345);
        using var noise = randn(1000);
        using var b = Small(9);
        using var c = Small(10);
        var pa = a.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var pb = b.parameters().Select(p => p.data<float>().ToArray()).ToList();
        Assert.Equal(pa, pb);
        Assert.NotEqual(pa[0], c.parameters().First().data<float>().ToArray());
    }

    [Fact]
    public void Loss_of_an_untrained_model_is_near_the_log_of_the_vocabulary()
    {
        using var model = Small(3);
        using var g = new Generator(3);
        using var x = randint(0, 50, [4, 16], dtype: ScalarType.Int64, generator: g);
        using var y = randint(0, 50, [4, 16], dtype: ScalarType.Int64, generator: g);
        using var loss = model.Loss(x, y);
        Assert.Equal(Math.Log(50), loss.item<float>(), 0.1);
    }

    [Fact]
    public void Sampling_is_reproducible_with_a_seeded_generator_and_crops_to_the_context()
    {
        using var model = Small(4);
        using var idx = tensor(new long[] { 1, 2, 3 }, [1, 3]);
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var a = model.Generate(idx, 20, 1.0, 10, g1);
        using var b = model.Generate(idx, 20, 1.0, 10, g2);
        Assert.Equal(23, a.shape[1]);
        Assert.Equal(a.data<long>().ToArray(), b.data<long>().ToArray());
    }
}
