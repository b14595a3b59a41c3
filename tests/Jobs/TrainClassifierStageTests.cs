using DataPipe.Core.Errors;
using DataPipe.Filter.Classifier;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Jobs;

public class TrainClassifierStageTests
{
    private static TrainClassifierStageOptions Options(string positives, string negatives, int epochs = 2) => new()
    {
        Positives = [positives],
        Negatives = [negatives],
        Training = new ClassifierTrainingOptions { Epochs = epochs },
    };

    [Fact]
    public async Task The_classifier_steps_hash_follows_the_positives_bytes_and_the_options_not_the_file_times()
    {
        using var dir = new TempDir("classifier-hash");
        string negatives = await JobsFixtures.DocumentsDatasetAsync(dir["docs"], rows: 6, parts: 2);
        string positives = dir["curated.txt"];
        File.WriteAllText(positives, "A curated paragraph about the history of the city and its harbour.\n");

        string first = (await TrainClassifierStage.CreateAsync(Options(positives, negatives))).ConfigHash;
        File.SetLastWriteTimeUtc(positives, DateTime.UtcNow.AddDays(-3));
        Assert.Equal(first, (await TrainClassifierStage.CreateAsync(Options(positives, negatives))).ConfigHash);

        File.WriteAllText(positives, "A curated paragraph about the history of the town and its harbour.\n");
        string edited = (await TrainClassifierStage.CreateAsync(Options(positives, negatives))).ConfigHash;
        Assert.NotEqual(first, edited);
        Assert.NotEqual(edited, (await TrainClassifierStage.CreateAsync(Options(positives, negatives, epochs: 3))).ConfigHash);
    }

    [Fact]
    public async Task Negatives_that_are_not_a_complete_dataset_are_refused_naming_the_folder()
    {
        using var dir = new TempDir("classifier-hash");
        Directory.CreateDirectory(dir["half"]);
        File.WriteAllText(dir["curated.txt"], "text");
        var e = await Assert.ThrowsAnyAsync<DataPipeException>(() => TrainClassifierStage.CreateAsync(Options(dir["curated.txt"], dir["half"])));
        Assert.Contains(dir["half"], e.Message);
    }

    [Fact]
    public async Task Several_negatives_need_one_mixing_weight_each_and_the_weights_change_the_steps_hash()
    {
        using var dir = new TempDir("classifier-negatives");
        string pages = await JobsFixtures.DocumentsDatasetAsync(dir["pages"], rows: 6, parts: 2);
        string boilerplate = await JobsFixtures.DocumentsDatasetAsync(dir["boilerplate"], rows: 6, parts: 1);
        File.WriteAllText(dir["curated.txt"], "A curated paragraph about the history of the city and its harbour.\n");
        var two = Options(dir["curated.txt"], pages) with { Negatives = [pages, boilerplate] };

        var e = await Assert.ThrowsAnyAsync<DataPipeException>(() => TrainClassifierStage.CreateAsync(two with { NegativeWeights = [1] }));
        Assert.Contains("1 negative weights for 2 negatives", e.Message);
        string even = (await TrainClassifierStage.CreateAsync(two)).ConfigHash;
        Assert.NotEqual(even, (await TrainClassifierStage.CreateAsync(two with { NegativeWeights = [1, 3] })).ConfigHash);
        Assert.NotEqual(even, (await TrainClassifierStage.CreateAsync(two with { Negatives = [pages] })).ConfigHash);
    }
}
