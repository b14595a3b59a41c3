using DataPipe.Ingest.Extraction;

namespace DataPipe.Tests.Extraction;

public class BlockTextWriterTests
{
    [Fact]
    public void Blocks_are_separated_by_one_blank_line_and_inline_whitespace_collapses()
    {
        var w = new BlockTextWriter();
        w.EndBlock();
        w.Text("  first \n\t paragraph ");
        w.EndBlock();
        w.EndBlock();
        w.Text("second");
        w.LineBreak();
        w.Text("line\u00A0two");
        w.EndBlock();
        Assert.Equal("first paragraph\n\nsecond\nline two", w.ToString());
    }

    [Fact]
    public void Preformatted_text_keeps_its_lines_and_indentation()
    {
        var w = new BlockTextWriter();
        w.Text("Code:");
        w.EndBlock();
        w.Preformatted("\nint x = 1;\r\n    return x;\n");
        w.EndBlock();
        w.Text("after");
        Assert.Equal("Code:\n\nint x = 1;\n    return x;\n\nafter", w.ToString());
    }
}
