using DataPipe.Jobs.Cli;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Filter;

public class FilterCommandTests
{
    [Fact]
    public async Task A_missing_input_dataset_exits_non_zero_and_writes_no_output()
    {
        using var dir = new TempDir();
        int code = await DataPipeCli.RunAsync(["filter", "--input", dir["missing"], "--output", dir["out"]]);
        Assert.NotEqual(0, code);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task A_missing_model_folder_exits_non_zero_and_writes_no_output()
    {
        using var dir = new TempDir();
        string input = await RawWebPages.WriteDatasetAsync(dir["raw"]);
        int code = await DataPipeCli.RunAsync(["filter", "--input", input, "--output", dir["out"], "--model", dir["no-model"]]);
        Assert.NotEqual(0, code);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task Train_classifier_with_empty_positives_exits_non_zero_and_writes_no_model()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["empty.txt"], "");
        int code = await DataPipeCli.RunAsync(["filter", "train-classifier", "--positives", dir["empty.txt"], "--negatives", dir["empty.txt"], "--output", dir["model"]]);
        Assert.NotEqual(0, code);
        Assert.False(Directory.Exists(dir["model"]));
    }

    [Fact]
    public async Task The_filter_command_runs_the_rules_over_a_dataset_and_records_counters()
    {
        using var dir = new TempDir();
        string input = await RawWebPages.WriteDatasetAsync(dir["raw"]);
        int code = await DataPipeCli.RunAsync(["filter", "--input", input, "--output", dir["out"], "--tasks", "2", "--keep-rejected"]);
        Assert.Equal(0, code);
        var success = DataPipe.Core.Datasets.DatasetFolder.ReadSuccess(dir["out"])!;
        Assert.Equal(RawWebPages.All.Count, success.RowsIn);
        long dropped = success.Counters.Where(c => c.Key.StartsWith("dropped.", StringComparison.Ordinal)).Sum(c => c.Value);
        Assert.Equal(success.RowsIn, success.RowsOut + dropped);
        Assert.Equal(success.RowsOut, success.Counters.GetValueOrDefault("kept"));
    }
}
