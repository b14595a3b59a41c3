using TorchSharp;
using static TorchSharp.torch;

namespace DataPipe.Train.Model;

/// <summary>
/// Tensor-by-number operations whose <see cref="Scalar"/> stays alive until libtorch has read it.
/// TorchSharp hands a Scalar's native handle to libtorch and does not keep the managed object alive during the call,
/// so a temporary made by an implicit conversion (<c>loss / 4</c>) can be finalized by a garbage collection started on
/// another thread while libtorch still reads it; libtorch then sees freed memory and fails with "Unknown scalar type"
/// or a failed toLong check. This was seen rarely when tests train several models at once. Here the Scalar is a
/// <c>using</c> variable, disposed only after the operation returns.
/// </summary>
public static class HeldScalar
{
    public static Tensor Divide(Tensor t, double divisor)
    {
        using var s = divisor.ToScalar();
        return t.div(s);
    }

    public static Tensor MaskedFill(Tensor t, Tensor mask, double value)
    {
        using var s = value.ToScalar();
        return t.masked_fill(mask, s);
    }
}
