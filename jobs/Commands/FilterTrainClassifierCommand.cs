using System.CommandLine;
using System.Globalization;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Execution;
using DataPipe.Filter.Classifier;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using Spectre.Console;
using YamlDotNet.RepresentationModel;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe filter train-classifier --positives ... --negatives ... --output DIR</c>: trains the quality classifier
/// (hashed word unigrams and bigrams, logistic regression or one hidden layer, TorchSharp on cuda when present) as the
/// classifier step of a one-stage filter pipeline (<see cref="OneStagePipeline"/>, <see cref="TrainClassifierStage"/>):
/// DIR is that step's folder, the model folder (with report.json and score-histogram.png) is DIR/model. Its training
/// flags are generated from <see cref="ClassifierTrainingSchema"/>, the schema of a filter stage's <c>classifier:</c> section.
/// </summary>
public static class FilterTrainClassifierCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Classifier stage folder: the model in OUTPUT/model (filter --model takes either)", Required = true };
        var force = CommonOptions.Force();
        var flags = ClassifierTrainingSchema.Schema.CreateFlags(new ClassifierTrainingSettings());
        // The older spelling of --bigrams false.
        var noBigrams = new Option<bool>("--no-bigrams") { Description = "Same as --bigrams false: words only, no word pairs" };

        var command = new Command("train-classifier", "Train the quality classifier: curated positives against raw web negatives")
        {
            output, force, noBigrams,
        };
        foreach (var flag in flags) command.Add(flag);
        command.SetAction(async (parse, ct) =>
        {
            // A filter stage whose classifier section trains the model, of which only the training step runs: the
            // positives and negatives are the section's keys, the flags its training options.
            var classifier = ClassifierTrainingSchema.Schema.FlagsToMapping(parse, flags);
            if (parse.GetValue(noBigrams) && !classifier.Children.ContainsKey(new YamlScalarNode("bigrams"))) classifier.Add("bigrams", "false");
            // The negatives are the stage's input as well (the first of them: a filter stage reads one dataset).
            if (!classifier.Children.TryGetValue(new YamlScalarNode("negatives"), out var negatives) || negatives is not YamlSequenceNode { Children: [YamlScalarNode { Value: { } first }, ..] })
                throw new PipelineConfigException("command line: classifier.negatives: required: the raw web documents datasets (--negatives)");
            var options = new YamlMappingNode { { "classifier", classifier } };
            string dir = parse.GetValue(output)!;
            var results = await OneStagePipeline.RunAsync(new FilterKind(), [first], options, dir, 1,
                new ExecutorOptions { Workers = 1, MaxAttempts = 1, Force = parse.GetValue(force) }, ct, new OneStageChoice { Step = FilterKind.ClassifierStep }).ConfigureAwait(false);
            string model = TrainClassifierStage.ModelIn(results[0].OutputDir);
            var report = DatasetFolder.ReadJson<ClassifierReport>(Path.Combine(model, ModelFolder.ReportFile))
                ?? throw new DataPipeException($"{model}: {ModelFolder.ReportFile} missing after the stage finished");
            Print(report, model);
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
