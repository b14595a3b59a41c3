using System.Globalization;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Stages;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe tokenize</c> and <c>tokenize verify</c> print, within <see cref="TextWrap.Columns"/> columns: per
/// split its shards, documents and tokens (<see cref="ManifestLines"/>); the verified totals and a decoded sample,
/// wrapped under its first line (<see cref="VerifyLines"/>).
/// </summary>
public static class TokenShardsText
{
    public static IReadOnlyList<string> ManifestLines(TokenManifest m, string dir)
    {
        var table = new TextTable().Column("split").Column("shards", right: true).Column("documents", right: true).Column("tokens", right: true);
        foreach (var (split, totals) in new[] { (TokenizeStage.TrainSplit, m.Train), (TokenizeStage.ValidationSplit, m.Validation) })
            table.Row(split, m.ShardsOf(split).Count().ToString("N0", CultureInfo.InvariantCulture), TextTable.Count(totals.Rows), TextTable.Count(totals.Tokens));
        var lines = new List<string> { "token shards" };
        lines.AddRange(table.Lines());
        var t = m.Tokenizer;
        lines.AddRange(TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
            $"tokenizer {t.Kind}:{t.Name}, vocabulary {t.VocabSize:N0}, hash {t.VocabHash[..Math.Min(12, t.VocabHash.Length)]}")));
        lines.AddRange(TextWrap.Wrap("manifest: " + Path.Combine(dir, TokenManifest.FileName)));
        return lines;
    }

    /// <summary>The sample is cut at 300 characters, its line breaks read as spaces.</summary>
    public static IReadOnlyList<string> VerifyLines(TokenShardReport r)
    {
        var table = new TextTable().Column("measure").Column("value", right: true);
        table.Row("tokenizer", string.Create(CultureInfo.InvariantCulture, $"{r.Tokenizer.Kind}:{r.Tokenizer.Name} ({r.Tokenizer.VocabSize:N0} ids)"));
        table.Row("shards", r.Shards.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("rows", r.Rows.ToString("N0", CultureInfo.InvariantCulture));
        table.Row("tokens", r.Tokens.ToString("N0", CultureInfo.InvariantCulture));
        var lines = new List<string> { "tokenize verify" };
        lines.AddRange(table.Lines());
        string sample = r.SampleText.Length > 300 ? r.SampleText[..300] + "..." : r.SampleText;
        lines.AddRange(TextWrap.Wrap($"sample {r.SampleDocId}: {sample.ReplaceLineEndings(" ")}"));
        lines.Add("ok: every shard matches the manifest");
        return lines;
    }
}
