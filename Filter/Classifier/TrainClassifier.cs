using DataPipe.Core.Datasets;

namespace DataPipe.Filter.Classifier;

/// <summary>
/// <c>datapipe filter train-classifier</c> end to end: read positives and negatives (<see cref="TrainingTexts"/>), train
/// (<see cref="ClassifierTrainer"/>), and write the model folder (<see cref="ModelFolder"/>) with its report and the
/// histogram picture. Nothing is written when any step fails.
/// </summary>
public static class TrainClassifier
{
    public static async Task<TrainedClassifier> RunAsync(
        IReadOnlyList<string> positives, IReadOnlyList<string> negatives, string outputDir,
        TrainingTextOptions textOptions, ClassifierTrainingOptions trainOptions, Action<string>? log = null, CancellationToken ct = default)
    {
        var pos = await TrainingTexts.ReadAsync(positives, positive: true, textOptions, ct).ConfigureAwait(false);
        log?.Invoke($"positives: {pos.Count} examples from {positives.Count} input(s)");
        var (neg, read) = await TrainingTexts.ReadNegativesAsync(negatives, textOptions, ct).ConfigureAwait(false);
        log?.Invoke($"negatives: {neg.Count} of {read} examples from {negatives.Count} input(s)");
        var trained = ClassifierTrainer.Train([.. pos, .. neg], trainOptions, log, ct);
        SaveModel(outputDir, trained);
        return trained;
    }

    /// <summary>Writes a trained classifier's model folder whole: weights, settings, report and histogram picture.</summary>
    public static void SaveModel(string outputDir, TrainedClassifier trained) =>
        ModelFolder.Save(outputDir, trained.Info, trained.Weights, tmp =>
        {
            DatasetFolder.WriteJsonAtomic(Path.Combine(tmp, ModelFolder.ReportFile), trained.Report);
            trained.Report.SaveHistogramPng(Path.Combine(tmp, ModelFolder.HistogramFile));
        });
}
