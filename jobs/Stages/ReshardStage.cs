using DataPipe.Core.Config;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Stages;

namespace DataPipe.Jobs.Stages;

/// <summary>
/// Rewrites one or more complete documents datasets as N balanced parts, in order, without changing a row: the
/// repartition step of map/reduce pipelines (DataTrove and Spark pipelines rebalance the same way before an expensive
/// stage, so that N workers get equal work whatever the upstream task count was). Task i reads the i-th contiguous
/// slice of row groups (<see cref="DatasetSlice"/>), so the concatenated output equals the concatenated input.
/// </summary>
public sealed class ReshardStage(string name, IReadOnlyList<string> inputDirs, int tasks) : IStage
{
    private IReadOnlyList<SliceUnit>? _units;

    public string Name => name;

    public string ConfigHash { get; } = Core.Config.ConfigHash.Combine(
        ["reshard/1", $"tasks={tasks}", .. inputDirs.Select(Core.Config.ConfigHash.OfDataset)]);

    public IReadOnlyList<ColumnDescription>? OutputSchema => DocumentSchema.Describe();

    public async Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        var units = await UnitsAsync(ct).ConfigureAwait(false);
        return new StagePlan(tasks, units.Sum(u => u.Rows), "rows");
    }

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var slice = DatasetSlice.For(await UnitsAsync(ct).ConfigureAwait(false), ctx.TaskIndex, ctx.TaskCount);
        foreach (var file in slice.Units.Select(u => u.File).Distinct()) ctx.AddInput(file);
        await using var writer = await ctx.CreateDocumentWriterAsync(ct: ct).ConfigureAwait(false);
        await foreach (var doc in DocumentReader.ReadAsync(slice, ct).ConfigureAwait(false))
        {
            ctx.AddRowsIn();
            await writer.WriteAsync(doc, ct).ConfigureAwait(false);
            ctx.AddRowsOut();
            ctx.Progress.Advance(1);
        }
    }

    private async Task<IReadOnlyList<SliceUnit>> UnitsAsync(CancellationToken ct)
    {
        if (_units is not null) return _units;
        var parts = inputDirs.SelectMany(DatasetFolder.RequireCompleteParts).ToList();
        return _units = await DatasetSlice.ListUnitsAsync(parts, ct).ConfigureAwait(false);
    }
}
