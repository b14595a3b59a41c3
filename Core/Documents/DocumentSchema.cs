using Parquet.Schema;

namespace DataPipe.Core.Documents;

/// <summary>
/// The Parquet schema of a documents dataset (docs/architecture.md, "Datasets"). Every stage that passes
/// documents on writes this schema; readers look columns up by name, so files written before Filter
/// or Dedup (without <c>quality_score</c>/<c>dup_cluster</c>) read back with those columns null.
/// </summary>
public static class DocumentSchema
{
    public static readonly DataField<string> Id = new("id", nullable: false);
    public static readonly DataField<string> Url = new("url", nullable: false);
    public static readonly DataField<string> Host = new("host", nullable: false);
    public static readonly DateTimeDataField FetchTime = new("fetch_time", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    public static readonly DataField<string> Lang = new("lang", nullable: false);
    public static readonly DataField<float> LangScore = new("lang_score", nullable: false);
    public static readonly DataField<string> Text = new("text", nullable: false);
    public static readonly DataField<string> Source = new("source", nullable: false);
    public static readonly DataField<long> SourceOffset = new("source_offset", nullable: false);
    public static readonly DataField<long> ContentHash = new("content_hash", nullable: false);
    public static readonly DataField<float?> QualityScore = new("quality_score", nullable: true);
    public static readonly DataField<long?> DupCluster = new("dup_cluster", nullable: true);

    /// <summary>Columns every documents file must have.</summary>
    public static readonly IReadOnlyList<DataField> Required =
        [Id, Url, Host, FetchTime, Lang, LangScore, Text, Source, SourceOffset, ContentHash];

    /// <summary>Columns added by later stages; absent means null.</summary>
    public static readonly IReadOnlyList<DataField> Optional = [QualityScore, DupCluster];

    public static readonly ParquetSchema Schema = new([.. Required, .. Optional]);

    /// <summary>Name and type of each column, as recorded in <c>_SUCCESS.json</c>.</summary>
    public static IReadOnlyList<ColumnDescription> Describe() =>
        [.. Schema.DataFields.Select(f => new ColumnDescription(f.Name, DescribeType(f), f.IsNullable))];

    /// <summary>
    /// True for a string column. Parquet.Net 6 reports string columns read from a file as ReadOnlyMemory&lt;char&gt;,
    /// and those declared in code as string; both are the same UTF-8 column on disk.
    /// </summary>
    public static bool IsString(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>);

    private static string DescribeType(DataField f) => f switch
    {
        DateTimeDataField => "timestamp(us, UTC)",
        _ when IsString(f) => "string",
        _ when f.ClrType == typeof(float) => "float",
        _ when f.ClrType == typeof(long) => "int64",
        _ when f.ClrType == typeof(int) => "int32",
        _ => f.ClrType.Name,
    };
}

/// <summary>A column's name and type, for dataset metadata.</summary>
public sealed record ColumnDescription(string Name, string Type, bool Nullable);
