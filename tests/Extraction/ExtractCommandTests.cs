using System.Text.Json;
using DataPipe.Core.Errors;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Commands;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Extraction;

public class ExtractCommandTests
{
    private const string Story = "<html><body><article><p>The harbour was quiet that morning, and the boats, all of them, stayed tied to the pier while the fog lifted.</p>" +
                                 "<p>By noon the wind had turned, the gulls came back, and the fishermen, one by one, went out again.</p></article>" +
                                 "<footer>FOOTER</footer></body></html>";

    [Fact]
    public void Jsonl_format_writes_one_line_per_html_file_with_file_and_text()
    {
        using var dir = new TempDir("extract");
        File.WriteAllText(dir["a.html"], Story);
        Directory.CreateDirectory(dir["sub"]);
        File.WriteAllText(dir["sub/b.htm"], Story.Replace("harbour", "bay", StringComparison.Ordinal));
        File.WriteAllText(dir["notes.txt"], "not html");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int rc = ExtractCommand.Run([dir.Path], "density", "jsonl", stdout, stderr);

        Assert.Equal(0, rc);
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.EndsWith("a.html", first.RootElement.GetProperty("file").GetString());
        string text = first.RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("The harbour was quiet", text);
        Assert.Contains("\n\nBy noon", text);
        Assert.DoesNotContain("FOOTER", text);
        Assert.Contains("2 file(s)", stderr.ToString());
    }

    [Fact]
    public void Missing_input_and_unknown_extractor_fail_with_one_line_naming_them()
    {
        var e = Assert.Throws<DataPipeException>(() => ExtractCommand.Run(["/nonexistent/page.html"], "density", "text", TextWriter.Null, TextWriter.Null));
        Assert.Contains("/nonexistent/page.html", e.Message);
        using var dir = new TempDir("extract");
        File.WriteAllText(dir["a.html"], Story);
        var u = Assert.Throws<DataPipeException>(() => ExtractCommand.Run([dir["a.html"]], "nosuch", "text", TextWriter.Null, TextWriter.Null));
        Assert.Contains("nosuch", u.Message);
    }

    [Fact]
    public async Task Cli_extract_command_exits_non_zero_on_a_missing_file()
    {
        int rc = await DataPipeCli.RunAsync(["extract", "--html", "/nonexistent/page.html"]);
        Assert.NotEqual(0, rc);
    }

    [Fact]
    public void Explain_prints_every_block_with_its_score_and_why_and_refuses_an_extractor_that_cannot_explain()
    {
        using var dir = new TempDir("extract-explain");
        File.WriteAllText(dir["a.html"], Story);
        var stdout = new StringWriter();

        int rc = ExtractCommand.Explain([dir["a.html"]], "blockscore", stdout);

        Assert.Equal(0, rc);
        string text = stdout.ToString();
        Assert.Contains("3 blocks", text);
        Assert.Contains("KEEP #0", text);
        Assert.Contains("\"The harbour was quiet", text);
        Assert.Contains("threshold", text);
        var e = Assert.Throws<DataPipeException>(() => ExtractCommand.Explain([dir["a.html"]], "density", new StringWriter()));
        Assert.Contains("--extractor blockscore", e.Message);
    }
}
