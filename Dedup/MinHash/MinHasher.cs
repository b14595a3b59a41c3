using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DataPipe.Dedup.MinHash;

/// <summary>
/// MinHash signatures (Broder 1997; Leskovec, Rajaraman and Ullman, Mining of Massive Datasets, ch. 3.3): for each of
/// <see cref="Permutations"/> random hash functions h_i, the signature holds min over the document's shingles of
/// h_i(shingle). Two documents agree on a position with probability equal to the Jaccard similarity of their shingle
/// sets. The permutations are multiply-shift hashes h_i(x) = high 32 bits of (a_i·x + b_i mod 2^64) with a_i odd
/// (Dietzfelbinger et al. 1997) over the shingle's 64-bit XxHash3, which is already well mixed; the minimum of the
/// 64-bit values is taken and shifted at the end (the high half is monotone in the whole). Coefficients come from
/// SplitMix64 seeded with <see cref="Seed"/>, so every task and machine computes identical signatures.
/// Four permutations are evaluated per 256-bit vector instruction where the CPU has 64-bit vector multiply.
/// </summary>
public sealed class MinHasher
{
    private readonly ulong[] _a;
    private readonly ulong[] _b;
    private readonly bool _vectorize;

    /// <param name="vectorize">False forces the scalar loop (for comparison in the benchmark); results are identical.</param>
    public MinHasher(int permutations, ulong seed = 0x5EED_D1D0_DA7A_0001UL, bool vectorize = true)
    {
        _vectorize = vectorize;
        ArgumentOutOfRangeException.ThrowIfLessThan(permutations, 1);
        Permutations = permutations;
        Seed = seed;
        _a = new ulong[permutations];
        _b = new ulong[permutations];
        ulong state = seed;
        for (int i = 0; i < permutations; i++)
        {
            _a[i] = SplitMix64(ref state) | 1UL;
            _b[i] = SplitMix64(ref state);
        }
    }

    public int Permutations { get; }

    public ulong Seed { get; }

    /// <summary>
    /// Writes the signature of a shingle multiset into <paramref name="signature"/> (length <see cref="Permutations"/>).
    /// With no shingles every position is <see cref="uint.MaxValue"/>; callers treat such documents as unsignable.
    /// </summary>
    public void Compute(ReadOnlySpan<ulong> shingles, Span<uint> signature)
    {
        if (signature.Length != Permutations)
            throw new ArgumentException($"signature has {signature.Length} positions, expected {Permutations}", nameof(signature));
        int i = 0;
        if (_vectorize && Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= Permutations; i += 4)
            {
                var a = Vector256.Create<ulong>(_a.AsSpan(i, 4));
                var b = Vector256.Create<ulong>(_b.AsSpan(i, 4));
                var min = Vector256<ulong>.AllBitsSet;
                foreach (ulong x in shingles)
                    min = Vector256.Min(min, a * Vector256.Create(x) + b);
                var high = Vector256.ShiftRightLogical(min, 32);
                signature[i] = (uint)high.GetElement(0);
                signature[i + 1] = (uint)high.GetElement(1);
                signature[i + 2] = (uint)high.GetElement(2);
                signature[i + 3] = (uint)high.GetElement(3);
            }
        }
        for (; i < Permutations; i++)
        {
            ulong a = _a[i], b = _b[i], min = ulong.MaxValue;
            foreach (ulong x in shingles)
            {
                ulong v = unchecked(a * x + b);
                if (v < min) min = v;
            }
            signature[i] = (uint)(min >> 32);
        }
    }

    public uint[] Compute(ReadOnlySpan<ulong> shingles)
    {
        var s = new uint[Permutations];
        Compute(shingles, s);
        return s;
    }

    /// <summary>True when the signature came from no shingles at all (an empty document).</summary>
    public static bool IsEmpty(ReadOnlySpan<uint> signature) => !signature.ContainsAnyExcept(uint.MaxValue);

    /// <summary>Share of positions where two signatures agree: the MinHash estimate of their Jaccard similarity.</summary>
    public static double EstimateJaccard(ReadOnlySpan<uint> x, ReadOnlySpan<uint> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("signatures of different lengths");
        if (x.Length == 0) return 0;
        int same = 0;
        for (int i = 0; i < x.Length; i++) if (x[i] == y[i]) same++;
        return (double)same / x.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
