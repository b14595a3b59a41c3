using System.Buffers;
using System.IO.Compression;
using DataPipe.Ingest.Warc;

namespace DataPipe.Ingest.Http;

/// <summary>The outcome of decoding a response body: the payload, or why it was skipped.</summary>
public readonly record struct DecodeResult(string? SkipReason, string? Detail)
{
    public static readonly DecodeResult Ok = new(null, null);

    public bool IsOk => SkipReason is null;
}

/// <summary>
/// Turns a recorded HTTP response body into the payload the server meant: removes the chunked transfer coding
/// (RFC 9112 §7.1) and the content codings gzip, deflate (zlib or raw, as servers send both) and br (RFC 9110 §8.4).
/// Decoded output is capped (default 10 MiB) so a compression bomb stops at the cap. A body cut short (Common Crawl
/// truncates payloads over 1 MiB) keeps what decoded; malformed chunking or compressed data is a skip with its reason.
/// One instance per worker: its buffers are reused from record to record.
/// </summary>
public sealed class HttpPayloadDecoder
{
    private readonly ArrayBufferWriter<byte> _dechunked = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _decoded = new(256 * 1024);
    private ZlibInflater? _gzip;

    public HttpPayloadDecoder(int maxBodyBytes = 10 * 1024 * 1024)
    {
        MaxBodyBytes = maxBodyBytes;
    }

    /// <summary>Largest decoded payload; more is a <see cref="SkipReasons.HttpBodyTooLarge"/> skip.</summary>
    public int MaxBodyBytes { get; }

    /// <summary>True when the last body was cut short (truncated chunking or compressed data) and the prefix kept.</summary>
    public bool LastWasTruncated { get; private set; }

    /// <summary>
    /// Decodes <paramref name="body"/> under the codings named in <paramref name="headers"/>. On success
    /// <paramref name="payload"/> holds the payload (valid until the next call).
    /// </summary>
    public DecodeResult Decode(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> body, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        LastWasTruncated = false;
        if (HeaderFields.TryGet(headers, "Transfer-Encoding"u8, out var te) && HeaderFields.ListContains(te, "chunked"u8))
        {
            var r = Dechunk(body);
            if (!r.IsOk) return r;
            body = _dechunked.WrittenSpan;
        }
        if (HeaderFields.TryGet(headers, "Content-Encoding"u8, out var ce) && !ce.IsEmpty)
        {
            // Codings are listed in the order applied; undo them last to first.
            var codings = new List<Range>();
            foreach (var range in ce.Split((byte)',')) codings.Add(range);
            for (int i = codings.Count - 1; i >= 0; i--)
            {
                var coding = ce[codings[i]].Trim(" \t"u8);
                var r = DecodeOne(coding, body, out var decoded);
                if (!r.IsOk) return r;
                body = decoded;
            }
        }
        if (body.Length > MaxBodyBytes)
            return new DecodeResult(SkipReasons.HttpBodyTooLarge, $"body of {body.Length} bytes is over the {MaxBodyBytes}-byte cap");
        payload = body;
        return DecodeResult.Ok;
    }

    private DecodeResult DecodeOne(ReadOnlySpan<byte> coding, ReadOnlySpan<byte> body, out ReadOnlySpan<byte> decoded)
    {
        decoded = body;
        if (coding.IsEmpty || System.Text.Ascii.EqualsIgnoreCase(coding, "identity"u8)) return DecodeResult.Ok;
        bool gzip = System.Text.Ascii.EqualsIgnoreCase(coding, "gzip"u8) || System.Text.Ascii.EqualsIgnoreCase(coding, "x-gzip"u8);
        bool deflate = System.Text.Ascii.EqualsIgnoreCase(coding, "deflate"u8);
        bool br = System.Text.Ascii.EqualsIgnoreCase(coding, "br"u8);
        if (!gzip && !deflate && !br)
            return new DecodeResult(SkipReasons.HttpUnsupportedContentEncoding, $"Content-Encoding '{System.Text.Encoding.Latin1.GetString(coding)}'");
        // Crawlers often store the body already decoded but keep the header: believe the bytes, not the header.
        if (gzip && !(body.Length >= 2 && body[0] == 0x1f && body[1] == 0x8b)) return DecodeResult.Ok;
        if (deflate && body.Length >= 2 && !LooksLikeZlib(body) && LooksLikeText(body)) return DecodeResult.Ok;

        // The output buffer may be the input of the next coding, so decode into the other buffer each time.
        var target = _decoded;
        if (body.Overlaps(_decoded.WrittenSpan)) target = _dechunked;
        target.ResetWrittenCount();
        DecodeResult r;
        if (br) r = Brotli(body, target);
        else if (gzip) r = Inflate(body, target, ZlibInflater.GzipWindowBits, allowMembers: true);
        else
        {
            r = Inflate(body, target, LooksLikeZlib(body) ? ZlibInflater.ZlibWindowBits : ZlibInflater.RawDeflateWindowBits, allowMembers: false);
        }
        if (!r.IsOk) return r;
        decoded = target.WrittenSpan;
        return DecodeResult.Ok;
    }

    private static bool LooksLikeZlib(ReadOnlySpan<byte> b) => b.Length >= 2 && (b[0] & 0x0F) == 8 && ((b[0] << 8) | b[1]) % 31 == 0;

    private static bool LooksLikeText(ReadOnlySpan<byte> b)
    {
        var head = b[..Math.Min(b.Length, 64)].TrimStart(" \t\r\n"u8);
        return !head.IsEmpty && (head[0] == (byte)'<' || head[0] == (byte)'{');
    }

    private DecodeResult Inflate(ReadOnlySpan<byte> body, ArrayBufferWriter<byte> target, int windowBits, bool allowMembers)
    {
        using var owned = windowBits == ZlibInflater.GzipWindowBits ? null : new ZlibInflater(windowBits);
        var inflater = owned ?? (_gzip ??= new ZlibInflater(ZlibInflater.GzipWindowBits));
        if (owned is null) inflater.Reset();
        while (true)
        {
            if (target.WrittenCount > MaxBodyBytes)
                return new DecodeResult(SkipReasons.HttpBodyTooLarge, $"decoded body over the {MaxBodyBytes}-byte cap");
            var output = target.GetSpan(Math.Min(256 * 1024, MaxBodyBytes + 1 - target.WrittenCount));
            var status = inflater.Inflate(body, output, out int consumed, out int produced);
            target.Advance(produced);
            body = body[consumed..];
            if (status == InflateStatus.DataError)
                return new DecodeResult(SkipReasons.HttpBadContentEncoding, $"invalid compressed body after {target.WrittenCount} decoded bytes");
            if (status == InflateStatus.End)
            {
                // Some servers concatenate gzip members; anything else after the end is ignored.
                if (allowMembers && body.Length >= 10 && body[0] == 0x1f && body[1] == 0x8b)
                {
                    inflater.Reset();
                    continue;
                }
                return DecodeResult.Ok;
            }
            if (body.IsEmpty && produced == 0)
            {
                // Input ended before the compressed stream did: the body was truncated. Keep the prefix.
                LastWasTruncated = true;
                return DecodeResult.Ok;
            }
        }
    }

    private DecodeResult Brotli(ReadOnlySpan<byte> body, ArrayBufferWriter<byte> target)
    {
        using var decoder = new BrotliDecoder();
        while (true)
        {
            if (target.WrittenCount > MaxBodyBytes)
                return new DecodeResult(SkipReasons.HttpBodyTooLarge, $"decoded body over the {MaxBodyBytes}-byte cap");
            var output = target.GetSpan(Math.Min(256 * 1024, MaxBodyBytes + 1 - target.WrittenCount));
            var status = decoder.Decompress(body, output, out int consumed, out int written);
            target.Advance(written);
            body = body[consumed..];
            switch (status)
            {
                case OperationStatus.Done:
                    return DecodeResult.Ok;
                case OperationStatus.InvalidData:
                    return new DecodeResult(SkipReasons.HttpBadContentEncoding, $"invalid brotli body after {target.WrittenCount} decoded bytes");
                case OperationStatus.NeedMoreData:
                    if (body.IsEmpty)
                    {
                        LastWasTruncated = true;
                        return DecodeResult.Ok;
                    }
                    break;
                case OperationStatus.DestinationTooSmall:
                    break;
            }
            if (consumed == 0 && written == 0 && status != OperationStatus.DestinationTooSmall)
                return new DecodeResult(SkipReasons.HttpBadContentEncoding, "brotli decoder made no progress");
        }
    }

    /// <summary>
    /// Removes the chunked coding into <c>_dechunked</c>. A body whose first line is not a chunk size was not really
    /// chunked (recorders often store the decoded body but keep the header) and is taken as it is.
    /// </summary>
    private DecodeResult Dechunk(ReadOnlySpan<byte> body)
    {
        _dechunked.ResetWrittenCount();
        var rest = body;
        bool first = true;
        while (true)
        {
            int nl = rest.IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (first) return CopyAsIs(body);
                LastWasTruncated = true;
                return DecodeResult.Ok;
            }
            var line = rest[..nl].TrimEnd((byte)'\r');
            int semi = line.IndexOf((byte)';');
            if (semi >= 0) line = line[..semi];
            line = line.Trim(" \t"u8);
            if (!TryParseHex(line, out long size))
            {
                if (first) return CopyAsIs(body);
                return new DecodeResult(SkipReasons.HttpBadChunking, $"bad chunk size line after {_dechunked.WrittenCount} bytes");
            }
            first = false;
            rest = rest[(nl + 1)..];
            if (size == 0) return DecodeResult.Ok; // trailers, if any, are not needed
            if (_dechunked.WrittenCount + size > MaxBodyBytes)
                return new DecodeResult(SkipReasons.HttpBodyTooLarge, $"chunked body over the {MaxBodyBytes}-byte cap");
            if (size > rest.Length)
            {
                // Cut short: keep what is there.
                _dechunked.Write(rest);
                LastWasTruncated = true;
                return DecodeResult.Ok;
            }
            _dechunked.Write(rest[..(int)size]);
            rest = rest[(int)size..];
            if (rest.StartsWith("\r\n"u8)) rest = rest[2..];
            else if (rest.StartsWith("\n"u8)) rest = rest[1..];
            else if (!rest.IsEmpty) return new DecodeResult(SkipReasons.HttpBadChunking, $"chunk of {size} bytes not followed by a line end");
        }
    }

    private DecodeResult CopyAsIs(ReadOnlySpan<byte> body)
    {
        _dechunked.ResetWrittenCount();
        _dechunked.Write(body);
        return DecodeResult.Ok;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 15) return false;
        foreach (byte b in s)
        {
            int d = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (d < 0) return false;
            value = value * 16 + d;
        }
        return true;
    }
}
