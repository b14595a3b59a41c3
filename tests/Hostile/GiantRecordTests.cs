using DataPipe.Fuzz.Hostile;
using DataPipe.Ingest;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Warc;

namespace DataPipe.Tests.Hostile;

/// <summary>
/// Giant records: a 500 MB HTML page inside a WARC record (plain and gzipped per record, generated as it is
/// read) is skipped at <see cref="WarcReaderOptions.MaxRecordBytes"/> and counted, and the next record is still read;
/// a page of 1,000,000 nested tags is extracted within <see cref="LiteHtmlParser.MaxDepth"/> on a small stack.
/// Full sizes run here too: skipping streams through the bytes without holding them.
/// </summary>
[Collection(HostileCollection.Name)]
public class GiantRecordTests
{
    private const long FiveHundredMB = 500L * 1000 * 1000;
    private const long AllocationCap = 64L << 20;

    [Fact]
    public void A_500_MB_HTML_page_in_a_plain_WARC_is_skipped_as_too_large_and_the_next_record_is_read()
    {
        var (uris, skips, _, allocated) = DecompressionBombTests.ReadAll(HostileInputs.PlainWarcWithGiantRecord(HostileInputs.HtmlUnit, FiveHundredMB));

        Assert.Equal(["https://before.example/", "https://after.example/"], uris);
        Assert.Equal([SkipReasons.WarcRecordTooLarge], skips);
        Assert.True(allocated < AllocationCap, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_500_MB_HTML_page_in_a_gzip_WARC_is_skipped_without_inflating_its_member()
    {
        var (uris, skips, inflated, allocated) = DecompressionBombTests.ReadAll(HostileInputs.GzipWarcWithGiantRecord(HostileInputs.HtmlUnit, FiveHundredMB));

        Assert.Equal(["https://before.example/", "https://after.example/"], uris);
        Assert.Equal([SkipReasons.WarcRecordTooLarge], skips);
        Assert.True(inflated < 2L * WarcReaderOptions.Default.MaxRecordBytes, $"inflated {inflated:N0} bytes");
        Assert.True(allocated < AllocationCap, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_page_of_1_000_000_nested_tags_is_extracted_on_a_256_KiB_stack_with_memory_proportional_to_the_page()
    {
        string html = HostileInputs.NestedTags(1_000_000);
        string? text = null;
        long allocated = 0;
        Exception? error = null;
        // A recursive tree walk would need far more than 256 KiB for a million levels: this proves there is none.
        var worker = new Thread(() =>
        {
            try
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                text = new DensityExtractor().Extract(html);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            catch (Exception e)
            {
                error = e;
            }
        }, maxStackSize: 256 * 1024);
        worker.Start();
        Assert.True(worker.Join(TimeSpan.FromSeconds(60)), "extraction of 1,000,000 nested tags still running after 60 s");

        Assert.Null(error);
        Assert.Contains("The sentence at the bottom of a very deep page.", text);
        long pageBytes = html.Length * 2L;
        Assert.True(allocated < 8 * pageBytes, $"allocated {allocated:N0} bytes for a {pageBytes:N0}-byte page");
    }

    [Fact]
    public void SmartReader_gives_a_page_of_1_000_000_nested_tags_no_text_quickly_instead_of_parsing_it_for_minutes()
    {
        string html = HostileInputs.NestedTags(1_000_000);
        string? text = null;
        var worker = new Thread(() => text = new SmartReaderExtractor().Extract(html, "https://deep.example/")) { IsBackground = true };
        worker.Start();
        Assert.True(worker.Join(TimeSpan.FromSeconds(60)), "SmartReader still running after 60 s on 1,000,000 nested tags");
        Assert.Equal("", text);
    }

    [Fact]
    public void The_parser_keeps_no_element_deeper_than_its_cap_on_a_page_of_1_000_000_nested_tags()
    {
        var doc = LiteHtmlParser.Parse(HostileInputs.NestedTags(1_000_000, "section"));
        Assert.InRange(doc.Nodes.Length, 2, LiteHtmlParser.MaxDepth + 16);
        Assert.True(doc.TagsBeyondMaxDepth > 900_000, $"{doc.TagsBeyondMaxDepth} tags counted beyond the depth cap");
    }
}
