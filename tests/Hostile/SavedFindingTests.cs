using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Fuzz.Targets;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Hostile;

/// <summary>
/// Regression tests for what fuzzing found: every input in tests/Hostile/inputs (named TARGET.what-it-does.ext) is
/// run through its target again and must now be rejected with the parser's documented error, inside the target's time
/// and allocation budgets.
/// </summary>
[Collection(HostileCollection.Name)]
public class SavedFindingTests
{
    private static string Inputs => Path.Combine(Repo.Root, "tests", "Hostile", "inputs");

    public static TheoryData<string> SavedInputs() =>
        [.. Directory.GetFiles(Path.Combine(Repo.Root, "tests", "Hostile", "inputs")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(SavedInputs))]
    public void Saved_fuzz_finding_is_rejected_cleanly_within_budget(string file)
    {
        var target = FuzzTargets.Get(file[..file.IndexOf('.', StringComparison.Ordinal)]);
        var data = File.ReadAllBytes(Path.Combine(Inputs, file));
        var report = MutationSmoke.Run(new FuzzTarget
        {
            Name = target.Name,
            Parser = target.Parser,
            Parse = target.Parse,
            IsDocumentedError = target.IsDocumentedError,
            Seeds = () => [new FuzzSeed(file, data)],
            Instrument = target.Instrument,
            AllocationBaseBytes = target.AllocationBaseBytes,
            AllocationPerInputByte = target.AllocationPerInputByte,
            TimeBudget = target.TimeBudget,
        }, mutations: 0);
        Assert.True(report.Findings.Count == 0, string.Join("\n", report.Findings.Select(f => f.Problem)));
        Assert.Equal(1, report.Rejected);
    }

    [Fact]
    public async Task A_footer_whose_list_runs_past_its_end_is_rejected_naming_the_file_instead_of_spinning()
    {
        using var dir = new TempDir();
        string path = dir["part-00000.parquet"];
        File.Copy(Path.Combine(Inputs, "documents-parquet.footer-list-count-past-end.parquet"), path);
        var e = await Assert.ThrowsAsync<DatasetSchemaException>(async () =>
        {
            await foreach (var _ in DocumentReader.ReadAsync(path)) { }
        });
        Assert.Contains(path, e.Message);
        Assert.Contains("corrupt Parquet footer", e.Message);
    }

    [Fact]
    public void Footer_check_accepts_the_footers_our_writers_produce()
    {
        foreach (var target in new[] { "documents-parquet", "token-shard" })
        {
            foreach (var seed in FuzzTargets.Get(target).Seeds())
            {
                int footerLength = BitConverter.ToInt32(seed.Data, seed.Data.Length - 8);
                Assert.Null(ParquetStructureCheck.Check(seed.Data.AsSpan(seed.Data.Length - 8 - footerLength, footerLength)));
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0x7F, 0x00 }, "runs past the end")] // field 1 binary, 256 MiB declared
    [InlineData(new byte[] { 0x19, 0xF8, 0xFF, 0xFF, 0x7F }, "elements in")]              // field 1 list of 2^21 i32
    [InlineData(new byte[] { 0x15, 0xFF, 0xFF }, "unexpected end")]                      // i32 varint cut off
    [InlineData(new byte[] { 0x1E, 0x00 }, "unknown Thrift type")]
    public void Footer_check_rejects_lying_lengths_truncation_and_unknown_types(byte[] footer, string problem)
    {
        Assert.Contains(problem, ParquetStructureCheck.Check(footer));
    }
}
