using System.CommandLine;
using System.Globalization;
using DataPipe.Filter.Classifier;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Jobs.Cli;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe filter train-classifier --positives ... --negatives ... --output MODEL</c>: trains the quality classifier
/// (hashed word unigrams and bigrams, logistic regression or one hidden layer, TorchSharp on cuda when present) and
/// writes the model folder with report.json and score-histogram.png. Its training flags are generated from
/// <see cref="ClassifierTrainingSchema"/>, the schema of a filter stage's <c>classifier:</c> section.
/// </summary>
public static class FilterTrainClassifierCommand
{
    public static Command Create()
    {
        var positives = new Option<string[]>("--positives") { Description = "Curated text: .txt/.md, .jsonl/.json (.gz), .parquet, .html files, folders or globs", Required = true, AllowMultipleArgumentsPerToken = true };
        var negatives = new Option<string[]>("--negatives") { Description = "Raw web text: a documents dataset folder, or files as for --positives", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "Model folder to write (replaced when it exists)", Required = true };
        var flags = ClassifierTrainingSchema.Schema.CreateFlags(new ClassifierTrainingSettings());
        // The older spelling of --bigrams false.
        var noBigrams = new Option<bool>("--no-bigrams") { Description = "Same as --bigrams false: words only, no word pairs" };

        var command = new Command("train-classifier", "Train the quality classifier: curated positives against raw web negatives")
        {
            positives, negatives, output, noBigrams,
        };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            var start = new ClassifierTrainingSettings();
            if (parse.GetValue(noBigrams))
                start = start with { Training = start.Training with { Features = start.Training.Features with { Bigrams = false } } };
            var settings = ClassifierTrainingSchema.Schema.ReadFlags(parse, flags, start);
            string dir = parse.GetValue(output)!;
            var trained = await TrainClassifier.RunAsync(parse.GetValue(positives)!, parse.GetValue(negatives)!, dir, settings.Text, settings.Training, TextWrap.Print, ct).ConfigureAwait(false);
            Print(trained.Report, dir);
            return 0;
        });
        return command;
    }

    private static void Print(ClassifierReport r, string dir)
    {
        foreach (var line in ClassifierReportText.Lines(r, Path.GetFullPath(dir))) Console.WriteLine(line);
    }
}
