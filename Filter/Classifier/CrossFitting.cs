using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;

namespace DataPipe.Filter.Classifier;

/// <summary>How the filter's documents are kept from being scored by a model that learned from them.</summary>
public enum ClassifierScoring
{
    /// <summary>One model, trained on the filter's own input as negatives, scores that input (the scores are in-sample).</summary>
    InSample,

    /// <summary>
    /// Cross-fitting: the negatives are cut into k folds by document id; model f learns from every fold but f and
    /// scores only the documents of fold f. Every score is out of sample, and every document still contributes to
    /// k − 1 of the k models (Chernozhukov et al. 2018's cross-fitting; k-fold cross-validation's split).
    /// </summary>
    CrossFit,

    /// <summary>The negatives are a separate sample (another input), so the filter's documents are never among them.</summary>
    Disjoint,
}

/// <summary>
/// The fold models of a cross-fitted classifier: <c>DIR/folds.json</c> ({"folds": k}) and <c>DIR/fold-NN/</c>, each a
/// model folder (<see cref="ModelFolder"/>). A document's fold is a hash of its id, so the training step and the
/// filter agree without sharing anything but the id.
/// </summary>
public sealed class CrossFitScorer
{
    public const string FoldsFile = "folds.json";

    private readonly QualityScorer[] _folds;

    private CrossFitScorer(QualityScorer[] folds) => _folds = folds;

    public int Folds => _folds.Length;

    /// <summary>The fold model folder <paramref name="fold"/> inside <paramref name="dir"/>.</summary>
    public static string FoldDir(string dir, int fold) => Path.Combine(dir, $"fold-{fold:D2}");

    /// <summary>The fold of a document id among <paramref name="folds"/> (first 8 bytes of its SHA-256).</summary>
    public static int FoldOf(string id, int folds) =>
        (int)(BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(id)), 0) % (ulong)folds);

    public static CrossFitScorer Load(string dir)
    {
        string file = Path.Combine(dir, FoldsFile);
        if (!File.Exists(file)) throw new DataPipeException($"{dir}: not a cross-fitted classifier ({FoldsFile} missing)");
        int k;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            k = doc.RootElement.GetProperty("folds").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataPipeException($"{file}: expected {{\"folds\": k}} ({e.Message})");
        }
        if (k < 2) throw new DataPipeException($"{file}: folds must be >= 2, is {k}");
        return new CrossFitScorer([.. Enumerable.Range(0, k).Select(f => QualityScorer.Load(FoldDir(dir, f)))]);
    }

    /// <summary>The score of a document by the model that did not learn from its fold.</summary>
    public float Score(string id, ReadOnlySpan<char> text) => _folds[FoldOf(id, _folds.Length)].Score(text);

    /// <summary>
    /// Per-example weights that give each positive source its mixing share of the positive class: source s with
    /// weight w_s and n_s examples gets w_s / Σw · P / n_s per example (P: all positives), so the class as a whole
    /// still weighs P and class balancing works as before.
    /// </summary>
    public static List<LabeledText> Mix(IReadOnlyList<(IReadOnlyList<LabeledText> Examples, double Weight)> sources)
    {
        int total = sources.Sum(s => s.Examples.Count);
        double weights = sources.Where(s => s.Examples.Count > 0).Sum(s => s.Weight);
        var result = new List<LabeledText>(total);
        foreach (var (examples, weight) in sources)
        {
            if (examples.Count == 0) continue;
            double each = weight / weights * total / examples.Count;
            result.AddRange(examples.Select(e => e with { Weight = each }));
        }
        return result;
    }
}
