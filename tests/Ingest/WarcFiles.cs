using System.IO.Compression;
using System.Text;

namespace DataPipe.Tests.Ingest;

/// <summary>Builds small WARC files for tests: records as bytes, gzipped one member per record, with faults injected by the caller.</summary>
internal static class WarcFiles
{
    public static byte[] Record(string type, string uri, byte[] block, string? id = null, string date = "2024-05-18T01:58:10Z", string contentType = "application/http; msgtype=response")
    {
        id ??= $"<urn:uuid:{Guid.NewGuid()}>";
        var head = $"WARC/1.0\r\nWARC-Type: {type}\r\nWARC-Record-ID: {id}\r\nWARC-Date: {date}\r\nWARC-Target-URI: {uri}\r\nContent-Type: {contentType}\r\nContent-Length: {block.Length}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. block, .. "\r\n\r\n"u8];
    }

    public static byte[] HttpResponse(string html, string headers = "Content-Type: text/html; charset=utf-8", int status = 200)
    {
        var body = Encoding.UTF8.GetBytes(html);
        return HttpResponse(body, $"{headers}\r\nContent-Length: {body.Length}", status);
    }

    public static byte[] HttpResponse(byte[] body, string headers, int status = 200)
        => [.. Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\n{headers}\r\n\r\n"), .. body];

    public static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, level)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>Each record gzipped as its own member, concatenated; also returns each member's offset.</summary>
    public static (byte[] File, long[] Offsets) GzipPerRecord(IEnumerable<byte[]> records)
    {
        using var ms = new MemoryStream();
        var offsets = new List<long>();
        foreach (var r in records)
        {
            offsets.Add(ms.Position);
            ms.Write(Gzip(r));
        }
        return (ms.ToArray(), offsets.ToArray());
    }

    /// <summary>
    /// The offsets of the gzip members of a file that start a WARC record, found independently of the reader under
    /// test: every gzip header candidate that GZipStream inflates to "WARC/1." is one.
    /// </summary>
    public static List<long> MemberOffsets(byte[] file)
    {
        var offsets = new List<long>();
        for (int i = 0; i + 3 < file.Length; i++)
        {
            if (file[i] != 0x1f || file[i + 1] != 0x8b || file[i + 2] != 8) continue;
            try
            {
                using var gz = new GZipStream(new MemoryStream(file, i, file.Length - i), CompressionMode.Decompress);
                var head = new byte[8];
                int n = gz.ReadAtLeast(head, 8, throwOnEndOfStream: false);
                if (n == 8 && head.AsSpan().StartsWith("WARC/1."u8)) offsets.Add(i);
            }
            catch (InvalidDataException)
            {
            }
        }
        return offsets;
    }
}
