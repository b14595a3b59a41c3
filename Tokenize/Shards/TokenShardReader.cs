using System.Runtime.CompilerServices;
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
            return await ParquetReader.CreateAsync(path, new ParquetOptions(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException or InvalidDataException)
        {
            throw new DatasetSchemaException($"{path}: not a readable Parquet file ({e.Message})");
        }
    }

    // Parquet.Net 6 reports string columns of a file as ReadOnlyMemory<char>; both mean a UTF-8 string column.
    private static bool IsString(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>);

    private static async Task<TokenRow[]> ReadRowGroupAsync(ParquetReader reader, string path, int rowGroup, CancellationToken ct)
    {
        var fields = reader.Schema.GetDataFields();
        var idField = fields.FirstOrDefault(f => f.Name == "doc_id" && IsString(f) && f.MaxRepetitionLevel == 0)
            ?? throw new DatasetSchemaException($"{path}: not a token shard: string column 'doc_id' is missing");
        var tokField = fields.FirstOrDefault(f => f.Path.ToString()!.StartsWith("tokens", StringComparison.Ordinal) && f.ClrType == typeof(int) && f.MaxRepetitionLevel == 1)
            ?? throw new DatasetSchemaException($"{path}: not a token shard: column 'tokens' (list<int32>) is missing");
        using var rg = reader.OpenRowGroupReader(rowGroup);
        int rows = checked((int)rg.RowCount);
        var ids = new string?[rows];
        await rg.ReadAsync(idField, ids.AsMemory()!, null, ct).ConfigureAwait(false);
        int n = checked((int)(rg.GetMetadata(tokField)?.MetaData?.NumValues ?? throw new DatasetSchemaException($"{path}: row group {rowGroup} has no metadata for column tokens")));
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
