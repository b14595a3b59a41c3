using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DataPipe.Train.Model;

/// <summary>
/// A GPT-2-family decoder (Radford et al. 2019; the model GPT-3 scaled up): token and learned position embeddings,
/// <see cref="Block"/>s of pre-LayerNorm attention and MLP, a final LayerNorm, and an output head tied to the token
/// embedding. Initialisation as GPT-2: normal(0, 0.02) everywhere, the residual output projections scaled by
/// 1/sqrt(2·layers), biases zero.
/// </summary>
public sealed class Gpt : Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Dropout drop;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm ln_f;

    /// <summary>A model initialised from <paramref name="seed"/> with a generator of its own (other users of the global generator cannot change it).</summary>
    public Gpt(GptShape shape, long seed) : base(nameof(Gpt))
    {
        Shape = shape;
        wte = Embedding(shape.Vocab, shape.Width);
        wpe = Embedding(shape.Context, shape.Width);
        drop = Dropout(shape.Dropout);
        h = new ModuleList<Block>([.. Enumerable.Range(0, shape.Layers).Select(_ => new Block(shape.Width, shape.Heads, shape.Dropout, shape.Bias))]);
        ln_f = LayerNorm(shape.Width, bias: shape.Bias);
        RegisterComponents();
        using var generator = new Generator(unchecked((ulong)seed));
        Initialize(generator);
    }

    public GptShape Shape { get; }

    /// <summary>All parameters (the tied head counts once).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Parameters without the position embeddings: the N of "6·N FLOPs per token" (Kaplan et al. 2020, nanoGPT).</summary>
    public long NonEmbeddingParameterCount => ParameterCount - wpe.weight!.numel();

    // Tensor.normal_ with a generator (TorchSharp 0.107's init.normal_ ignores the generator argument).
    private void Initialize(Generator generator)
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is Linear linear)
            {
                linear.weight!.normal_(0.0, 0.02, generator);
                linear.bias?.zero_();
            }
            else if (module is Embedding embedding)
            {
                embedding.weight!.normal_(0.0, 0.02, generator);
            }
        }
        double residualStd = 0.02 / Math.Sqrt(2.0 * Shape.Layers);
        foreach (var block in h)
            foreach (var projection in block.OutputProjections)
                projection.weight!.normal_(0.0, residualStd, generator);
    }

    /// <summary>Logits (B, T, vocab) for token ids (B, T), T at most the context.</summary>
    public override Tensor forward(Tensor idx)
    {
        long t = idx.shape[1];
        if (t > Shape.Context) throw new ArgumentException($"sequence of {t} tokens is longer than the model's context ({Shape.Context})");
        using var pos = arange(t, dtype: ScalarType.Int64, device: idx.device);
        var x = drop.forward(wte.forward(idx) + wpe.forward(pos));
        foreach (var block in h) x = block.forward(x);
        x = ln_f.forward(x);
        // Tied head: the output projection is the token embedding matrix (Press & Wolf 2017).
        return functional.linear(x, wte.weight!);
    }

    /// <summary>Mean cross-entropy (nats per token) of predicting <paramref name="targets"/> from <paramref name="idx"/>.</summary>
    public Tensor Loss(Tensor idx, Tensor targets)
    {
        var logits = forward(idx);
        return functional.cross_entropy(logits.view(-1, logits.shape[2]), targets.view(-1));
    }

    /// <summary>
    /// Continues <paramref name="idx"/> (1, T) by <paramref name="newTokens"/> tokens, sampling from the softmax at
    /// <paramref name="temperature"/> restricted to the <paramref name="topK"/> most likely tokens (0: all).
    /// The context is cropped to the model's when it grows past it.
    /// </summary>
    public Tensor Generate(Tensor idx, int newTokens, double temperature, int topK, Generator generator, int? stopAt = null)
    {
        using var _ = no_grad();
        var wasTraining = training;
        eval();
        try
        {
            var seq = idx.alias();
            for (int i = 0; i < newTokens; i++)
            {
                using var scope = NewDisposeScope();
                var window = seq.shape[1] <= Shape.Context ? seq : seq.narrow(1, seq.shape[1] - Shape.Context, Shape.Context);
                var logits = HeldScalar.Divide(forward(window).select(1, -1), temperature);
                if (topK > 0 && topK < logits.shape[1])
                {
                    var kth = logits.topk(topK).values.select(1, -1).unsqueeze(1);
                    logits = HeldScalar.MaskedFill(logits, logits < kth, double.NegativeInfinity);
                }
                var next = multinomial(functional.softmax(logits, dim: -1), 1, generator: generator);
                var grown = cat([seq, next], dim: 1).MoveToOuterDisposeScope();
                seq.Dispose();
                seq = grown;
                if (stopAt is int stop && next.item<long>() == stop) break;
            }
            return seq;
        }
        finally
        {
            train(wasTraining);
        }
    }
}

/// <summary>The sizes that define a <see cref="Gpt"/>.</summary>
public sealed record GptShape(int Vocab, int Context, int Layers, int Heads, int Width, double Dropout = 0.0, bool Bias = true)
{
    public static GptShape From(TrainConfig c, int vocab) => new(vocab, c.Context, c.Layers, c.Heads, c.Width, c.Dropout, c.Bias);
}
