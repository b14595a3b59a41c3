using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Tests.Support;
using DataPipe.Train.Ablation;
using DataPipe.Train.Data;

namespace DataPipe.Tests.Train;

public class DataAblationTests
{
    /// <summary>A complete documents dataset (one part and _SUCCESS.json) holding these texts.</summary>
    private static async Task<string> DatasetAsync(string dir, IEnumerable<string> texts)
    {
        Directory.CreateDirectory(dir);
        int i = 0;
        await using (var w = await DocumentWriter.CreateAsync(Path.Combine(dir, DatasetFolder.PartFileName(0))))
            foreach (string t in texts) await w.WriteAsync(TestDocuments.Make(i++, t));
        DatasetFolder.WriteJsonAtomic(Path.Combine(dir, DatasetFolder.SuccessFile), new SuccessRecord { Stage = "test", TaskCount = 1, RowsOut = i });
        return dir;
    }

    [Fact]
    public async Task Curated_text_beats_boilerplate_on_held_out_curated_text_with_the_same_model_and_tokens()
    {
        using var dir = new TempDir("ablate");
        // Curated arm: Shakespeare's blocks; raw arm: the navigation-and-cookie boilerplate that unfiltered crawls are full of.
        var curatedTexts = PlainTextShards.Documents(File.ReadAllText(TrainFixtures.Shakespeare)).Take(400);
        var rawTexts = Enumerable.Range(0, 400).Select(i =>
            $"HOME | LOGIN | REGISTER | CART ({i % 9}) >> Accept all cookies? [YES] [NO] -- Copyright 2024 -- PAGE {i} OF 400 -- SHARE: FB TW IG");
        string raw = await DatasetAsync(dir["raw"], rawTexts);
        string curated = await DatasetAsync(dir["curated"], curatedTexts);
        string heldOut = Path.Combine(dir.Path, "held-out.txt");
        // Held-out curated text the models never train on: the end of the same play collection.
        File.WriteAllText(heldOut, string.Join("\n\n", PlainTextShards.Documents(File.ReadAllText(TrainFixtures.Shakespeare)).Skip(6000).Take(60)));

        var report = await DataAblation.RunAsync(new AblationOptions
        {
            Arms = [new AblationArm("raw", raw), new AblationArm("curated", curated)],
            Tokenizer = "byte",
            HeldOut = [heldOut],
            Config = TrainFixtures.Tiny() with { Lr = 1e-2, MinLr = 1e-3 },
            Tokens = 60 * 8 * 64,
            Out = dir["report"],
            Evaluations = 3,
        });

        Assert.Equal(["raw", "curated"], report.Arms.Select(a => a.Name));
        Assert.All(report.Arms, a => Assert.Equal(60L * 8 * 64, a.TokensTrained));
        Assert.All(report.Arms, a => Assert.Equal(3, a.Curve.Count));
        Assert.True(report.Arms[1].FinalValLoss < report.Arms[0].FinalValLoss - 0.3,
            $"curated {report.Arms[1].FinalValLoss:F3} vs raw {report.Arms[0].FinalValLoss:F3} nats/token");
        Assert.True(File.Exists(Path.Combine(dir["report"], DataAblation.ReportFile)));
        Assert.True(new FileInfo(report.Plot).Length > 1000);
    }

    [Fact]
    public async Task An_incomplete_dataset_is_refused_naming_its_folder()
    {
        using var dir = new TempDir("ablate");
        Directory.CreateDirectory(dir["half"]);
        string ok = await DatasetAsync(dir["ok"], ["some text"]);
        File.WriteAllText(Path.Combine(dir.Path, "h.txt"), "held out");
        var e = await Assert.ThrowsAsync<DataPipeException>(() => DataAblation.RunAsync(new AblationOptions
        {
            Arms = [new AblationArm("raw", dir["half"]), new AblationArm("curated", ok)],
            Tokenizer = "byte",
            HeldOut = [Path.Combine(dir.Path, "h.txt")],
            Config = TrainFixtures.Tiny(),
            Tokens = 1000,
            Out = dir["report"],
        }));
        Assert.Contains(dir["half"], e.Message);
    }
}
