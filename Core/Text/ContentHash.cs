using System.IO.Hashing;
using System.Text;

namespace DataPipe.Core.Text;

/// <summary>The <c>content_hash</c> column: XxHash64 of the UTF-8 bytes of <see cref="TextNormalizer.Normalize"/>(text).</summary>
public static class ContentHash
{
    public static long Of(string text) => OfNormalized(TextNormalizer.Normalize(text));

    public static long OfNormalized(string normalized)
    {
        int max = Encoding.UTF8.GetMaxByteCount(normalized.Length);
        byte[]? rented = max > 4096 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buf = rented ?? stackalloc byte[max];
        try
        {
            int n = Encoding.UTF8.GetBytes(normalized, buf);
            return unchecked((long)XxHash64.HashToUInt64(buf[..n]));
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
