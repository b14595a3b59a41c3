using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DataPipe.Train.Model;

/// <summary>
/// Multi-head causal self-attention (Vaswani et al. 2017; GPT-2): one projection makes queries, keys and values for all
/// heads, <c>scaled_dot_product_attention</c> with the causal mask does the rest (fused/flash kernels where the device
/// has them), an output projection brings the heads back to the residual stream.
/// </summary>
internal sealed class CausalSelfAttention : Module<Tensor, Tensor>
{
    // Field names are the parameter names (c_attn.weight, ...), as in GPT-2 and nanoGPT checkpoints.
    private readonly Linear c_attn;
    private readonly Linear c_proj;
    private readonly Dropout resid_dropout;
    private readonly int _heads;
    private readonly double _dropout;

    public CausalSelfAttention(int width, int heads, double dropout, bool bias) : base(nameof(CausalSelfAttention))
    {
        c_attn = Linear(width, 3 * width, hasBias: bias);
        c_proj = Linear(width, width, hasBias: bias);
        resid_dropout = Dropout(dropout);
        _heads = heads;
        _dropout = dropout;
        RegisterComponents();
    }

    /// <summary>The projection back into the residual stream; GPT-2 scales its initialisation by 1/sqrt(2·layers).</summary>
    public Linear OutputProjection => c_proj;

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        var qkv = c_attn.forward(x).split(c, dim: 2);
        // (B, T, C) -> (B, heads, T, head size)
        var q = qkv[0].view(b, t, _heads, c / _heads).transpose(1, 2);
        var k = qkv[1].view(b, t, _heads, c / _heads).transpose(1, 2);
        var v = qkv[2].view(b, t, _heads, c / _heads).transpose(1, 2);
        var y = functional.scaled_dot_product_attention(q, k, v, null, training ? _dropout : 0.0, true);
        y = y.transpose(1, 2).contiguous().view(b, t, c);
        return resid_dropout.forward(c_proj.forward(y));
    }
}
