using System.Globalization;
using DataPipe.Train.Compression;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// What <c>datapipe compression</c> prints, within <see cref="TextWrap.Columns"/> columns: one row per coder (raw
/// bytes, the GPT's prequential code plus its compressed code and config, gzip, xz, zstd) with bytes, ratio and bits
/// per byte, then the stream's size and where <c>compression.json</c> is.
/// </summary>
public static class CompressionText
{
    public static IReadOnlyList<string> Lines(CompressionResult r, string reportPath)
    {
        var ci = CultureInfo.InvariantCulture;
        var lines = new List<string> { "compression of the training stream" };
        var table = new TextTable().Column("coder").Column("bytes", right: true).Column("ratio", right: true).Column("bits/byte", right: true);
        table.Row("raw UTF-8", r.RawBytes.ToString("N0", ci), "1.00", "8.000");
        table.Row("GPT (prequential code + xz'd code/config)", r.TotalBytes.ToString("N0", ci), r.Ratio.ToString("F2", ci), r.BitsPerByte.ToString("F3", ci));
        foreach (var b in r.Baselines) table.Row(TextWrap.Shorten(b.Name, 41), b.Bytes.ToString("N0", ci), b.Ratio.ToString("F2", ci), b.BitsPerByte.ToString("F3", ci));
        lines.AddRange(table.Lines());
        lines.AddRange(TextWrap.Wrap(string.Create(ci,
            $"stream: {r.Steps} steps, {r.Tokens:N0} tokens seen once; code length {r.CodeLengthBits / 8:N0} bytes + model code and config {r.ModelCodeBytes:N0} bytes ({r.CodeFiles.Count} files)")));
        lines.AddRange(TextWrap.Wrap("report: " + reportPath));
        return lines;
    }
}
