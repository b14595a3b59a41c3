using DataPipe.Jobs.Execution;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// The Slurm tests' cluster: a <see cref="LoopbackSlurmCluster"/> started once for the "slurm" collection and stopped
/// afterwards. Starting fails loudly: where the tests are not skipped, Slurm must work.
/// </summary>
public sealed class SlurmCluster : IAsyncLifetime
{
    private readonly LoopbackSlurmCluster _cluster = new();

    /// <summary>Why the Slurm tests cannot run on this machine, or null when they can (checked at test discovery).</summary>
    public static string? Unavailable => LoopbackSlurmCluster.Unavailable;

    public SlurmClient Client => _cluster.Client;

    public string Partition => _cluster.Partition;

    public Task InitializeAsync() => Unavailable is null ? _cluster.StartAsync() : Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}

/// <summary>A test that needs the single-node Slurm cluster; skipped, with the reason, only where Slurm cannot run at all.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.Unavailable is { } reason) Skip = reason;
    }
}

[CollectionDefinition("slurm")]
public sealed class SlurmCollection : ICollectionFixture<SlurmCluster>;
