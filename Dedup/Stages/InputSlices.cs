using DataPipe.Core.Config;
using DataPipe.Core.Datasets;

namespace DataPipe.Dedup.Stages;

/// <summary>
/// The input documents dataset as the per-input dedup stages see it: its row groups in dataset order, sliced among
/// tasks with Core's <see cref="DatasetSlice"/>. A document's global row index (its position in that order) is its
/// identity inside dedup; it does not depend on the task count, so neither do pairs, clusters or survivors.
/// </summary>
public sealed class InputSlices
{
    private readonly Lazy<Task<IReadOnlyList<SliceUnit>>> _units;

    public InputSlices(string inputDir)
    {
        InputDir = Path.GetFullPath(inputDir);
        InputHash = ConfigHash.OfDataset(InputDir);
        _units = new(() => DatasetSlice.ListUnitsAsync(DatasetFolder.RequireCompleteParts(InputDir)));
    }

    public string InputDir { get; }

    /// <summary>The input's own config hash (from its <c>_SUCCESS.json</c>).</summary>
    public string InputHash { get; }

    public Task<IReadOnlyList<SliceUnit>> UnitsAsync() => _units.Value;

    public async Task<long> TotalRowsAsync() => (await UnitsAsync().ConfigureAwait(false)).Sum(u => u.Rows);

    /// <summary>Task <paramref name="task"/>'s slice and the global row index of its first document.</summary>
    public async Task<(DatasetSlice Slice, long FirstDoc)> ForTaskAsync(int task, int tasks)
    {
        var units = await UnitsAsync().ConfigureAwait(false);
        var slice = DatasetSlice.For(units, task, tasks);
        long first = 0;
        if (slice.Units.Count > 0)
        {
            foreach (var u in units)
            {
                if (u == slice.Units[0]) break;
                first += u.Rows;
            }
        }
        return (slice, first);
    }
}
