using static TorchSharp.torch;

namespace DataPipe.Tests.Core;

/// <summary>
/// TorchSharp's native library needs a GLIBCXX version newer than Debian 12's; the build patches the copy in the
/// output folder (build/TorchSharpGlibcxxFix.targets). If that patch is missing, these tests fail at load time.
/// </summary>
public class TorchSharpLoadsTests
{
    [Fact]
    public void A_matrix_product_computes_on_the_cpu()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        using var c = matmul(a, b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Autograd_computes_a_gradient()
    {
        using var x = tensor(new float[] { 3 }, requires_grad: true);
        using var y = x * x;
        y.backward();
        Assert.Equal(6f, x.grad!.item<float>());
    }
}
