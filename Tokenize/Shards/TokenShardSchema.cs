using Parquet.Schema;

namespace DataPipe.Tokenize.Shards;

/// <summary>
/// The Parquet schema of a token shard (docs/architecture.md, "Datasets"): one row per document,
/// <c>{doc_id: string, tokens: list&lt;int32&gt;}</c>, the document's tokens followed by the end-of-text id.
/// </summary>
public static class TokenShardSchema
{
    public static readonly DataField<string> DocId = new("doc_id", nullable: false);
    public static readonly DataField<int> TokenItem = new("element", nullable: false);
    public static readonly ListField Tokens = new("tokens", TokenItem);
    public static readonly ParquetSchema Schema = new(DocId, Tokens);
}
