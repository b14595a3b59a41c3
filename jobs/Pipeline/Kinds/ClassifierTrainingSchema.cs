using DataPipe.Filter.Classifier;

namespace DataPipe.Jobs.Pipeline.Kinds;

/// <summary>How the quality classifier learns: the model's settings and how its training texts are cut.</summary>
public sealed record ClassifierTrainingSettings
{
    public ClassifierTrainingOptions Training { get; init; } = new();

    public TrainingTextOptions Text { get; init; } = new();
}

/// <summary>
/// The classifier's training options, declared once for a filter stage's <c>classifier:</c> section and
/// <c>datapipe filter train-classifier</c>'s flags (the positives, negatives, weights and scoring keys, which name files,
/// inputs and datasets, are declared here and read by <see cref="FilterKind"/> itself).
/// </summary>
public static class ClassifierTrainingSchema
{
    public static readonly OptionSchema<ClassifierTrainingSettings> Schema = new OptionSchema<ClassifierTrainingSettings>("classifier options")
        .Path("positives", "Curated text: .txt/.md, .jsonl/.json (.gz), .parquet, .html files, folders or globs (in a pipeline also input names)", list: true)
        .Path("negatives", "Raw web text: documents dataset folders (in a pipeline also input or stage names)", list: true, shown: "the filter stage's input")
        .KindRead("positive_weights", "Mixing weight of each positives entry", shown: "1 each", list: true, flag: false)
        .KindRead("negative_weights", "Mixing weight of each negatives entry", shown: "1 each", list: true, flag: false)
        .KindRead("scoring", "How the filter's documents get their scores: in_sample, crossfit (by the fold model that never saw them) or disjoint (negatives other than the input)",
            shown: "in_sample", flag: false)
        .KindRead("folds", "Folds of crossfit scoring [2..100]", shown: "5", flag: false)
        .Int("hash_bits", "log2 of the hashed feature buckets", c => c.Training.Features.HashBits,
            (c, v) => c with { Training = c.Training with { Features = c.Training.Features with { HashBits = v } } }, min: 10, max: 24)
        .Bool("bigrams", "Word pairs as well as words", c => c.Training.Features.Bigrams,
            (c, v) => c with { Training = c.Training with { Features = c.Training.Features with { Bigrams = v } } })
        .Bool("words", "Hashed words (and pairs, with bigrams): what a page is about", c => c.Training.Features.Words,
            (c, v) => c with { Training = c.Training with { Features = c.Training.Features with { Words = v } } })
        .Bool("style", "Style features that do not name the topic (function words, punctuation, line ends)", c => c.Training.Features.Style,
            (c, v) => c with { Training = c.Training with { Features = c.Training.Features with { Style = v } } })
        .Int("max_chars", "Characters of a text that are featurized", c => c.Training.Features.MaxChars,
            (c, v) => c with { Training = c.Training with { Features = c.Training.Features with { MaxChars = v } } }, min: 1)
        .Int("hidden", "Hidden layer size (0: logistic regression)", c => c.Training.Hidden, (c, v) => c with { Training = c.Training with { Hidden = v } }, min: 0, max: 4096)
        .Int("epochs", "Passes over the training examples", c => c.Training.Epochs, (c, v) => c with { Training = c.Training with { Epochs = v } }, min: 1, max: 10_000)
        .Int("batch_size", "Examples per step", c => c.Training.BatchSize, (c, v) => c with { Training = c.Training with { BatchSize = v } }, min: 1, max: 1 << 20)
        .Double("learning_rate", "Adam's learning rate", c => c.Training.LearningRate, (c, v) => c with { Training = c.Training with { LearningRate = v } }, min: 1e-9, max: 100)
        .Double("weight_decay", "L2 weight decay", c => c.Training.WeightDecay, (c, v) => c with { Training = c.Training with { WeightDecay = v } }, min: 0, max: 100)
        .Double("holdout", "Share of each class held out for the report", c => c.Training.HoldoutFraction, (c, v) => c with { Training = c.Training with { HoldoutFraction = v } }, min: 0, max: 0.9)
        .Int("seed", "Seed of the split, the shuffles and the initial weights", c => c.Training.Seed, (c, v) => c with { Training = c.Training with { Seed = v } })
        .Double("threshold", "Threshold of the report's precision/recall and the filter's default", c => c.Training.Threshold,
            (c, v) => c with { Training = c.Training with { Threshold = (float)v } }, min: 0, max: 1)
        .String("device", "Where to train (auto: cuda when available)", c => c.Training.Device, (c, v) => c with { Training = c.Training with { Device = v } }, choices: ["auto", "cpu", "cuda"])
        .Int("threads", "CPU threads for training (0: TorchSharp's default)", c => c.Training.Threads, (c, v) => c with { Training = c.Training with { Threads = v } }, min: 0, max: 1024)
        .Int("chunk_chars", "Plain-text inputs are cut into pieces of about this many characters", c => c.Text.ChunkChars, (c, v) => c with { Text = c.Text with { ChunkChars = v } }, min: 1)
        .Int("min_chars", "Shorter examples are not used", c => c.Text.MinChars, (c, v) => c with { Text = c.Text with { MinChars = v } }, min: 0)
        .Int("max_examples", "At most this many examples per class (0: all)", c => c.Text.MaxExamples, (c, v) => c with { Text = c.Text with { MaxExamples = v } }, min: 0)
        .Check(c => !c.Training.Features.Words && !c.Training.Features.Style ? ("words", "no features: words and style are both off") : null);
}
