using System.Runtime.InteropServices;

namespace DataPipe.Dedup.Shuffle;

/// <summary>
/// One document in one bucket: the bucket key (a band's hash, or an exact key) and a reference packing the key's
/// band (top 8 bits) with the document's global row index (low 56 bits). Sorting entries orders them by bucket, then
/// band, then document, so each bucket's members come out together and in input order. 16 bytes on disk.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly record struct BucketEntry(ulong Key, ulong Ref) : IComparable<BucketEntry>
{
    public const int MaxBands = 256;
    private const int DocBits = 56;
    private const ulong DocMask = (1UL << DocBits) - 1;

    public static BucketEntry Create(ulong key, int band, long doc) => new(key, ((ulong)band << DocBits) | ((ulong)doc & DocMask));

    public int Band => (int)(Ref >> DocBits);

    public long Doc => (long)(Ref & DocMask);

    public static bool operator <(BucketEntry left, BucketEntry right) => left.CompareTo(right) < 0;

    public static bool operator <=(BucketEntry left, BucketEntry right) => left.CompareTo(right) <= 0;

    public static bool operator >(BucketEntry left, BucketEntry right) => left.CompareTo(right) > 0;

    public static bool operator >=(BucketEntry left, BucketEntry right) => left.CompareTo(right) >= 0;

    public int CompareTo(BucketEntry other)
    {
        int c = Key.CompareTo(other.Key);
        return c != 0 ? c : Ref.CompareTo(other.Ref);
    }

    /// <summary>The bucket partition of a key: its position in the 64-bit hash range, cut into equal parts.</summary>
    public static int PartitionOf(ulong key, int partitions) => (int)(((UInt128)key * (uint)partitions) >> 64);
}
