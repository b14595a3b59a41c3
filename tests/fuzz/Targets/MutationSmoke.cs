using System.Diagnostics;

namespace DataPipe.Fuzz.Targets;

/// <summary>What one in-process smoke run did: executions, documented rejections, and findings with their inputs.</summary>
public sealed record SmokeReport(string Target, int Executions, int Rejected, TimeSpan Elapsed, IReadOnlyList<SmokeFinding> Findings);

/// <summary>One crash, hang or allocation overrun, with the input that caused it.</summary>
public sealed record SmokeFinding(string Input, string Problem, byte[] Data);

/// <summary>
/// The bounded fuzzing run CI can afford without AFL++: every seed of a target, then a fixed number of deterministic
/// mutations, each input run on a fresh thread (default stack size, as the pipeline's workers have) under a
/// wall-clock watchdog and the target's allocation budget. A hung input is reported and the run stops there (a .NET
/// thread cannot be aborted; the hung thread is a background thread and dies with the process).
/// </summary>
public static class MutationSmoke
{
    public static SmokeReport Run(FuzzTarget target, int mutations, int seed = 20_240_501, Action<string, byte[]>? onFinding = null)
    {
        var seeds = target.Seeds();
        if (seeds.Count == 0) throw new InvalidOperationException($"{target.Name}: no seeds (is ../shared/data beside the checkout?)");
        var corpus = seeds.Select(s => s.Data).ToList();
        var mutator = new Mutator(target.Dictionary, seed);
        var findings = new List<SmokeFinding>();
        int executions = 0, rejected = 0;
        var clock = Stopwatch.StartNew();

        IEnumerable<(string Name, byte[] Data)> Inputs()
        {
            foreach (var s in seeds) yield return ($"seed {s.Name}", s.Data);
            for (int i = 0; i < mutations; i++)
            {
                var parent = seeds[i % seeds.Count];
                yield return ($"mutation {i} of seed {parent.Name} (seed {seed})", mutator.Mutate(parent.Data, corpus));
            }
        }

        foreach (var (name, data) in Inputs())
        {
            executions++;
            var (outcome, problem) = RunOne(target, data);
            if (outcome == Outcome.Rejected) rejected++;
            if (problem is null) continue;
            findings.Add(new SmokeFinding(name, problem, data));
            onFinding?.Invoke($"{name}: {problem}", data);
            if (outcome == Outcome.Hung) break;
        }
        return new SmokeReport(target.Name, executions, rejected, clock.Elapsed, findings);
    }

    private enum Outcome { Accepted, Rejected, Finding, Hung }

    private static (Outcome, string?) RunOne(FuzzTarget target, byte[] data)
    {
        Outcome outcome = Outcome.Finding;
        string? problem = null;
        var worker = new Thread(() =>
        {
            try
            {
                outcome = target.Execute(data) is null ? Outcome.Accepted : Outcome.Rejected;
            }
            catch (FuzzFindingException e)
            {
                problem = e.InnerException is { } inner ? $"{e.Message}\n{inner.StackTrace}" : e.Message;
            }
        })
        { IsBackground = true, Name = $"fuzz-{target.Name}" };
        var clock = Stopwatch.StartNew();
        worker.Start();
        if (!worker.Join(target.TimeBudget))
            return (Outcome.Hung, $"{target.Name}: {target.Parser} still running after {clock.Elapsed.TotalSeconds:F1} s on a {data.Length:N0}-byte input");
        return (outcome, problem);
    }
}
