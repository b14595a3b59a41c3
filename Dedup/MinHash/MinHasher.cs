using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// With <c>vectorize</c> and AVX-512, eight permutations are evaluated per vector instruction; otherwise a scalar loop runs four
/// permutations per pass. Both give identical signatures; the scalar loop is the default because it measured at least as
/// fast here (see the constructor); normalization costs more than either.
/// </summary>
public sealed class MinHasher
{
    private readonly ulong[] _a;
    private readonly ulong[] _b;
    private readonly bool _vectorize;

    /// <param name="vectorize">
    /// Use the AVX-512 path where the CPU has it. Off by default: on this project's Xeon it measured no faster than the
    /// scalar loop (0.7-1.0x, bench dedup-signatures); CPUs with fast 64-bit vector multiplies may gain. Results are identical.
    /// </param>
    public MinHasher(int permutations, ulong seed = 0x5EED_D1D0_DA7A_0001UL, bool vectorize = false)
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
        if (_vectorize && Vector512.IsHardwareAccelerated)
        {
            // 8 permutations per 512-bit register, all blocks updated per shingle: independent chains, no loop-carried latency.
            int blocks = Permutations / 8;
            if (blocks > 0)
            {
                Span<Vector512<ulong>> min = stackalloc Vector512<ulong>[blocks];
                min.Fill(Vector512<ulong>.AllBitsSet);
                var a = MemoryMarshal.Cast<ulong, Vector512<ulong>>(_a.AsSpan(0, blocks * 8));
                var b = MemoryMarshal.Cast<ulong, Vector512<ulong>>(_b.AsSpan(0, blocks * 8));
                foreach (ulong x in shingles)
                {
                    var vx = Vector512.Create(x);
                    for (int j = 0; j < min.Length; j++)
                        min[j] = Vector512.Min(min[j], a[j] * vx + b[j]);
                }
                for (int j = 0; j < blocks; j++)
                {
                    var high = Vector512.ShiftRightLogical(min[j], 32);
                    for (int k = 0; k < 8; k++) signature[j * 8 + k] = (uint)high.GetElement(k);
                }
                i = blocks * 8;
            }
        }
        // Scalar: four permutations per pass over the shingles, so four independent min chains run at once.
        for (; i + 4 <= Permutations; i += 4)
        {
            ulong a0 = _a[i], a1 = _a[i + 1], a2 = _a[i + 2], a3 = _a[i + 3];
            ulong b0 = _b[i], b1 = _b[i + 1], b2 = _b[i + 2], b3 = _b[i + 3];
            ulong m0 = ulong.MaxValue, m1 = ulong.MaxValue, m2 = ulong.MaxValue, m3 = ulong.MaxValue;
            foreach (ulong x in shingles)
            {
                m0 = Math.Min(m0, unchecked(a0 * x + b0));
                m1 = Math.Min(m1, unchecked(a1 * x + b1));
                m2 = Math.Min(m2, unchecked(a2 * x + b2));
                m3 = Math.Min(m3, unchecked(a3 * x + b3));
            }
            signature[i] = (uint)(m0 >> 32);
            signature[i + 1] = (uint)(m1 >> 32);
            signature[i + 2] = (uint)(m2 >> 32);
            signature[i + 3] = (uint)(m3 >> 32);
        }
        for (; i < Permutations; i++)
        {
            ulong a = _a[i], b = _b[i], min = ulong.MaxValue;
            foreach (ulong x in shingles) min = Math.Min(min, unchecked(a * x + b));
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
