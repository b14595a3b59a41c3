using DataPipe.Core.Errors;

namespace DataPipe.Core.Datasets;

/// <summary>One row group of one Parquet file: the unit in which a stage's input is divided among tasks.</summary>
public sealed record SliceUnit(string File, int RowGroup, long Rows);

/// <summary>
/// The part of an input dataset that task <c>i</c> of <c>N</c> reads: a contiguous run of row groups in dataset
/// order, balanced by row count. Concatenating the slices of tasks 0..N-1 gives the whole dataset in order, and the
/// same inputs with the same N always give the same slices.
/// </summary>
public sealed record DatasetSlice(int TaskIndex, int TaskCount, IReadOnlyList<SliceUnit> Units)
{
    public long Rows => Units.Sum(u => u.Rows);

    /// <summary>Every row group of the given Parquet files, in file order.</summary>
    public static async Task<IReadOnlyList<SliceUnit>> ListUnitsAsync(IEnumerable<string> files, CancellationToken ct = default)
    {
        var units = new List<SliceUnit>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new DataPipeException($"{file}: dataset file not found");
            await using var stream = File.OpenRead(file);
            try
            {
                await using var reader = await Parquet.ParquetReader.CreateAsync(stream, cancellationToken: ct).ConfigureAwait(false);
                for (int g = 0; g < reader.RowGroupCount; g++)
                    units.Add(new SliceUnit(file, g, reader.RowGroups[g].RowCount));
            }
            catch (Exception e) when (e is IOException or Parquet.ParquetException or InvalidDataException)
            {
                throw new DatasetSchemaException($"{file}: not a readable Parquet file ({e.Message})");
            }
        }
        return units;
    }

    /// <summary>Splits units among <paramref name="taskCount"/> tasks: a unit belongs to the task whose equal share of rows contains the unit's middle row.</summary>
    public static DatasetSlice For(IReadOnlyList<SliceUnit> units, int taskIndex, int taskCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(taskCount);
        ArgumentOutOfRangeException.ThrowIfNegative(taskIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(taskIndex, taskCount);
        long total = units.Sum(u => u.Rows);
        var mine = new List<SliceUnit>();
        long start = 0;
        for (int k = 0; k < units.Count; k++)
        {
            // Empty row groups still need an owner: place them by unit index instead of row position.
            int owner = total == 0
                ? (int)((long)k * taskCount / Math.Max(1, units.Count))
                : (int)Math.Min(taskCount - 1, (start + units[k].Rows / 2) * taskCount / total);
            if (owner == taskIndex) mine.Add(units[k]);
            start += units[k].Rows;
        }
        return new DatasetSlice(taskIndex, taskCount, mine);
    }
}
