using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataPipe.Filter;

/// <summary>
/// GPT-3's keep rule for classifier-scored documents (Brown et al. 2020, appendix A): keep a document when
/// <c>np.random.pareto(α) &gt; 1 − score</c>, with α = 9, so that mostly high-scoring documents survive but some
/// lower-scored ones do too, for diversity. numpy's <c>pareto(α)</c> is the Lomax distribution, drawn here by inversion
/// as <c>U^(−1/α) − 1</c>; so P(keep | score s) = (2 − s)^(−α): 1 at s = 1, about 0.002 at s = 0.
/// The uniform U is not random per run: it is derived from a hash of the document id and a seed, so reruns and
/// different task splits keep the same documents.
/// </summary>
public sealed class ParetoSampler(double alpha = 9, ulong seed = 0)
{
    public double Alpha { get; } = alpha > 0 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), "alpha must be positive");
    public ulong Seed { get; } = seed;

    /// <summary>The Lomax(α) draw of a document: deterministic in its id and the seed.</summary>
    public double Draw(string documentId)
    {
        ulong h = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(documentId.AsSpan()), (long)Seed);
        // U in (0, 1]: 53 random bits, never 0.
        double u = ((h >> 11) + 1) * (1.0 / (1UL << 53));
        return Math.Pow(u, -1.0 / Alpha) - 1.0;
    }

    public bool Keep(string documentId, double score) => Draw(documentId) > 1.0 - score;

    /// <summary>The probability that a document with this score is kept: (2 − s)^(−α).</summary>
    public double KeepProbability(double score) => Math.Pow(2.0 - Math.Clamp(score, 0, 1), -Alpha);
}
