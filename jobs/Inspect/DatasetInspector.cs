using System.Text;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Tokenize.Shards;
using Parquet;
using Parquet.Schema;

namespace DataPipe.Jobs.Inspect;

/// <summary>What <c>datapipe inspect</c> shows about a dataset folder.</summary>
public sealed record DatasetReport
{
    public required string Dir { get; init; }
    public SuccessRecord? Success { get; init; }
    public StagePlanRecord? Plan { get; init; }
    public int TasksDone { get; init; }
    public IReadOnlyList<string> Files { get; init; } = [];
    public long Rows { get; init; }
    public long Bytes { get; init; }
    public IReadOnlyList<(string Name, string Type)> Schema { get; init; } = [];
    public TokenManifest? Tokens { get; init; }
    /// <summary>The first rows, each column rendered short.</summary>
    public IReadOnlyList<IReadOnlyList<(string Column, string Value)>> Sample { get; init; } = [];
    /// <summary>Other files a stage left beside its parts (models, metrics, summaries), with sizes.</summary>
    public IReadOnlyList<(string File, long Bytes)> OtherFiles { get; init; } = [];
}

/// <summary>
/// Reads any dataset folder this project writes, without knowing which stage wrote it: the records (<c>_SUCCESS.json</c>,
/// <c>_stage.json</c>, task records), the Parquet footers (schema and row counts, no data pages), a token manifest
/// when there is one, and the first rows of the first file with long values shortened.
/// </summary>
public static class DatasetInspector
{
    public static async Task<DatasetReport> InspectAsync(string dir, int sampleRows = 3, CancellationToken ct = default)
    {
        dir = Path.GetFullPath(dir);
        if (!Directory.Exists(dir)) throw new DataPipeException($"{dir}: dataset folder not found");
        var files = Directory.EnumerateFiles(dir, "*.parquet", SearchOption.AllDirectories)
            .Where(f => !IsBookkeeping(dir, f))
            .Order(StringComparer.Ordinal).ToList();
        long rows = 0, bytes = 0;
        IReadOnlyList<(string, string)> schema = [];
        var sample = new List<IReadOnlyList<(string, string)>>();
        foreach (var f in files)
        {
            bytes += new FileInfo(f).Length;
            try
            {
                await using var reader = await ParquetReader.CreateAsync(f, cancellationToken: ct).ConfigureAwait(false);
                foreach (var rg in reader.RowGroups) rows += rg.RowCount;
                if (schema.Count == 0) schema = [.. reader.Schema.Fields.Select(Describe)];
                if (sample.Count < sampleRows && reader.RowGroupCount > 0)
                    sample.AddRange(await SampleAsync(reader, sampleRows - sample.Count, ct).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IOException or ParquetException or InvalidDataException)
            {
                throw new DatasetSchemaException($"{f}: not a readable Parquet file ({e.Message})");
            }
        }
        var others = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".parquet", StringComparison.Ordinal) && !IsBookkeeping(dir, f) && !Path.GetFileName(f).StartsWith('_'))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(dir, f), new FileInfo(f).Length)).ToList();
        var plan = DatasetFolder.ReadStagePlan(dir);
        int done = plan is null ? 0 : Enumerable.Range(0, plan.TaskCount).Count(t => DatasetFolder.ReadTaskRecord(dir, t) is { } r && r.ConfigHash == plan.ConfigHash);
        return new DatasetReport
        {
            Dir = dir,
            Success = DatasetFolder.ReadSuccess(dir),
            Plan = plan,
            TasksDone = done,
            Files = [.. files.Select(f => Path.GetRelativePath(dir, f))],
            Rows = rows,
            Bytes = bytes,
            Schema = schema,
            Tokens = File.Exists(Path.Combine(dir, TokenManifest.FileName)) ? TokenManifest.Load(dir) : null,
            Sample = sample,
            OtherFiles = others,
        };
    }

    private static bool IsBookkeeping(string dir, string file)
    {
        string first = Path.GetRelativePath(dir, file).Split(Path.DirectorySeparatorChar)[0];
        // Folders a stage keeps for itself start with '_' (_tmp, _tasks, _logs, _claims, _shards, ...).
        return first.StartsWith('_') || Path.GetFileName(file).StartsWith('.');
    }

    private static (string, string) Describe(Field f) => f switch
    {
        ListField l => (l.Name, $"list<{Describe(l.Item).Item2}>"),
        DateTimeDataField => (f.Name, "timestamp"),
        DataField d when d.ClrType == typeof(string) || d.ClrType == typeof(ReadOnlyMemory<char>) => (f.Name, d.IsNullable ? "string?" : "string"),
        DataField d => (f.Name, d.ClrType.Name.ToLowerInvariant() + (d.IsNullable ? "?" : "")),
        _ => (f.Name, f.SchemaType.ToString().ToLowerInvariant()),
    };

    private static async Task<List<IReadOnlyList<(string, string)>>> SampleAsync(ParquetReader reader, int max, CancellationToken ct)
    {
        using var rg = reader.OpenRowGroupReader(0);
        int rows = checked((int)rg.RowCount);
        int n = Math.Min(max, rows);
        var fields = reader.Schema.GetDataFields();
        var columns = new List<(string Name, string[] Values)>();
        foreach (var f in fields)
            columns.Add((f.Path.ToString()!, await ReadColumnAsync(rg, f, rows, n, ct).ConfigureAwait(false)));
        var result = new List<IReadOnlyList<(string, string)>>();
        for (int i = 0; i < n; i++) result.Add([.. columns.Select(c => (c.Name, c.Values[i]))]);
        return result;
    }

    /// <summary>The first <paramref name="n"/> values of a column as short strings; list columns are rebuilt from their levels.</summary>
    private static async Task<string[]> ReadColumnAsync(ParquetRowGroupReader rg, DataField f, int rows, int n, CancellationToken ct)
    {
        Type t = f.ClrType;
        if (f.MaxRepetitionLevel > 0)
        {
            if (t == typeof(int)) return await ListAsync<int>(rg, f, n, ct).ConfigureAwait(false);
            if (t == typeof(long)) return await ListAsync<long>(rg, f, n, ct).ConfigureAwait(false);
            if (t == typeof(float)) return await ListAsync<float>(rg, f, n, ct).ConfigureAwait(false);
            if (t == typeof(double)) return await ListAsync<double>(rg, f, n, ct).ConfigureAwait(false);
            return [.. Enumerable.Repeat($"(list of {t.Name})", n)];
        }
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var a = new string?[rows];
            await rg.ReadAsync(f, a.AsMemory()!, null, ct).ConfigureAwait(false);
            return [.. a.Take(n).Select(v => Short(v))];
        }
        if (t == typeof(int)) return await FlatAsync<int>(rg, f, rows, n, ct).ConfigureAwait(false);
        if (t == typeof(long)) return await FlatAsync<long>(rg, f, rows, n, ct).ConfigureAwait(false);
        if (t == typeof(float)) return await FlatAsync<float>(rg, f, rows, n, ct).ConfigureAwait(false);
        if (t == typeof(double)) return await FlatAsync<double>(rg, f, rows, n, ct).ConfigureAwait(false);
        if (t == typeof(bool)) return await FlatAsync<bool>(rg, f, rows, n, ct).ConfigureAwait(false);
        if (t == typeof(DateTime)) return await FlatAsync<DateTime>(rg, f, rows, n, ct).ConfigureAwait(false);
        return [.. Enumerable.Repeat($"({t.Name})", n)];
    }

    private static async Task<string[]> FlatAsync<T>(ParquetRowGroupReader rg, DataField f, int rows, int n, CancellationToken ct) where T : struct
    {
        if (f.IsNullable)
        {
            var a = new T?[rows];
            await rg.ReadAsync<T>(f, a.AsMemory(), null, ct).ConfigureAwait(false);
            return [.. a.Take(n).Select(v => Short(v))];
        }
        var b = new T[rows];
        await rg.ReadAsync<T>(f, b.AsMemory(), null, ct).ConfigureAwait(false);
        return [.. b.Take(n).Select(v => Short(v))];
    }

    private static async Task<string[]> ListAsync<T>(ParquetRowGroupReader rg, DataField f, int n, CancellationToken ct) where T : struct
    {
        int count = checked((int)(rg.GetMetadata(f)?.MetaData?.NumValues ?? 0));
        var values = new T[count];
        var definitions = new int[count];
        var levels = new int[count];
        await rg.ReadRawAsync<T>(f, values.AsMemory(), definitions.AsMemory(), levels.AsMemory(), ct).ConfigureAwait(false);
        var items = new List<string>[n];
        int row = -1, next = 0;
        for (int i = 0; i < count; i++)
        {
            if (levels[i] == 0) row++;
            if (row >= n) break;
            items[row] ??= [];
            if (definitions[i] == f.MaxDefinitionLevel) items[row].Add(Short(values[next++]));
        }
        return [.. items.Select(l => $"[{(l?.Count ?? 0)} items: {string.Join(", ", (l ?? []).Take(8))}{((l?.Count ?? 0) > 8 ? ", ..." : "")}]")];
    }

    private static string Short(object? v)
    {
        string s = v switch
        {
            null => "null",
            DateTime d => d.ToString("O"),
            float f => f.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
            double d => d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
        var sb = new StringBuilder(Math.Min(s.Length, 120));
        foreach (char ch in s.Length > 120 ? s[..117] : s) sb.Append(char.IsControl(ch) ? ' ' : ch);
        if (s.Length > 120) sb.Append("...");
        return sb.ToString();
    }
}
