using System.IO.Compression;
using System.Text;
using DataPipe.Ingest;
using DataPipe.Ingest.Warc;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Ingest;

public class WarcReaderTests
{
    private sealed record Read(string Type, string Id, string Uri, long Offset, int BlockLength, string BlockStart);

    private static (List<Read> Records, List<(string Reason, long Offset, string Detail)> Skips, WarcReaderStats Stats) ReadAll(byte[] file, WarcReaderOptions? options = null)
    {
        var skips = new List<(string, long, string)>();
        var records = new List<Read>();
        using var reader = new WarcReader(new MemoryStream(file), options, (r, o, d) => skips.Add((r, o, d)));
        while (reader.TryRead(out var rec))
        {
            var block = rec.Block.Span;
            records.Add(new Read(rec.Type, rec.RecordId, rec.TargetUri, rec.FileOffset, block.Length, Encoding.Latin1.GetString(block[..Math.Min(block.Length, 40)])));
        }
        return (records, skips, new WarcReaderStats(reader.IsGzip, reader.CompressedBytesRead, reader.DecompressedBytesRead));
    }

    private sealed record WarcReaderStats(bool IsGzip, long Compressed, long Decompressed);

    private static byte[] Shared(string name) => File.ReadAllBytes(Repo.Shared(Path.Combine("warc", name)));

    [Fact]
    public void Per_record_gzip_offsets_are_the_gzip_member_offsets_of_each_record()
    {
        var file = Shared("crawl-sample-0000.warc.gz");
        var (records, skips, stats) = ReadAll(file);
        Assert.True(stats.IsGzip);
        Assert.Empty(skips);
        Assert.Equal(WarcFiles.MemberOffsets(file), records.Select(r => r.Offset).ToList());
        // Reading one member from the reported offset gives back that very record.
        foreach (var r in records.Where(r => r.Type == "response"))
        {
            using var gz = new GZipStream(new MemoryStream(file, (int)r.Offset, file.Length - (int)r.Offset), CompressionMode.Decompress);
            var head = new byte[600];
            int n = gz.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            Assert.Contains(r.Id, Encoding.ASCII.GetString(head, 0, n));
        }
        Assert.Equal(stats.Compressed, file.Length);
        Assert.True(records.Count(r => r.Type == "response") >= 15);
    }

    [Fact]
    public void Plain_and_per_record_gzip_copies_of_a_file_yield_the_same_records()
    {
        var plain = ReadAll(Shared("edge/example.warc"));
        var gzip = ReadAll(Shared("edge/example.warc.gz"));
        Assert.False(plain.Stats.IsGzip);
        Assert.Empty(plain.Skips);
        Assert.Empty(gzip.Skips);
        Assert.Equal(["warcinfo", "warcinfo", "response", "request", "revisit", "request"], plain.Records.Select(r => r.Type));
        Assert.Equal(plain.Records.Select(r => (r.Type, r.Id, r.Uri, r.BlockLength, r.BlockStart)), gzip.Records.Select(r => (r.Type, r.Id, r.Uri, r.BlockLength, r.BlockStart)));
        // Plain offsets are byte offsets: the file has the record's first line there.
        var bytes = Shared("edge/example.warc");
        Assert.All(plain.Records, r => Assert.True(bytes.AsSpan((int)r.Offset).StartsWith("WARC/1.0"u8)));
        Assert.Equal([0L, 353, 784, 2012, 2621, 3207], gzip.Records.Select(r => r.Offset));
    }

    [Fact]
    public void Whole_file_gzip_is_read_as_one_stream_with_every_record_at_member_offset_zero()
    {
        var (records, skips, stats) = ReadAll(Shared("edge/example-bad-non-chunked.warc.gz"));
        Assert.True(stats.IsGzip);
        Assert.Empty(skips);
        Assert.Equal(["warcinfo", "warcinfo", "response", "request", "revisit", "request"], records.Select(r => r.Type));
        Assert.All(records, r => Assert.Equal(0, r.Offset));
    }

    [Fact]
    public void Gzip_file_with_an_unknown_extension_is_detected_by_its_magic_bytes()
    {
        var (records, skips, _) = ReadAll(Shared("edge/example-bad.warc.gz.bad"));
        Assert.Empty(skips);
        Assert.Equal(["warcinfo", "response", "request", "revisit", "request", "response"], records.Select(r => r.Type));
        Assert.Equal("http://example.com?example=1", records[1].Uri);
    }

    [Fact]
    public void Content_length_one_byte_short_with_members_not_aligned_to_records_still_yields_both_records()
    {
        // example-wrong-chunks: Content-Length is one byte short (the block's last line end spills into the record
        // separator, which is blank lines only, so nothing is reported) and the gzip members split records anywhere.
        var (records, skips, _) = ReadAll(Shared("edge/example-wrong-chunks.warc.gz"));
        Assert.Equal(["response", "request"], records.Select(r => r.Type));
        Assert.Equal(1613, records[0].BlockLength);
        Assert.Empty(skips);
    }

    [Fact]
    public void Record_with_short_content_length_in_a_plain_file_is_followed_by_a_resync()
    {
        var (records, skips, _) = ReadAll(Shared("edge/example-trunc.warc"));
        Assert.Equal(["warcinfo", "warcinfo", "response", "request"], records.Select(r => r.Type));
        var skip = Assert.Single(skips);
        Assert.Equal(SkipReasons.WarcGarbage, skip.Reason);
        Assert.Equal(2560, skip.Offset); // two stray NUL bytes where the record's end should be
    }

    [Fact]
    public void Wet_conversion_records_carry_the_extracted_text()
    {
        var (records, skips, _) = ReadAll(Shared("cc-whirlwind.warc.wet.gz"));
        Assert.Empty(skips);
        Assert.Equal(["warcinfo", "conversion"], records.Select(r => r.Type));
        Assert.Equal("https://an.wikipedia.org/wiki/Escopete", records[1].Uri);
        Assert.StartsWith("Escopete - Biquipedia", records[1].BlockStart);
        Assert.Equal(466, records[1].Offset);
    }

    private static (byte[] File, long[] Offsets, string[] Ids) Sample(int n, int bodyBytes = 2000)
    {
        var ids = Enumerable.Range(0, n).Select(i => $"<urn:uuid:{new Guid(i + 1, 0, 0, new byte[8])}>").ToArray();
        var rnd = new Random(7);
        var records = ids.Select((id, i) =>
        {
            var words = string.Join(' ', Enumerable.Range(0, bodyBytes / 6).Select(_ => rnd.Next(100000).ToString()));
            return WarcFiles.Record("response", $"https://example.org/{i}", WarcFiles.HttpResponse($"<html><body><p>{words}</p></body></html>"), id);
        }).ToList();
        var (file, offsets) = WarcFiles.GzipPerRecord(records);
        return (file, offsets, ids);
    }

    [Fact]
    public void Corrupt_gzip_member_is_skipped_and_counted_and_the_next_members_are_read()
    {
        var (file, offsets, ids) = Sample(6);
        // Overwrite the middle of member 2's deflate data.
        int mid = (int)(offsets[2] + (offsets[3] - offsets[2]) / 2);
        for (int i = 0; i < 40; i++) file[mid + i] ^= 0x5a;
        var (records, skips, _) = ReadAll(file);
        Assert.Equal(ids.Where((_, i) => i != 2), records.Select(r => r.Id));
        Assert.Equal(offsets.Where((_, i) => i != 2), records.Select(r => r.Offset));
        Assert.Contains(skips, s => s.Reason == SkipReasons.GzipCorruptMember && s.Offset == offsets[2]);
        Assert.DoesNotContain(skips, s => s.Reason == SkipReasons.GzipGarbage);
    }

    [Fact]
    public void Truncated_gzip_member_is_skipped_and_counted()
    {
        var (file, offsets, ids) = Sample(4);
        var cut = file.AsSpan(0, (int)(offsets[3] + (file.Length - offsets[3]) / 2)).ToArray();
        var (records, skips, _) = ReadAll(cut);
        Assert.Equal(ids[..3], records.Select(r => r.Id));
        Assert.Contains(skips, s => s.Reason == SkipReasons.GzipTruncatedMember && s.Offset == offsets[3]);
        Assert.Contains(skips, s => s.Reason == SkipReasons.WarcTruncatedRecord && s.Offset == offsets[3]);
    }

    [Fact]
    public void Garbage_between_gzip_members_is_skipped_counted_and_later_offsets_stay_exact()
    {
        var (file, offsets, ids) = Sample(4);
        var junk = Enumerable.Range(0, 300).Select(i => (byte)(i * 37 + 11)).ToArray();
        int at = (int)offsets[2];
        var damaged = file[..at].Concat(junk).Concat(file[at..]).ToArray();
        var (records, skips, _) = ReadAll(damaged);
        Assert.Equal(ids, records.Select(r => r.Id));
        Assert.Equal([offsets[0], offsets[1], offsets[2] + 300, offsets[3] + 300], records.Select(r => r.Offset));
        var g = Assert.Single(skips);
        Assert.Equal(SkipReasons.GzipGarbage, g.Reason);
        Assert.Equal(at, g.Offset);
    }

    [Fact]
    public void Garbage_between_plain_records_is_skipped_and_counted_with_its_offset()
    {
        var a = WarcFiles.Record("response", "https://a.example/", WarcFiles.HttpResponse("<p>a</p>"));
        var b = WarcFiles.Record("response", "https://b.example/", WarcFiles.HttpResponse("<p>b</p>"));
        var junk = "this is not a warc record\r\nWARC/0.9 neither\r\n"u8.ToArray();
        var file = a.Concat(junk).Concat(b).ToArray();
        var (records, skips, _) = ReadAll(file);
        Assert.Equal(["https://a.example/", "https://b.example/"], records.Select(r => r.Uri));
        Assert.Equal(a.Length + junk.Length, records[1].Offset);
        var g = Assert.Single(skips);
        Assert.Equal((SkipReasons.WarcGarbage, (long)a.Length), (g.Reason, g.Offset));
    }

    [Fact]
    public void Record_without_content_length_is_skipped_as_a_bad_header()
    {
        var bad = "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:x>\r\n\r\nHTTP/1.1 200 OK\r\n\r\nhello\r\n\r\n"u8.ToArray();
        var good = WarcFiles.Record("response", "https://ok.example/", WarcFiles.HttpResponse("<p>ok</p>"));
        var (records, skips, _) = ReadAll([.. bad, .. good]);
        Assert.Equal(["https://ok.example/"], records.Select(r => r.Uri));
        Assert.Contains(skips, s => s.Reason == SkipReasons.WarcBadHeader && s.Offset == 0);
    }

    [Fact]
    public void Oversized_header_block_is_skipped_and_reading_goes_on()
    {
        var huge = "WARC/1.0\r\nX-Filler: " + new string('x', 5000) + "\r\nContent-Length: 0\r\n\r\n\r\n\r\n";
        var good = WarcFiles.Record("response", "https://ok.example/", WarcFiles.HttpResponse("<p>ok</p>"));
        var (records, skips, _) = ReadAll([.. Encoding.ASCII.GetBytes(huge), .. good], new WarcReaderOptions { MaxHeaderBytes = 1024 });
        Assert.Equal(["https://ok.example/"], records.Select(r => r.Uri));
        Assert.Contains(skips, s => s.Reason == SkipReasons.WarcHeaderTooLarge);
    }

    [Fact]
    public void Record_over_the_size_cap_is_skipped_and_a_gzip_bomb_member_is_not_inflated()
    {
        // A 256 MiB record of zeros compresses to ~250 KiB: inflating it would take seconds and the reader must not.
        const int bombBytes = 256 << 20;
        byte[] bombMember;
        using (var ms = new MemoryStream())
        {
            using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize))
            {
                gz.Write(Encoding.ASCII.GetBytes($"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:bomb>\r\nContent-Length: {bombBytes}\r\n\r\n"));
                var zeros = new byte[1 << 20];
                for (int i = 0; i < bombBytes / zeros.Length; i++) gz.Write(zeros);
                gz.Write("\r\n\r\n"u8);
            }
            bombMember = ms.ToArray();
        }
        var (sample, _, ids) = Sample(2);
        var file = sample.Concat(bombMember).Concat(sample).ToArray();
        var (records, skips, stats) = ReadAll(file, new WarcReaderOptions { MaxRecordBytes = 1 << 20 });
        Assert.Equal([.. ids, .. ids], records.Select(r => r.Id));
        var s = Assert.Single(skips);
        Assert.Equal((SkipReasons.WarcRecordTooLarge, (long)sample.Length), (s.Reason, s.Offset));
        Assert.True(stats.Decompressed < 8 << 20, $"inflated {stats.Decompressed} bytes");
    }

    [Fact]
    public void Oversized_record_in_a_plain_file_is_skipped_without_buffering_it()
    {
        var big = WarcFiles.Record("response", "https://big.example/", new byte[3 << 20]);
        var small = WarcFiles.Record("response", "https://small.example/", WarcFiles.HttpResponse("<p>small</p>"));
        var (records, skips, _) = ReadAll([.. small, .. big, .. small], new WarcReaderOptions { MaxRecordBytes = 1 << 20 });
        Assert.Equal(["https://small.example/", "https://small.example/"], records.Select(r => r.Uri));
        Assert.Equal(SkipReasons.WarcRecordTooLarge, Assert.Single(skips).Reason);
    }

    [Fact]
    public void Target_uri_in_angle_brackets_from_wget_is_unwrapped()
    {
        var (records, _, _) = ReadAll(Shared("edge/example-wget-bad-target-uri.warc.gz"));
        Assert.Equal("http://example.com/", records.First(r => r.Type == "response").Uri);
        var (spaced, _, _) = ReadAll(Shared("edge/example-space-in-target-uri.warc.gz"));
        Assert.Equal("file:///example with spaces.png", spaced.Single(r => r.Type == "resource").Uri);
    }

    [Fact]
    public void Empty_and_non_warc_files_yield_no_records()
    {
        Assert.Empty(ReadAll([]).Records);
        var (records, skips, _) = ReadAll("just some text, not a warc file at all"u8.ToArray());
        Assert.Empty(records);
        Assert.Equal(SkipReasons.WarcGarbage, Assert.Single(skips).Reason);
        var (gzRecords, gzSkips, _) = ReadAll(WarcFiles.Gzip("plain text, gzipped"u8.ToArray()));
        Assert.Empty(gzRecords);
        Assert.Equal(SkipReasons.WarcGarbage, Assert.Single(gzSkips).Reason);
    }
}
