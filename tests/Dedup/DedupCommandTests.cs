using DataPipe.Core.Datasets;
using DataPipe.Dedup;
using DataPipe.Jobs.Cli;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Dedup;

public class DedupCommandTests
{
    [Fact]
    public async Task The_dedup_command_writes_survivors_and_stats_and_exits_zero()
    {
        using var dir = new TempDir("dedup-cli");
        var docs = Enumerable.Range(0, 12).Select(i => DedupCorpus.Doc(i, DedupCorpus.Paragraph(i % 10))).ToList();
        await DedupCorpus.WriteAsync(dir["in"], docs);

        int rc = await DataPipeCli.RunAsync(["dedup", "--input", dir["in"], "--output", dir["out"], "--tasks", "2", "--workers", "2"]);

        Assert.Equal(0, rc);
        var stats = DatasetFolder.ReadJson<DedupStats>(dir["out/dedup_stats.json"])!;
        Assert.Equal(12, stats.DocumentsIn);
        Assert.Equal(10, stats.DocumentsOut);
        Assert.Equal(2, stats.ExactDuplicates);
        Assert.Equal(10, DatasetFolder.ReadSuccess(dir["out/documents"])!.RowsOut);
    }

    [Fact]
    public async Task Bands_without_rows_is_a_one_line_error_and_a_non_zero_exit()
    {
        using var dir = new TempDir("dedup-cli");
        await DedupCorpus.WriteAsync(dir["in"], [DedupCorpus.Doc(0, DedupCorpus.Paragraph(0))], parts: 1);
        var err = new StringWriter();
        var old = Console.Error;
        Console.SetError(err);
        int rc;
        try
        {
            rc = await DataPipeCli.RunAsync(["dedup", "--input", dir["in"], "--output", dir["out"], "--bands", "10"]);
        }
        finally
        {
            Console.SetError(old);
        }
        Assert.NotEqual(0, rc);
        Assert.Contains("bands and rows must be given together", err.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir["out/documents"]));
    }
}
