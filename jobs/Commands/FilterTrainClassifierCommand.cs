using System.CommandLine;
using System.Globalization;
using DataPipe.Filter.Classifier;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe filter train-classifier --positives ... --negatives ... --output MODEL</c>: trains the quality classifier
/// (hashed word unigrams and bigrams, logistic regression or one hidden layer, TorchSharp on cuda when present) and
/// writes the model folder with report.json and score-histogram.png.
/// </summary>
public static class FilterTrainClassifierCommand
{
    public static Command Create()
    {
        var positives = new Option<string[]>("--positives") { Description = "Curated text: .txt/.md, .jsonl/.json (.gz), .parquet, .html files, folders or globs", Required = true, AllowMultipleArgumentsPerToken = true };
        var negatives = new Option<string[]>("--negatives") { Description = "Raw web text: a documents dataset folder, or files as for --positives", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "Model folder to write (replaced when it exists)", Required = true };
        var defaults = new ClassifierTrainingOptions();
        var textDefaults = new TrainingTextOptions();
        var hashBits = new Option<int>("--hash-bits") { Description = "log2 of the feature buckets (18..22)", DefaultValueFactory = _ => defaults.Features.HashBits };
        var noBigrams = new Option<bool>("--no-bigrams") { Description = "Words only, no word pairs" };
        var hidden = new Option<int>("--hidden") { Description = "Hidden layer size (0: logistic regression)", DefaultValueFactory = _ => defaults.Hidden };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => defaults.Epochs };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--learning-rate") { DefaultValueFactory = _ => defaults.LearningRate };
        var holdout = new Option<double>("--holdout") { Description = "Share of each class held out for the report", DefaultValueFactory = _ => defaults.HoldoutFraction };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => defaults.Seed };
        var threshold = new Option<float>("--threshold") { Description = "Threshold of the report's precision/recall and the filter's default", DefaultValueFactory = _ => defaults.Threshold };
        var device = new Option<string>("--device") { Description = "auto (cuda when available), cpu or cuda", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for training (0: TorchSharp's default)", DefaultValueFactory = _ => defaults.Threads };
        var chunk = new Option<int>("--chunk-chars") { Description = "Plain-text inputs are cut into pieces of about this many characters", DefaultValueFactory = _ => textDefaults.ChunkChars };
        var minChars = new Option<int>("--min-chars") { Description = "Shorter examples are not used", DefaultValueFactory = _ => textDefaults.MinChars };
        var maxExamples = new Option<int>("--max-examples") { Description = "At most this many examples per class (0: all)", DefaultValueFactory = _ => 0 };

        var command = new Command("train-classifier", "Train the quality classifier: curated positives against raw web negatives")
        {
            positives, negatives, output, hashBits, noBigrams, hidden, epochs, batch, lr, holdout, seed, threshold, device, threads, chunk, minChars, maxExamples,
        };
        command.SetAction(async (parse, ct) =>
        {
            var text = new TrainingTextOptions { ChunkChars = parse.GetValue(chunk), MinChars = parse.GetValue(minChars), MaxExamples = parse.GetValue(maxExamples) };
            var train = new ClassifierTrainingOptions
            {
                Features = new FeatureSettings { HashBits = parse.GetValue(hashBits), Bigrams = !parse.GetValue(noBigrams) },
                Hidden = parse.GetValue(hidden),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                HoldoutFraction = parse.GetValue(holdout),
                Seed = parse.GetValue(seed),
                Threshold = parse.GetValue(threshold),
                Device = parse.GetValue(device)!,
                Threads = parse.GetValue(threads),
            };
            string dir = parse.GetValue(output)!;
            var trained = await TrainClassifier.RunAsync(parse.GetValue(positives)!, parse.GetValue(negatives)!, dir, text, train, Console.WriteLine, ct).ConfigureAwait(false);
            Print(trained.Report, dir);
            return 0;
        });
        return command;
    }

    private static void Print(ClassifierReport r, string dir)
    {
        static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        var table = new Table().Title("[bold]filter train-classifier[/]").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("train examples (pos / neg)", $"{r.TrainPositives:N0} / {r.TrainNegatives:N0}");
        table.AddRow("held out (pos / neg)", $"{r.HoldoutPositives:N0} / {r.HoldoutNegatives:N0}");
        table.AddRow("held-out AUC", F(r.HoldoutAuc));
        table.AddRow("train AUC", F(r.TrainAuc));
        table.AddRow($"precision @ {r.Threshold.ToString(CultureInfo.InvariantCulture)}", F(r.Precision));
        table.AddRow($"recall @ {r.Threshold.ToString(CultureInfo.InvariantCulture)}", F(r.Recall));
        table.AddRow("device", r.Device);
        table.AddRow("training seconds", r.TrainSeconds.ToString("F2", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"model: [blue]{Markup.Escape(Path.GetFullPath(dir))}[/] ({ModelFolder.ReportFile}, {ModelFolder.HistogramFile})");
    }
}
