using System.Runtime.CompilerServices;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using Parquet;
using Parquet.Schema;

namespace DataPipe.Tokenize.Shards;

/// <summary>One document of a shard: its id and its tokens (ending with end-of-text).</summary>
public readonly record struct TokenRow(string DocId, int[] Tokens);

/// <summary>Reads token shards a row group at a time. A file without the shard columns fails naming the file.</summary>
public static class TokenShardReader
{
    public static async Task<int> CountRowGroupsAsync(string path, CancellationToken ct = default)
    {
        await using var reader = await OpenAsync(path, ct).ConfigureAwait(false);
        return reader.RowGroupCount;
    }

    /// <summary>All rows of a shard, in order.</summary>
    public static async IAsyncEnumerable<TokenRow> ReadAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var reader = await OpenAsync(path, ct).ConfigureAwait(false);
        for (int g = 0; g < reader.RowGroupCount; g++)
            foreach (var row in await ReadRowGroupAsync(reader, path, g, ct).ConfigureAwait(false))
                yield return row;
    }

    /// <summary>The rows of one row group.</summary>
    public static async Task<TokenRow[]> ReadRowGroupAsync(string path, int rowGroup, CancellationToken ct = default)
    {
        await using var reader = await OpenAsync(path, ct).ConfigureAwait(false);
        return await ReadRowGroupAsync(reader, path, rowGroup, ct).ConfigureAwait(false);
    }

    private static async Task<ParquetReader> OpenAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new DataPipeException($"{path}: token shard not found");
        try
        {
            ParquetStructureCheck.Validate(path);
            return await ParquetReader.CreateAsync(path, new ParquetOptions(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCorruptData(e))
        {
            throw new DatasetSchemaException($"{path}: not a readable Parquet file ({e.Message})");
        }
    }

    // Parquet.Net 6 reports string columns of a file as ReadOnlyMemory<char>; both mean a UTF-8 string column.
    private static bool IsString(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>);

    /// <summary>
    /// Parquet.Net reports a corrupt file with many exception types (found by the token-shard fuzz target in
    /// tests/fuzz), so everything but cancellation, our own errors and memory exhaustion is "corrupt", named with the file.
    /// </summary>
    private static bool IsCorruptData(Exception e) => e is not (OperationCanceledException or DataPipeException or OutOfMemoryException);

    private static async Task<TokenRow[]> ReadRowGroupAsync(ParquetReader reader, string path, int rowGroup, CancellationToken ct)
    {
        try
        {
            return await ReadRowGroupCoreAsync(reader, path, rowGroup, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCorruptData(e))
        {
            throw new DatasetSchemaException($"{path}: row group {rowGroup}: corrupt Parquet data ({e.GetType().Name}: {e.Message})");
        }
    }

    private static async Task<TokenRow[]> ReadRowGroupCoreAsync(ParquetReader reader, string path, int rowGroup, CancellationToken ct)
    {
        var fields = reader.Schema.GetDataFields();
        var idField = fields.FirstOrDefault(f => f.Name == "doc_id" && IsString(f) && f.MaxRepetitionLevel == 0)
            ?? throw new DatasetSchemaException($"{path}: not a token shard: string column 'doc_id' is missing");
        var tokField = fields.FirstOrDefault(f => f.Path.ToString()!.StartsWith("tokens", StringComparison.Ordinal) && f.ClrType == typeof(int) && f.MaxRepetitionLevel == 1)
            ?? throw new DatasetSchemaException($"{path}: not a token shard: column 'tokens' (list<int32>) is missing");
        ParquetStructureCheck.ValidateRowGroup(path, reader.Metadata!, rowGroup);
        using var rg = reader.OpenRowGroupReader(rowGroup);
        // Arrays are sized from the footer before any data is read: a lying footer must not make them huge. Every row
        // has a distinct doc_id, so it takes at least a byte of the file; token values may compress far better (runs
        // of one token), so they get 64 per file byte, and at least the 4 Mi that a writer's row group never exceeds
        // unless one document alone is longer.
        long fileBytes = new FileInfo(path).Length;
        if (rg.RowCount < 0 || rg.RowCount > Math.Max(1024, fileBytes))
            throw new DatasetSchemaException($"{path}: row group {rowGroup} claims {rg.RowCount} rows, more than the file can hold");
        int rows = (int)rg.RowCount;
        var ids = new string?[rows];
        await rg.ReadAsync(idField, ids.AsMemory()!, null, ct).ConfigureAwait(false);
        long declared = rg.GetMetadata(tokField)?.MetaData?.NumValues ?? throw new DatasetSchemaException($"{path}: row group {rowGroup} has no metadata for column tokens");
        if (declared < 0 || declared > Math.Max(1L << 22, fileBytes * 64))
            throw new DatasetSchemaException($"{path}: row group {rowGroup} claims {declared} token values, more than the file can hold");
        int n = (int)declared;
        var values = new int[n];
        var definitions = new int[n];
        var levels = new int[n];
        await rg.ReadRawAsync<int>(tokField, values.AsMemory(), definitions.AsMemory(), levels.AsMemory(), ct).ConfigureAwait(false);

        // Rebuild rows from the levels: repetition 0 starts a row; an entry below the maximum definition level is an
        // empty (or null) list and carries no value.
        var result = new TokenRow[rows];
        var current = new List<int>();
        int row = -1, next = 0;
        for (int i = 0; i < n; i++)
        {
            if (levels[i] == 0)
            {
                if (row >= 0) result[row] = new TokenRow(ids[row] ?? "", [.. current]);
                row++;
                current.Clear();
                if (row >= rows) throw new DatasetSchemaException($"{path}: row group {rowGroup} has more token lists than rows");
            }
            if (definitions[i] == tokField.MaxDefinitionLevel) current.Add(values[next++]);
        }
        if (row >= 0) result[row] = new TokenRow(ids[row] ?? "", [.. current]);
        if (row + 1 != rows) throw new DatasetSchemaException($"{path}: row group {rowGroup} has {rows} rows but {row + 1} token lists");
        return result;
    }
}
