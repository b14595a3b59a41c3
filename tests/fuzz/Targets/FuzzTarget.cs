namespace DataPipe.Fuzz.Targets;

/// <summary>One seed input of a target's corpus, named after where it came from.</summary>
public sealed record FuzzSeed(string Name, byte[] Data);

/// <summary>
/// One parser under fuzzing. <see cref="Parse"/> feeds it one input and throws whatever the parser throws;
/// <see cref="IsDocumentedError"/> says which of those are the parser's own, documented rejections of bad input
/// (the pipeline skips and counts them). Anything else escaping, an input running past <see cref="TimeBudget"/>, or
/// one allocating more than <see cref="AllocationBudget"/> is a finding.
/// </summary>
public sealed class FuzzTarget
{
    public required string Name { get; init; }

    /// <summary>The type and method under test, for reports.</summary>
    public required string Parser { get; init; }

    /// <summary>
    /// Runs the parser. Targets must not call the parser's assemblies from static initializers: under afl-fuzz those
    /// assemblies are instrumented and may run only inside <see cref="Parse"/>.
    /// </summary>
    public required Action<byte[]> Parse { get; init; }

    public required Func<Exception, bool> IsDocumentedError { get; init; }

    /// <summary>Small valid (and some invalid) inputs to start from, built from ../shared/data or generated.</summary>
    public required Func<IReadOnlyList<FuzzSeed>> Seeds { get; init; }

    /// <summary>Assemblies (file names without .dll) that run.sh instruments with <c>sharpfuzz</c> for AFL++'s coverage.</summary>
    public required IReadOnlyList<string> Instrument { get; init; }

    /// <summary>Tokens the mutator splices in (and AFL++ gets as its <c>-x</c> dictionary); one byte per char (Latin-1).</summary>
    public IReadOnlyList<string> Dictionary { get; init; } = [];

    /// <summary>Fixed allowance for one input, in bytes allocated.</summary>
    public long AllocationBaseBytes { get; init; } = 64L << 20;

    /// <summary>Allowance per input byte: a parser may copy and decode its input a bounded number of times.</summary>
    public long AllocationPerInputByte { get; init; } = 64;

    /// <summary>Wall time one input may take (generous: the machine is shared).</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Mutations the CI smoke runs (tests/Hostile); a slow parser gets fewer to keep CI within its time.</summary>
    public int SmokeMutations { get; init; } = 300;

    public long AllocationBudget(int inputLength) => AllocationBaseBytes + AllocationPerInputByte * inputLength;

    /// <summary>
    /// Runs one input on the calling thread. Returns null when the parser accepted it, or the message of its
    /// documented rejection; throws <see cref="FuzzFindingException"/> (wrapping the cause) for a finding.
    /// </summary>
    public string? Execute(byte[] input)
    {
        long before = GC.GetTotalAllocatedBytes(precise: false);
        string? rejected = null;
        try
        {
            Parse(input);
        }
        catch (Exception e) when (IsDocumentedError(e))
        {
            rejected = e.Message;
        }
        catch (Exception e)
        {
            throw new FuzzFindingException($"{Name}: {e.GetType().FullName} escaped {Parser}: {e.Message}", e);
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
        long budget = AllocationBudget(input.Length);
        if (allocated > budget)
            throw new FuzzFindingException($"{Name}: {Parser} allocated {allocated:N0} bytes for a {input.Length:N0}-byte input (budget {budget:N0})");
        return rejected;
    }
}

/// <summary>A crash, hang or unbounded allocation: what the fuzzer is looking for.</summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException(string message) : base(message) { }

    public FuzzFindingException(string message, Exception inner) : base(message, inner) { }

    public FuzzFindingException() { }
}
