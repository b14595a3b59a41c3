namespace DataPipe.Filter.Classifier;

/// <summary>Quality measures of a scorer on labelled examples: ROC AUC, precision and recall at a threshold, histograms.</summary>
public static class BinaryMetrics
{
    /// <summary>
    /// Area under the ROC curve: the probability that a random positive scores above a random negative (ties count
    /// one half), computed from ranks (Mann-Whitney U). NaN when a class is empty.
    /// </summary>
    public static double Auc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        int n = scores.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        double rankSumPos = 0;
        long pos = 0;
        int i0 = 0;
        while (i0 < n)
        {
            int i1 = i0;
            while (i1 + 1 < n && scores[order[i1 + 1]] == scores[order[i0]]) i1++;
            double rank = (i0 + i1) / 2.0 + 1;
            for (int k = i0; k <= i1; k++)
            {
                if (labels[order[k]])
                {
                    rankSumPos += rank;
                    pos++;
                }
            }
            i0 = i1 + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }

    /// <summary>Precision and recall of "score ≥ threshold means positive".</summary>
    public static (double Precision, double Recall) AtThreshold(IReadOnlyList<float> scores, IReadOnlyList<bool> labels, float threshold)
    {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            bool predicted = scores[i] >= threshold;
            if (predicted && labels[i]) tp++;
            else if (predicted) fp++;
            else if (labels[i]) fn++;
        }
        return (tp + fp == 0 ? 0 : (double)tp / (tp + fp), tp + fn == 0 ? 0 : (double)tp / (tp + fn));
    }

    /// <summary>Counts of scores in <paramref name="bins"/> equal bins over [0, 1].</summary>
    public static long[] Histogram(IEnumerable<float> scores, int bins)
    {
        var h = new long[bins];
        foreach (var s in scores) h[Math.Clamp((int)(s * bins), 0, bins - 1)]++;
        return h;
    }
}
