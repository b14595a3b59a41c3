using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataPipe.Dedup.MinHash;

/// <summary>
/// Locality-sensitive hashing by banding (Leskovec, Rajaraman and Ullman, Mining of Massive Datasets, ch. 3.4): the
/// signature is cut into <see cref="Bands"/> bands of <see cref="Rows"/> rows; two documents become a candidate pair
/// when all rows of at least one band agree, which happens with probability P(s) = 1 − (1 − s^r)^b for Jaccard
/// similarity s: an S-curve whose steep part sits near (1/b)^(1/r). GPT-3 (Brown et al. 2020) used Spark's
/// MinHashLSH the same way. Defaults (14 bands × 8 rows = 112 permutations) put P(0.8) = 0.92 and P(0.85) = 0.99.
/// </summary>
public sealed record LshBanding(int Bands, int Rows)
{
    /// <summary>The smallest candidate probability at the threshold that <see cref="ForThreshold"/> accepts.</summary>
    public const double MinimumRecallAtThreshold = 0.92;

    public int Permutations => Bands * Rows;

    /// <summary>P(candidate | Jaccard s) = 1 − (1 − s^r)^b.</summary>
    public double CandidateProbability(double s) => 1 - Math.Pow(1 - Math.Pow(s, Rows), Bands);

    /// <summary>
    /// Picks bands × rows ≤ <paramref name="permutations"/> for a similarity threshold: among the settings whose
    /// S-curve reaches <see cref="MinimumRecallAtThreshold"/> at the threshold, the one with the smallest area under
    /// the curve below the threshold (fewest expected candidates that verification must reject). At 0.8 with 112
    /// permutations this is 14 × 8.
    /// </summary>
    public static LshBanding ForThreshold(double threshold, int permutations = 112)
    {
        if (threshold is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be in (0, 1]");
        LshBanding? best = null;
        double bestArea = double.MaxValue;
        for (int b = 1; b <= permutations; b++)
        {
            for (int r = 1; b * r <= permutations; r++)
            {
                var c = new LshBanding(b, r);
                if (c.CandidateProbability(threshold) < MinimumRecallAtThreshold) continue;
                double area = c.Area(0, threshold);
                if (area < bestArea - 1e-12)
                {
                    bestArea = area;
                    best = c;
                }
            }
        }
        return best ?? new LshBanding(permutations, 1);
    }

    /// <summary>Integral of the S-curve over [from, to] (midpoint rule).</summary>
    public double Area(double from, double to, int steps = 400)
    {
        double h = (to - from) / steps, sum = 0;
        for (int i = 0; i < steps; i++) sum += CandidateProbability(from + (i + 0.5) * h);
        return sum * h;
    }

    /// <summary>The bucket key of band <paramref name="band"/>: XxHash3 of its rows, seeded by the band index.</summary>
    public ulong BandKey(ReadOnlySpan<uint> signature, int band)
    {
        var rows = signature.Slice(band * Rows, Rows);
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(rows), band + 1);
    }
}
