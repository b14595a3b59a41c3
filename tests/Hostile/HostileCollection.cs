namespace DataPipe.Tests.Hostile;

/// <summary>
/// The hostile-input tests measure allocation process-wide (the parsers under test are async and hop threads), so
/// they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileCollection
{
    public const string Name = "Hostile";
}
