using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DataPipe.Train.Model;

/// <summary>A pre-LayerNorm transformer block (GPT-2): x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
internal sealed class Block : Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly Mlp mlp;

    public Block(int width, int heads, double dropout, bool bias) : base(nameof(Block))
    {
        ln_1 = LayerNorm(width, bias: bias);
        attn = new CausalSelfAttention(width, heads, dropout, bias);
        ln_2 = LayerNorm(width, bias: bias);
        mlp = new Mlp(width, dropout, bias);
        RegisterComponents();
    }

    public IEnumerable<Linear> OutputProjections => [attn.OutputProjection, mlp.OutputProjection];

    public override Tensor forward(Tensor x)
    {
        x = x + attn.forward(ln_1.forward(x));
        return x + mlp.forward(ln_2.forward(x));
    }
}
