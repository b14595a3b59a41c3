using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Tests.Support;
using DuckDB.NET.Data;
using Parquet;
using Parquet.Schema;

namespace DataPipe.Tests.Core;

public class DocumentDatasetTests
{
    [Fact]
    public async Task Documents_written_and_read_back_are_equal_in_every_column()
    {
        using var dir = new TempDir();
        var docs = Enumerable.Range(0, 250).Select(i => TestDocuments.Make(i)).ToList();
        docs[3].QualityScore = 0.25f;
        docs[4].DupCluster = 42;
        docs[5].Text = "ünïcödé — 日本語のテキスト\n\nsecond paragraph";
        string path = dir["part-00000.parquet"];
        await using (var w = await DocumentWriter.CreateAsync(path, new DocumentWriterOptions { RowGroupRows = 100 }))
            foreach (var d in docs) await w.WriteAsync(d);

        var back = new List<Document>();
        await foreach (var d in DocumentReader.ReadAsync(path)) back.Add(d);

        Assert.Equal(docs.Count, back.Count);
        for (int i = 0; i < docs.Count; i++)
        {
            Assert.Equal(docs[i].Id, back[i].Id);
            Assert.Equal(docs[i].Url, back[i].Url);
            Assert.Equal(docs[i].Host, back[i].Host);
            Assert.Equal(docs[i].FetchTime, back[i].FetchTime);
            Assert.Equal(DateTimeKind.Utc, back[i].FetchTime.Kind);
            Assert.Equal(docs[i].Lang, back[i].Lang);
            Assert.Equal(docs[i].LangScore, back[i].LangScore);
            Assert.Equal(docs[i].Text, back[i].Text);
            Assert.Equal(docs[i].Source, back[i].Source);
            Assert.Equal(docs[i].SourceOffset, back[i].SourceOffset);
            Assert.Equal(docs[i].ContentHash, back[i].ContentHash);
            Assert.Equal(docs[i].QualityScore, back[i].QualityScore);
            Assert.Equal(docs[i].DupCluster, back[i].DupCluster);
        }
    }

    [Fact]
    public async Task Row_groups_are_cut_by_row_count_so_readers_can_stream()
    {
        using var dir = new TempDir();
        string path = dir["p.parquet"];
        await using (var w = await DocumentWriter.CreateAsync(path, new DocumentWriterOptions { RowGroupRows = 100 }))
            for (int i = 0; i < 250; i++) await w.WriteAsync(TestDocuments.Make(i));

        Assert.Equal(3, await DocumentReader.CountRowGroupsAsync(path));
        Assert.Equal(250, await DocumentReader.CountRowsAsync(path));
        Assert.Equal(50, (await DocumentReader.ReadRowGroupAsync(path, 2)).Length);
    }

    [Fact]
    public async Task Row_groups_are_cut_by_text_size_too()
    {
        using var dir = new TempDir();
        string path = dir["p.parquet"];
        string big = new('x', 100_000);
        await using (var w = await DocumentWriter.CreateAsync(path, new DocumentWriterOptions { RowGroupTextBytes = 1_000_000 }))
            for (int i = 0; i < 20; i++) await w.WriteAsync(TestDocuments.Make(i, big));

        Assert.True(await DocumentReader.CountRowGroupsAsync(path) >= 4);
    }

    [Fact]
    public async Task A_file_without_the_later_stage_columns_reads_them_as_null()
    {
        using var dir = new TempDir();
        string path = dir["old.parquet"];
        var fields = DocumentSchema.Required.ToArray();
        var d = TestDocuments.Make(1);
        await using (var fs = File.Create(path))
        await using (var w = await ParquetWriter.CreateAsync(new ParquetSchema(fields), fs))
        using (var rg = w.CreateRowGroup())
        {
            await rg.WriteAsync(DocumentSchema.Id, new[] { d.Id });
            await rg.WriteAsync(DocumentSchema.Url, new[] { d.Url });
            await rg.WriteAsync(DocumentSchema.Host, new[] { d.Host });
            await rg.WriteAsync<DateTime>(DocumentSchema.FetchTime, new[] { d.FetchTime });
            await rg.WriteAsync(DocumentSchema.Lang, new[] { d.Lang });
            await rg.WriteAsync<float>(DocumentSchema.LangScore, new[] { d.LangScore });
            await rg.WriteAsync(DocumentSchema.Text, new[] { d.Text });
            await rg.WriteAsync(DocumentSchema.Source, new[] { d.Source });
            await rg.WriteAsync<long>(DocumentSchema.SourceOffset, new[] { d.SourceOffset });
            await rg.WriteAsync<long>(DocumentSchema.ContentHash, new[] { d.ContentHash });
        }

        var back = await DocumentReader.ReadRowGroupAsync(path, 0);
        Assert.Equal(d.Text, back[0].Text);
        Assert.Null(back[0].QualityScore);
        Assert.Null(back[0].DupCluster);
    }

    [Fact]
    public async Task A_file_missing_a_required_column_fails_naming_the_file_and_the_column()
    {
        using var dir = new TempDir();
        string path = dir["wrong.parquet"];
        var f = new DataField<string>("title");
        await using (var fs = File.Create(path))
        await using (var w = await ParquetWriter.CreateAsync(new ParquetSchema(f), fs))
        using (var rg = w.CreateRowGroup())
            await rg.WriteAsync(f, new[] { "x" });

        var e = await Assert.ThrowsAsync<DatasetSchemaException>(async () => { await foreach (var _ in DocumentReader.ReadAsync(path)) { } });
        Assert.Contains(path, e.Message);
        Assert.Contains("'id'", e.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_fails_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir["garbage.parquet"];
        await File.WriteAllTextAsync(path, "this is not parquet at all, just text");
        var e = await Assert.ThrowsAsync<DatasetSchemaException>(() => DocumentReader.CountRowsAsync(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public async Task DuckDB_reads_our_parquet_with_the_same_counts_and_values()
    {
        using var dir = new TempDir();
        string path = dir["part-00000.parquet"];
        var docs = Enumerable.Range(0, 120).Select(i => TestDocuments.Make(i)).ToList();
        docs[7].QualityScore = 0.5f;
        await using (var w = await DocumentWriter.CreateAsync(path, new DocumentWriterOptions { RowGroupRows = 50 }))
            foreach (var d in docs) await w.WriteAsync(d);

        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT count(*), count(quality_score), min(fetch_time), max(source_offset) FROM read_parquet('{path}')";
        using (var r = cmd.ExecuteReader())
        {
            Assert.True(r.Read());
            Assert.Equal(120L, Convert.ToInt64(r.GetValue(0)));
            Assert.Equal(1L, Convert.ToInt64(r.GetValue(1)));
            Assert.Equal(docs[0].FetchTime, DateTime.SpecifyKind(Convert.ToDateTime(r.GetValue(2)), DateTimeKind.Utc));
            Assert.Equal(119_000L, Convert.ToInt64(r.GetValue(3)));
        }
        cmd.CommandText = $"SELECT id, url, text, content_hash FROM read_parquet('{path}') WHERE source_offset = 42000";
        using (var r = cmd.ExecuteReader())
        {
            Assert.True(r.Read());
            Assert.Equal(docs[42].Id, r.GetString(0));
            Assert.Equal(docs[42].Url, r.GetString(1));
            Assert.Equal(docs[42].Text, r.GetString(2));
            Assert.Equal(docs[42].ContentHash, r.GetInt64(3));
        }
    }
}
