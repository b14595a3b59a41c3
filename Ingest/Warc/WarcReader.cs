using System.Buffers;
using DataPipe.Ingest.Http;

namespace DataPipe.Ingest.Warc;

/// <summary>
/// Streams the records of a WARC file (ISO 28500, WARC/1.0 and WARC/1.1), WET files included (their text records are
/// <c>conversion</c> records). The file may be gzipped per record (how Common Crawl ships WARC/WET, annex D of the
/// standard), gzipped whole, or plain; the format is sniffed from the first bytes, not the name.
///
/// Bad input never ends the file: garbage between records, a wrong Content-Length, a truncated or corrupt gzip member
/// or an over-long header make the reader skip ahead to the next <c>WARC/1.</c> line (the next gzip member for corrupt
/// compressed data) and go on; every skip is reported with its reason and file offset. A record over
/// <see cref="WarcReaderOptions.MaxRecordBytes"/> is skipped without being buffered (in a per-record gzip file, its
/// member is not inflated at all), so memory stays at one record plus the zlib window whatever the file holds.
/// </summary>
public sealed class WarcReader : IDisposable
{
    private const int InitialBufferSize = 1 << 20;
    private const int MinReadSize = 64 * 1024;
    private static ReadOnlySpan<byte> Magic => "WARC/1."u8;

    private readonly IWarcByteSource _source;
    private readonly WarcReaderOptions _options;
    private readonly Action<string, long, string> _skip;
    private byte[] _buf;
    private int _pos;
    private int _end;
    private long _base; // stream position of _buf[0]
    private bool _eof;
    private bool _trailerPending;

    /// <param name="input">The file's bytes, from the start (compressed or not).</param>
    /// <param name="options">Caps; <see cref="WarcReaderOptions.Default"/> when null.</param>
    /// <param name="skip">Told about every skipped piece: reason (a <see cref="SkipReasons"/> name), file offset, detail.</param>
    public WarcReader(Stream input, WarcReaderOptions? options = null, Action<string, long, string>? skip = null)
    {
        _options = options ?? WarcReaderOptions.Default;
        _skip = skip ?? ((_, _, _) => { });
        _buf = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        // Sniff: gzip magic (1f 8b), else plain. The sniffed bytes are replayed to the chosen source.
        var head = new byte[2];
        int got = 0;
        while (got < 2)
        {
            int n = input.Read(head, got, 2 - got);
            if (n <= 0) break;
            got += n;
        }
        var replay = new PrefixedStream(head.AsMemory(0, got), input);
        _source = got == 2 && head[0] == 0x1f && head[1] == 0x8b
            ? new GzipMemberReader(replay, _options.FileOffsetBase == 0 ? _skip : (reason, offset, detail) => _skip(reason, offset + _options.FileOffsetBase, detail))
            : new PlainByteSource(replay);
    }

    /// <summary>True when the file is gzip (per record or whole).</summary>
    public bool IsGzip => _source.IsGzip;

    /// <summary>Records returned so far.</summary>
    public long RecordsRead { get; private set; }

    /// <summary>Bytes of the file consumed so far (compressed bytes for gzip).</summary>
    public long CompressedBytesRead => _source.CompressedPosition;

    /// <summary>Decompressed bytes produced so far.</summary>
    public long DecompressedBytesRead => _source.Position;

    /// <summary>
    /// Reads the next record. Returns false at the end of the file. The record's memory is valid until the next call.
    /// </summary>
    public bool TryRead(out WarcRecord record)
    {
        record = default;
        if (_trailerPending)
        {
            _trailerPending = false;
            // The record should be followed by CRLF CRLF; missing or extra bytes are handled by the resync below.
            if (Ensure(4) && _buf.AsSpan(_pos, 4).SequenceEqual("\r\n\r\n"u8)) _pos += 4;
        }
        while (true)
        {
            if (!SeekRecordStart()) return false;
            long start = _base + _pos;
            DropBreaksUpTo(start);

            // Header block: up to the first empty line.
            int headerLen = FindHeaderEnd(out int blankLen);
            if (headerLen < 0)
            {
                if (headerLen == -2)
                {
                    _skip(SkipReasons.WarcHeaderTooLarge, FileOffset(start), $"no end of header within {_options.MaxHeaderBytes} bytes (stream offset {start})");
                    _pos += Magic.Length;
                    continue;
                }
                _skip(SkipReasons.WarcTruncatedRecord, FileOffset(start), $"file ends inside the record header (stream offset {start})");
                _pos = _end;
                return false;
            }
            if (CrossesBreak(start, start + headerLen + blankLen, out long brk))
            {
                _skip(SkipReasons.WarcTruncatedRecord, FileOffset(start), $"compressed data broken inside the record header (stream offset {start})");
                _pos = (int)(brk - _base);
                continue;
            }
            var header = _buf.AsSpan(_pos, headerLen);
            if (!HeaderFields.TryGetInt64(header, "Content-Length"u8, out long contentLength))
            {
                _skip(SkipReasons.WarcBadHeader, FileOffset(start), $"missing or invalid Content-Length (stream offset {start})");
                _pos += headerLen + blankLen;
                continue;
            }
            string type = HeaderFields.TryGet(header, "WARC-Type"u8, out var t) ? WarcRecord.InternType(t) : "";

            if (contentLength > _options.MaxRecordBytes)
            {
                long fileOffset = FileOffset(start);
                _skip(SkipReasons.WarcRecordTooLarge, fileOffset, $"{type} record of {contentLength} bytes is over the {_options.MaxRecordBytes}-byte cap");
                SkipBody(start, headerLen + blankLen, contentLength);
                continue;
            }

            int total = headerLen + blankLen + (int)contentLength;
            if (!Ensure(total))
            {
                _skip(SkipReasons.WarcTruncatedRecord, FileOffset(start), $"file ends after {_end - _pos} of {total} bytes of the {type} record");
                _pos = _end;
                return false;
            }
            if (CrossesBreak(start, start + total, out brk))
            {
                _skip(SkipReasons.WarcTruncatedRecord, FileOffset(start), $"compressed data broken inside the {type} record (stream offset {start})");
                _pos = (int)(brk - _base);
                continue;
            }
            record = new WarcRecord(
                FileOffset(start), start,
                _buf.AsMemory(_pos, headerLen),
                _buf.AsMemory(_pos + headerLen + blankLen, (int)contentLength),
                type);
            _pos += total;
            _trailerPending = true;
            RecordsRead++;
            return true;
        }
    }

    private long FileOffset(long streamPosition) => _options.FileOffsetBase + _source.FileOffsetOf(streamPosition);

    /// <summary>
    /// Moves to the next <c>WARC/1.</c> line. Blank lines are skipped silently; anything else skipped is reported as
    /// garbage. Returns false at the end of the file.
    /// </summary>
    private bool SeekRecordStart()
    {
        long garbageFrom = -1;
        long garbageFileOffset = 0;
        long discarded = 0;
        while (true)
        {
            // Blank lines between records are normal.
            while (true)
            {
                while (_pos < _end && (_buf[_pos] == (byte)'\r' || _buf[_pos] == (byte)'\n')) _pos++;
                if (_pos < _end || !Fill()) break;
            }
            if (!Ensure(Magic.Length))
            {
                if (_pos < _end && garbageFrom < 0) { garbageFrom = _base + _pos; garbageFileOffset = FileOffset(garbageFrom); }
                if (garbageFrom >= 0)
                    _skip(SkipReasons.WarcGarbage, garbageFileOffset, $"{_base + _end - garbageFrom} bytes before the end of the file are not a WARC record");
                _pos = _end;
                return false;
            }
            var window = _buf.AsSpan(_pos, _end - _pos);
            if (window.StartsWith(Magic))
            {
                if (garbageFrom >= 0)
                    _skip(SkipReasons.WarcGarbage, garbageFileOffset, $"{_base + _pos - garbageFrom} bytes skipped to the next WARC record (stream offset {garbageFrom})");
                return true;
            }
            if (garbageFrom < 0)
            {
                garbageFrom = _base + _pos;
                garbageFileOffset = FileOffset(garbageFrom);
            }
            int at = window.IndexOf(Magic);
            if (at >= 0)
            {
                _pos += at;
                continue;
            }
            // Not in the buffer: keep a possible partial magic at the end and read on.
            int drop = window.Length - (Magic.Length - 1);
            _pos += drop;
            discarded += drop;
            if (discarded > _options.MaxRecordBytes && _source.SkipCurrentMember())
            {
                // A gzip member of nothing but garbage (or a bomb): stop inflating it.
                _pos = _end;
                discarded = 0;
            }
            if (!Fill())
            {
                _skip(SkipReasons.WarcGarbage, garbageFileOffset, $"{_base + _end - garbageFrom} bytes before the end of the file are not a WARC record");
                _pos = _end;
                return false;
            }
        }
    }

    /// <summary>
    /// Length of the header block at <c>_pos</c> (up to and including the line end before the blank line) and the
    /// blank line's length; -1 when the file ends first, -2 when it is longer than the cap.
    /// </summary>
    private int FindHeaderEnd(out int blankLen)
    {
        blankLen = 0;
        int searched = 0;
        while (true)
        {
            var window = _buf.AsSpan(_pos, _end - _pos);
            int limit = Math.Min(window.Length, _options.MaxHeaderBytes + 4);
            var w = window[..limit];
            int from = Math.Max(0, searched - 3);
            int crlf = w[from..].IndexOf("\n\r\n"u8);
            int lflf = w[from..].IndexOf("\n\n"u8);
            int hit = crlf < 0 ? lflf : lflf < 0 ? crlf : Math.Min(crlf, lflf);
            if (hit >= 0)
            {
                int nl = from + hit; // the '\n' ending the last field line
                blankLen = w[nl + 1] == (byte)'\r' ? 2 : 1;
                return nl + 1;
            }
            searched = limit;
            if (limit >= _options.MaxHeaderBytes + 4) return -2;
            if (!EnsureMore()) return -1;
        }
    }

    private void SkipBody(long start, int headerBytes, long contentLength)
    {
        if (_source.IsGzip && _source.InsideMember && _source.MemberStartOf(start) == start && !AnyBreakAfter(start))
        {
            // The record has its own member (per-record gzip): drop it unread. Decompressed bytes already buffered
            // belong to it too.
            _source.SkipCurrentMember();
            _pos = _end;
            return;
        }
        long remaining = headerBytes + contentLength;
        while (remaining > 0)
        {
            int have = _end - _pos;
            if (have == 0)
            {
                if (!Fill()) return;
                continue;
            }
            int take = (int)Math.Min(have, remaining);
            _pos += take;
            remaining -= take;
        }
        _trailerPending = true;
    }

    private bool AnyBreakAfter(long start)
    {
        foreach (long b in _source.Breaks) if (b > start) return true;
        return false;
    }

    private void DropBreaksUpTo(long position)
    {
        while (_source.Breaks.Count > 0 && _source.Breaks.Peek() <= position) _source.Breaks.Dequeue();
    }

    private bool CrossesBreak(long start, long end, out long breakAt)
    {
        foreach (long b in _source.Breaks)
        {
            if (b > start && b < end)
            {
                breakAt = b;
                return true;
            }
        }
        breakAt = 0;
        return false;
    }

    /// <summary>Makes at least <paramref name="n"/> bytes available at <c>_pos</c>; false if the file ends first.</summary>
    private bool Ensure(int n)
    {
        while (_end - _pos < n)
        {
            if (!Fill(n)) return _end - _pos >= n;
        }
        return true;
    }

    private bool EnsureMore() => Fill(_end - _pos + 1);

    /// <summary>Reads more bytes after <c>_end</c>, making room for at least <paramref name="need"/> bytes from <c>_pos</c>.</summary>
    private bool Fill(int need = 0)
    {
        if (_eof) return false;
        int live = _end - _pos;
        int want = Math.Max(need, live + MinReadSize);
        if (_buf.Length - _pos < want)
        {
            if (_buf.Length >= want)
            {
                // Compact: move the live bytes to the front.
                Buffer.BlockCopy(_buf, _pos, _buf, 0, live);
            }
            else
            {
                var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(want, (long)_buf.Length * 2)));
                Buffer.BlockCopy(_buf, _pos, bigger, 0, live);
                ArrayPool<byte>.Shared.Return(_buf);
                _buf = bigger;
            }
            _base += _pos;
            _pos = 0;
            _end = live;
        }
        int n = _source.Read(_buf.AsSpan(_end));
        if (n <= 0)
        {
            _eof = true;
            return false;
        }
        _end += n;
        return true;
    }

    public void Dispose()
    {
        _source.Dispose();
        if (_buf.Length > 0) ArrayPool<byte>.Shared.Return(_buf);
        _buf = [];
    }
}
