using DataPipe.Fuzz.Targets;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Hostile;

/// <summary>
/// The bounded fuzzing CI runs without AFL++: every target of tests/fuzz over its seed corpus and a fixed number of
/// deterministic mutations (300; fewer for the slow SmartReader), each input under the target's time and allocation budgets. A failure names the input and writes it
/// under the test's output folder so it can be replayed with <c>DataPipe.Fuzz replay TARGET FILE</c>.
/// </summary>
[Collection(HostileCollection.Name)]
public class FuzzSmokeTests
{
    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_survives_its_seeds_and_deterministic_mutations_without_crash_hang_or_runaway_allocation(string name)
    {
        var target = FuzzTargets.Get(name);
        string saveTo = Path.Combine(AppContext.BaseDirectory, "fuzz-findings", name);
        int saved = 0;
        var report = MutationSmoke.Run(target, target.SmokeMutations, onFinding: (_, data) =>
        {
            Directory.CreateDirectory(saveTo);
            File.WriteAllBytes(Path.Combine(saveTo, $"finding-{saved++:D4}"), data);
        });

        Assert.True(report.Findings.Count == 0,
            $"{report.Findings.Count} findings (inputs saved in {saveTo}):\n" + string.Join("\n", report.Findings.Take(5).Select(f => $"{f.Input}: {f.Problem}")));
        Assert.Equal(target.Seeds().Count + target.SmokeMutations, report.Executions);
        // Some inputs must get past the parser's first sanity check, or the run proves nothing.
        Assert.True(report.Rejected < report.Executions, $"{name}: all {report.Executions} inputs were rejected");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_seed_is_accepted_by_its_parser(string name)
    {
        var target = FuzzTargets.Get(name);
        var seeds = target.Seeds();
        Assert.NotEmpty(seeds);
        foreach (var seed in seeds)
            Assert.True(target.Execute(seed.Data) is null, $"{name}: seed {seed.Name} was rejected: {target.Execute(seed.Data)}");
    }

    [Fact]
    public void Mutations_are_the_same_on_every_run()
    {
        byte[] input = "WARC/1.0\r\nContent-Length: 1234\r\n\r\n<html><body>hello</body></html>"u8.ToArray();
        var a = new Mutator(["<div>"], 7);
        var b = new Mutator(["<div>"], 7);
        for (int i = 0; i < 50; i++) Assert.Equal(a.Mutate(input, [input]), b.Mutate(input, [input]));
    }

    [Fact]
    public void A_hanging_parser_is_reported_as_a_finding_not_waited_for()
    {
        var hang = new FuzzTarget
        {
            Name = "hang-on-x",
            Parser = "test parser",
            Parse = data => { while (data.Contains((byte)'x')) Thread.Sleep(50); },
            IsDocumentedError = _ => false,
            Seeds = () => [new FuzzSeed("plain", "abc"u8.ToArray()), new FuzzSeed("x", "x"u8.ToArray())],
            Instrument = [],
            // The budget only has to outlast a trivial parse of "abc" on a loaded 2-core machine (a GC pause, a thread
            // start); the hanging input never returns, so a longer budget changes the test's time, not its outcome.
            TimeBudget = TimeSpan.FromSeconds(3),
        };
        var report = MutationSmoke.Run(hang, 10);
        var finding = Assert.Single(report.Findings);
        Assert.Contains("still running", finding.Problem);
        Assert.Equal("x"u8.ToArray(), finding.Data);
    }

    [Fact]
    public void An_undocumented_exception_or_allocation_overrun_is_a_finding_and_a_documented_error_is_not()
    {
        var target = new FuzzTarget
        {
            Name = "picky",
            Parser = "test parser",
            Parse = data =>
            {
                if (data[0] == (byte)'r') throw new InvalidDataException("documented rejection");
                if (data[0] == (byte)'c') throw new IndexOutOfRangeException("crash");
                if (data[0] == (byte)'a') GC.KeepAlive(new byte[8 << 20]);
            },
            IsDocumentedError = e => e is InvalidDataException,
            Seeds = () => [new FuzzSeed("ok", "ok"u8.ToArray())],
            Instrument = [],
            AllocationBaseBytes = 1 << 20,
        };
        Assert.Null(target.Execute("ok"u8.ToArray()));
        Assert.Equal("documented rejection", target.Execute("r"u8.ToArray()));
        Assert.IsType<IndexOutOfRangeException>(Assert.Throws<FuzzFindingException>(() => target.Execute("c"u8.ToArray())).InnerException);
        Assert.Contains("allocated", Assert.Throws<FuzzFindingException>(() => target.Execute("a"u8.ToArray())).Message);
    }
}
