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

    /// <summary>
    /// Task <paramref name="task"/>'s slice and the global row index of its first document: the rows of every unit
    /// that an earlier task owns. Slices are contiguous runs in dataset order, but when units are fewer or more
    /// uneven than tasks a slice can be empty; its first index is then where its run would start, so the record
    /// files of the signature stage (first index, count) stay ordered and never claim a range they do not hold.
    /// </summary>
    public async Task<(DatasetSlice Slice, long FirstDoc)> ForTaskAsync(int task, int tasks)
    {
        var units = await UnitsAsync().ConfigureAwait(false);
        long first = 0;
        for (int t = 0; t < task; t++) first += DatasetSlice.For(units, t, tasks).Rows;
        return (DatasetSlice.For(units, task, tasks), first);
    }
}
