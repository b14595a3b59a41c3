using System.IO.Compression;
using DataPipe.Fuzz.Hostile;
using DataPipe.Ingest;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Warc;

namespace DataPipe.Tests.Hostile;

/// <summary>
/// Decompression bombs: a gzip member that inflates to 10 GiB, generated as it is read (never stored), met by
/// the WARC reader (behind an honest and a lying Content-Length) and by the HTTP payload decoder. Each is stopped at
/// its configured cap (<see cref="WarcReaderOptions.MaxRecordBytes"/>, <see cref="HttpPayloadDecoder.MaxBodyBytes"/>)
/// with the skip counted, having inflated and allocated a bounded amount; peak working sets at full size are printed
/// by <c>dotnet run --project bench -c Release -- hostile-memory</c>.
/// </summary>
[Collection(HostileCollection.Name)]
public class DecompressionBombTests
{
    private const long AllocationCap = 64L << 20;

    [Fact]
    public void Bomb_generator_makes_one_valid_gzip_member_of_exactly_the_declared_content()
    {
        byte[] prefix = "head:"u8.ToArray(), suffix = ":tail"u8.ToArray();
        using var bomb = new RepeatingGzipMemberStream(prefix, HostileInputs.ZeroUnit, 40, suffix);
        using var gz = new GZipStream(bomb, CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        gz.CopyTo(inflated);
        var bytes = inflated.ToArray();

        Assert.Equal(bomb.InflatedLength, bytes.LongLength);
        Assert.Equal(prefix, bytes[..5]);
        Assert.Equal(suffix, bytes[^5..]);
        Assert.All(bytes[5..^5], b => Assert.Equal(0, b));
        Assert.True(bomb.Length * 100 < bomb.InflatedLength, $"{bomb.Length} compressed bytes for {bomb.InflatedLength}: not a bomb");
    }

    [Fact]
    public void A_10_GiB_gzip_member_behind_an_honest_Content_Length_is_skipped_as_too_large_without_being_inflated()
    {
        var (uris, skips, inflated, allocated) = ReadAll(HostileInputs.GzipWarcWithGiantRecord(HostileInputs.ZeroUnit, HostileInputs.TenGiB));

        Assert.Equal(["https://before.example/", "https://after.example/"], uris);
        Assert.Contains(SkipReasons.WarcRecordTooLarge, skips);
        Assert.True(inflated < 2L * WarcReaderOptions.Default.MaxRecordBytes, $"inflated {inflated:N0} bytes of a 10 GiB member");
        Assert.True(allocated < AllocationCap, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_10_GiB_gzip_member_behind_a_lying_Content_Length_is_abandoned_after_the_record_cap()
    {
        var (uris, skips, inflated, allocated) = ReadAll(HostileInputs.GzipWarcWithGiantRecord(HostileInputs.ZeroUnit, HostileInputs.TenGiB, honestLength: false));

        // The record's declared 100 bytes are read; the 10 GiB after them are garbage, dropped once over the cap.
        Assert.Equal(["https://before.example/", "https://bomb.example/", "https://after.example/"], uris);
        Assert.Contains(SkipReasons.WarcGarbage, skips);
        Assert.True(inflated < 4L * WarcReaderOptions.Default.MaxRecordBytes, $"inflated {inflated:N0} bytes of a 10 GiB member");
        Assert.True(allocated < AllocationCap, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_response_body_gzipped_from_10_GiB_stops_at_the_decoders_body_cap()
    {
        // The compressed body (about 10 MiB) is materialized, as a WARC record's block would be; its 10 GiB are not.
        byte[] body;
        using (var bomb = new RepeatingGzipMemberStream([], HostileInputs.ZeroUnit, HostileInputs.TenGiB / HostileInputs.ZeroUnit.Length, []))
        {
            body = new byte[bomb.Length];
            bomb.ReadExactly(body);
        }
        var decoder = new HttpPayloadDecoder();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var result = decoder.Decode("Content-Type: text/html\r\nContent-Encoding: gzip\r\n"u8, body, out _);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(SkipReasons.HttpBodyTooLarge, result.SkipReason);
        Assert.True(allocated < AllocationCap, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_response_body_in_brotli_from_1_GiB_stops_at_the_decoders_body_cap()
    {
        // Brotli needs no generator trick: its encoder squeezes a GiB of zeros to a few hundred bytes quickly.
        var output = new MemoryStream();
        using (var br = new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int i = 0; i < (1 << 30) / HostileInputs.ZeroUnit.Length; i++) br.Write(HostileInputs.ZeroUnit);
        }
        var decoder = new HttpPayloadDecoder();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var result = decoder.Decode("Content-Encoding: br\r\n"u8, output.ToArray(), out _);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(SkipReasons.HttpBodyTooLarge, result.SkipReason);
        Assert.True(allocated < AllocationCap, $"allocated {allocated:N0} bytes");
    }

    internal static (List<string> Uris, List<string> Skips, long Inflated, long Allocated) ReadAll(Stream input, WarcReaderOptions? options = null)
    {
        var skips = new List<string>();
        var uris = new List<string>();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long inflated;
        using (input)
        using (var reader = new WarcReader(input, options, (reason, _, _) => skips.Add(reason)))
        {
            while (reader.TryRead(out var record)) uris.Add(record.TargetUri);
            inflated = reader.DecompressedBytesRead;
        }
        return (uris, skips, inflated, GC.GetTotalAllocatedBytes(precise: true) - before);
    }
}
