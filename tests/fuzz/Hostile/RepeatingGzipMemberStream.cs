using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace DataPipe.Fuzz.Hostile;

/// <summary>
/// One gzip member (RFC 1952) whose content is <c>prefix + unit × count + suffix</c>, produced as a stream without
/// ever compressing (or holding) the whole: a decompression bomb of any size for the hostile-input tests and the
/// hostile-memory bench. The deflate data is made once by the runtime's zlib for the prefix, a few units and the
/// suffix, each cut with a sync flush (which byte-aligns the stream); once the compressor is in its steady state every
/// further unit compresses to the same bytes, so those bytes are repeated <c>count</c> times. The CRC-32 trailer is
/// computed only if a reader gets that far. Zeros compress about 1000:1, so a 10 GiB member is about 10 MiB.
/// </summary>
public sealed class RepeatingGzipMemberStream : Stream
{
    private static readonly byte[] Header = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff];

    private readonly byte[] _prefix;
    private readonly byte[] _unit;
    private readonly byte[] _suffix;
    private readonly long _count;
    private readonly byte[][] _parts; // header, compressed prefix, warm-up units..., then the steady unit repeats
    private readonly byte[] _steady;
    private readonly byte[] _tail; // compressed suffix and final block
    private readonly int _warmup;
    private long _position;
    private long _segment; // index of the segment being read
    private int _inSegment;
    private byte[]? _trailer;

    public RepeatingGzipMemberStream(byte[] prefix, byte[] unit, long count, byte[] suffix)
    {
        if (count < 4) throw new ArgumentOutOfRangeException(nameof(count), "at least 4 units (below that, compress the bytes directly)");
        _prefix = prefix;
        _unit = unit;
        _suffix = suffix;
        _count = count;
        var (head, units, steady, tail) = Segments(prefix, unit, suffix);
        _warmup = units.Count;
        _parts = [Header, head, .. units];
        _steady = steady;
        _tail = tail;
        Length = Header.Length + head.Length + units.Sum(u => (long)u.Length) + (count - units.Count) * steady.Length + tail.Length + 8;
    }

    /// <summary>Bytes of the content once inflated.</summary>
    public long InflatedLength => _prefix.Length + _unit.Length * _count + _suffix.Length;

    private static (byte[] Head, List<byte[]> Units, byte[] Steady, byte[] Tail) Segments(byte[] prefix, byte[] unit, byte[] suffix)
    {
        const int MaxWarmup = 8;
        var output = new MemoryStream();
        using var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true);
        byte[] Cut()
        {
            deflate.Flush(); // Z_SYNC_FLUSH: ends on a byte boundary with an empty stored block
            var bytes = output.ToArray();
            output.SetLength(0);
            return bytes;
        }
        deflate.Write(prefix);
        var head = Cut();
        var units = new List<byte[]>();
        for (int i = 0; i <= MaxWarmup; i++)
        {
            deflate.Write(unit);
            units.Add(Cut());
            if (units.Count >= 3 && units[^1].AsSpan().SequenceEqual(units[^2]) && units[^2].AsSpan().SequenceEqual(units[^3]))
            {
                deflate.Write(suffix);
                deflate.Dispose();
                var tail = output.ToArray();
                var steady = units[^1];
                units.RemoveRange(units.Count - 3, 3);
                return (head, units, steady, tail);
            }
        }
        throw new InvalidOperationException($"the compressor did not settle on repeated output for a {unit.Length}-byte unit; use a unit that repeats within 32 KiB");
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = 0;
        while (!buffer.IsEmpty)
        {
            if (!TrySegment(out var segment)) break;
            if (segment.IsEmpty)
            {
                _segment++;
                continue;
            }
            int n = Math.Min(buffer.Length, segment.Length - _inSegment);
            segment.Slice(_inSegment, n).CopyTo(buffer);
            buffer = buffer[n..];
            total += n;
            _inSegment += n;
            if (_inSegment == segment.Length)
            {
                _segment++;
                _inSegment = 0;
            }
        }
        _position += total;
        return total;
    }

    private bool TrySegment(out ReadOnlySpan<byte> segment)
    {
        long steadyFirst = _parts.Length;
        long steadyEnd = steadyFirst + (_count - _warmup);
        segment = _segment < steadyFirst ? _parts[_segment]
            : _segment < steadyEnd ? _steady
            : _segment == steadyEnd ? _tail
            : _segment == steadyEnd + 1 ? (_trailer ??= Trailer())
            : default;
        return _segment <= steadyEnd + 1;
    }

    private byte[] Trailer()
    {
        var crc = new Crc32();
        crc.Append(_prefix);
        for (long i = 0; i < _count; i++) crc.Append(_unit);
        crc.Append(_suffix);
        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(4), (uint)InflatedLength);
        return trailer;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
