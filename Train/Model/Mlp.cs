using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DataPipe.Train.Model;

/// <summary>The position-wise feed-forward block of GPT-2: width -> 4·width, GELU, -> width.</summary>
internal sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear c_fc;
    private readonly GELU gelu;
    private readonly Linear c_proj;
    private readonly Dropout dropout;

    public Mlp(int width, double dropout, bool bias) : base(nameof(Mlp))
    {
        c_fc = Linear(width, 4 * width, hasBias: bias);
        gelu = GELU();
        c_proj = Linear(4 * width, width, hasBias: bias);
        this.dropout = Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>The projection back into the residual stream; GPT-2 scales its initialisation by 1/sqrt(2·layers).</summary>
    public Linear OutputProjection => c_proj;

    public override Tensor forward(Tensor x) => dropout.forward(c_proj.forward(gelu.forward(c_fc.forward(x))));
}
