using System.Runtime.CompilerServices;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using Parquet;
using Parquet.Schema;

namespace DataPipe.Core.Datasets;

/// <summary>
/// Reads documents back from Parquet files written by <see cref="DocumentWriter"/> (or any engine that wrote the
/// same column names and types). Streams one row group at a time. Columns are found by name, so extra columns are
/// ignored and the optional ones may be missing. A file that lacks a required column, or has it with another type,
/// fails with a <see cref="DatasetSchemaException"/> naming the file and the column.
/// </summary>
public static class DocumentReader
{
    /// <summary>Row groups in a file, for planning slices.</summary>
    public static async Task<int> CountRowGroupsAsync(string path, CancellationToken ct = default)
    {
        await using var reader = await OpenAsync(path, ct).ConfigureAwait(false);
        return reader.RowGroupCount;
    }

    /// <summary>Rows in a file, from the footer alone.</summary>
    public static async Task<long> CountRowsAsync(string path, CancellationToken ct = default)
    {
        await using var reader = await OpenAsync(path, ct).ConfigureAwait(false);
        long rows = 0;
        foreach (var rg in reader.RowGroups) rows += rg.RowCount;
        return rows;
    }

    /// <summary>All documents of a file, in order.</summary>
    public static async IAsyncEnumerable<Document> ReadAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var reader = await OpenAsync(path, ct).ConfigureAwait(false);
        var fields = Resolve(reader, path);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            foreach (var d in await ReadRowGroupAsync(reader, path, fields, g, ct).ConfigureAwait(false))
                yield return d;
        }
    }

    /// <summary>The documents of one row group of a file.</summary>
    public static async Task<Document[]> ReadRowGroupAsync(string path, int rowGroup, CancellationToken ct = default)
    {
        await using var reader = await OpenAsync(path, ct).ConfigureAwait(false);
        return await ReadRowGroupAsync(reader, path, Resolve(reader, path), rowGroup, ct).ConfigureAwait(false);
    }

    /// <summary>The documents of a slice (a run of row groups over one or more files), in order.</summary>
    public static async IAsyncEnumerable<Document> ReadAsync(DatasetSlice slice, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var group in slice.Units.GroupBy(u => u.File))
        {
            await using var reader = await OpenAsync(group.Key, ct).ConfigureAwait(false);
            var fields = Resolve(reader, group.Key);
            foreach (var unit in group)
            {
                foreach (var d in await ReadRowGroupAsync(reader, group.Key, fields, unit.RowGroup, ct).ConfigureAwait(false))
                    yield return d;
            }
        }
    }

    private static async Task<ParquetReader> OpenAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new DataPipeException($"{path}: dataset file not found");
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

    /// <summary>
    /// Parquet.Net reports a corrupt file with many exception types (Thrift protocol errors, zstd errors, index and
    /// argument errors from a footer whose offsets lie; found by the documents-parquet fuzz target in tests/fuzz), so
    /// everything but cancellation, our own errors and memory exhaustion is taken as "corrupt" and named with the file.
    /// </summary>
    internal static bool IsCorruptData(Exception e) => e is not (OperationCanceledException or DataPipeException or OutOfMemoryException);

    private sealed record Fields(DataField[] Required, DataField? QualityScore, DataField? DupCluster);

    private static Fields Resolve(ParquetReader reader, string path)
    {
        ParquetSchema schema;
        try
        {
            schema = reader.Schema;
        }
        catch (Exception e) when (IsCorruptData(e))
        {
            throw new DatasetSchemaException($"{path}: corrupt Parquet schema ({e.Message})");
        }
        var byName = new Dictionary<string, DataField>(StringComparer.Ordinal);
        foreach (var field in schema.GetDataFields())
        {
            if (!byName.TryAdd(field.Name, field))
                throw new DatasetSchemaException($"{path}: column '{field.Name}' appears twice");
        }
        var required = new DataField[DocumentSchema.Required.Count];
        for (int i = 0; i < required.Length; i++)
        {
            var want = DocumentSchema.Required[i];
            if (!byName.TryGetValue(want.Name, out var have))
                throw new DatasetSchemaException($"{path}: not a documents file: column '{want.Name}' is missing (columns: {string.Join(", ", byName.Keys)})");
            if (!SameType(have, want))
                throw new DatasetSchemaException($"{path}: column '{want.Name}' has type {have.ClrType.Name}{(have.MaxRepetitionLevel > 0 ? "[]" : "")}, expected {want.ClrType.Name}");
            required[i] = have;
        }
        return new Fields(required, Optional(DocumentSchema.QualityScore), Optional(DocumentSchema.DupCluster));

        DataField? Optional(DataField want)
        {
            if (!byName.TryGetValue(want.Name, out var have)) return null;
            if (!SameType(have, want))
                throw new DatasetSchemaException($"{path}: column '{want.Name}' has type {have.ClrType.Name}, expected {want.ClrType.Name}");
            return have;
        }
    }

    private static bool SameType(DataField have, DataField want) =>
        have.MaxRepetitionLevel == 0 && (have.ClrType == want.ClrType || (DocumentSchema.IsString(have) && DocumentSchema.IsString(want)));

    private static async Task<Document[]> ReadRowGroupAsync(ParquetReader reader, string path, Fields f, int rowGroup, CancellationToken ct)
    {
        try
        {
            return await ReadRowGroupCoreAsync(reader, path, f, rowGroup, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsCorruptData(e))
        {
            throw new DatasetSchemaException($"{path}: row group {rowGroup}: corrupt Parquet data ({e.GetType().Name}: {e.Message})");
        }
    }

    private static async Task<Document[]> ReadRowGroupCoreAsync(ParquetReader reader, string path, Fields f, int rowGroup, CancellationToken ct)
    {
        ParquetStructureCheck.ValidateRowGroup(path, reader.Metadata!, rowGroup);
        using var rg = reader.OpenRowGroupReader(rowGroup);
        // The arrays below are sized from the footer's row count before any data is read; a lying footer must not
        // make them huge. Every document row has a distinct id, so it takes at least a byte of the file.
        long fileBytes = new FileInfo(path).Length;
        if (rg.RowCount < 0 || rg.RowCount > Math.Max(1024, fileBytes))
            throw new DatasetSchemaException($"{path}: row group {rowGroup} claims {rg.RowCount} rows in a {fileBytes}-byte file");
        int n = (int)rg.RowCount;
        var id = await Strings(f.Required[0]).ConfigureAwait(false);
        var url = await Strings(f.Required[1]).ConfigureAwait(false);
        var host = await Strings(f.Required[2]).ConfigureAwait(false);
        var fetch = await Values<DateTime>(f.Required[3]).ConfigureAwait(false);
        var lang = await Strings(f.Required[4]).ConfigureAwait(false);
        var langScore = await Values<float>(f.Required[5]).ConfigureAwait(false);
        var text = await Strings(f.Required[6]).ConfigureAwait(false);
        var source = await Strings(f.Required[7]).ConfigureAwait(false);
        var offset = await Values<long>(f.Required[8]).ConfigureAwait(false);
        var hash = await Values<long>(f.Required[9]).ConfigureAwait(false);
        var quality = f.QualityScore is null ? null : await Nullables<float>(f.QualityScore).ConfigureAwait(false);
        var cluster = f.DupCluster is null ? null : await Nullables<long>(f.DupCluster).ConfigureAwait(false);

        var docs = new Document[n];
        for (int i = 0; i < n; i++)
        {
            docs[i] = new Document
            {
                Id = id[i] ?? "",
                Url = url[i] ?? "",
                Host = host[i] ?? "",
                FetchTime = DateTime.SpecifyKind(fetch[i], DateTimeKind.Utc),
                Lang = lang[i] ?? "und",
                LangScore = langScore[i],
                Text = text[i] ?? "",
                Source = source[i] ?? "",
                SourceOffset = offset[i],
                ContentHash = hash[i],
                QualityScore = quality?[i],
                DupCluster = cluster?[i],
            };
        }
        return docs;

        async Task<string?[]> Strings(DataField field)
        {
            var a = new string?[n];
            await rg.ReadAsync(field, a.AsMemory()!, null, ct).ConfigureAwait(false);
            return a;
        }

        async Task<T[]> Values<T>(DataField field) where T : struct
        {
            var a = new T[n];
            if (field.IsNullable)
            {
                var tmp = new T?[n];
                await rg.ReadAsync<T>(field, tmp.AsMemory(), null, ct).ConfigureAwait(false);
                for (int i = 0; i < n; i++) a[i] = tmp[i] ?? default;
            }
            else
            {
                await rg.ReadAsync<T>(field, a.AsMemory(), null, ct).ConfigureAwait(false);
            }
            return a;
        }

        async Task<T?[]> Nullables<T>(DataField field) where T : struct
        {
            var a = new T?[n];
            if (field.IsNullable)
            {
                await rg.ReadAsync<T>(field, a.AsMemory(), null, ct).ConfigureAwait(false);
            }
            else
            {
                var tmp = new T[n];
                await rg.ReadAsync<T>(field, tmp.AsMemory(), null, ct).ConfigureAwait(false);
                for (int i = 0; i < n; i++) a[i] = tmp[i];
            }
            return a;
        }
    }
}
