using System.Buffers;

namespace DataPipe.Ingest.Warc;

/// <summary>
/// Streams the decompressed bytes of a gzip file member by member, as Common Crawl writes WARC files (one gzip member
/// per record, ISO 28500 annex D), and also plain whole-file gzip. Unlike GZipStream it knows the exact compressed
/// offset where each member starts, so a record can be addressed by that offset. Corrupt or truncated members do not
/// end the file: the reader notes a break in the decompressed stream, scans forward for the next gzip header that
/// inflates, and goes on. Memory: one input buffer and one zlib window, whatever the file size.
/// </summary>
internal sealed class GzipMemberReader : IWarcByteSource
{
    private const int InputBufferSize = 256 * 1024;
    private const int TrialOutputSize = 256;

    private readonly Stream _input;
    private readonly ZlibInflater _inflater = new(ZlibInflater.GzipWindowBits);
    private readonly Action<string, long, string> _fault;
    private readonly byte[] _in = ArrayPool<byte>.Shared.Rent(InputBufferSize);
    private readonly Queue<(long Position, long FileOffset)> _members = new();
    private int _inStart;
    private int _inEnd;
    private long _inBase; // file offset of _in[0]
    private bool _eof;
    private State _state = State.AtHeader;
    private long _memberOffset;

    private enum State { AtHeader, InMember, Resync, Done }

    /// <param name="input">The compressed file, positioned at its first byte.</param>
    /// <param name="fault">Told about each skipped piece: reason (a <see cref="SkipReasons"/> name), file offset, detail.</param>
    public GzipMemberReader(Stream input, Action<string, long, string> fault)
    {
        _input = input;
        _fault = fault;
    }

    public bool IsGzip => true;

    public long Position { get; private set; }

    public long CompressedPosition => _inBase + _inStart;

    public Queue<long> Breaks { get; } = new();

    public bool InsideMember => _state == State.InMember;

    /// <summary>Members started so far.</summary>
    public long MembersRead { get; private set; }

    public long FileOffsetOf(long position)
    {
        while (_members.Count > 1 && SecondStart() <= position) _members.Dequeue();
        return _members.Count > 0 ? _members.Peek().FileOffset : 0;
    }

    public long MemberStartOf(long position)
    {
        while (_members.Count > 1 && SecondStart() <= position) _members.Dequeue();
        return _members.Count > 0 ? _members.Peek().Position : 0;
    }

    private long SecondStart()
    {
        using var e = _members.GetEnumerator();
        e.MoveNext();
        e.MoveNext();
        return e.Current.Position;
    }

    public bool SkipCurrentMember()
    {
        if (_state != State.InMember) return false;
        // Continue the search one byte after the member's header; a false header inside the compressed data is
        // rejected by the trial inflate in Resync.
        long from = _memberOffset + 1;
        if (from >= _inBase && from <= _inBase + _inEnd) _inStart = Math.Max(_inStart, (int)(from - _inBase));
        _state = State.Resync;
        _resyncFrom = CompressedPosition;
        _silentResync = true;
        return true;
    }

    private long _resyncFrom;
    private bool _silentResync;

    public int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            switch (_state)
            {
                case State.Done:
                    return 0;

                case State.AtHeader:
                    if (!Ensure(10))
                    {
                        if (Available == 0) { _state = State.Done; return 0; }
                        // A few stray bytes at the end: padding or garbage.
                        ReportGarbage(CompressedPosition, Available, atEnd: true);
                        _inStart = _inEnd;
                        _state = State.Done;
                        return 0;
                    }
                    if (LooksLikeHeader(_in.AsSpan(_inStart, _inEnd - _inStart)))
                    {
                        StartMember();
                        continue;
                    }
                    _resyncFrom = CompressedPosition;
                    _silentResync = false;
                    _state = State.Resync;
                    continue;

                case State.Resync:
                    if (!Resync()) { _state = State.Done; return 0; }
                    continue;

                case State.InMember:
                {
                    if (Available == 0 && !Fill())
                    {
                        _fault(SkipReasons.GzipTruncatedMember, _memberOffset, $"input ended inside the gzip member after {CompressedPosition - _memberOffset} compressed bytes");
                        Breaks.Enqueue(Position);
                        _state = State.Done;
                        return 0;
                    }
                    var status = _inflater.Inflate(_in.AsSpan(_inStart, _inEnd - _inStart), buffer, out int consumed, out int produced);
                    _inStart += consumed;
                    Position += produced;
                    if (status == InflateStatus.End)
                    {
                        _state = State.AtHeader;
                        if (produced > 0) return produced;
                        continue;
                    }
                    if (status == InflateStatus.DataError)
                    {
                        _fault(SkipReasons.GzipCorruptMember, _memberOffset, "invalid compressed data");
                        Breaks.Enqueue(Position);
                        _state = State.Resync;
                        _resyncFrom = CompressedPosition;
                        _silentResync = true; // counted once, as the corrupt member
                        if (produced > 0) return produced;
                        continue;
                    }
                    if (produced > 0) return produced;
                    if (consumed == 0 && Available > 0)
                    {
                        // zlib made no progress with input available and output space: treat as corrupt.
                        _fault(SkipReasons.GzipCorruptMember, _memberOffset, "inflate made no progress");
                        Breaks.Enqueue(Position);
                        _state = State.Resync;
                        _resyncFrom = CompressedPosition + 1;
                        _inStart++;
                        _silentResync = true;
                    }
                    continue;
                }
            }
        }
    }

    private int Available => _inEnd - _inStart;

    private void StartMember()
    {
        _memberOffset = CompressedPosition;
        _inflater.Reset();
        _members.Enqueue((Position, _memberOffset));
        MembersRead++;
        _state = State.InMember;
    }

    /// <summary>
    /// Scans forward from the current input position for a gzip header whose first bytes inflate, and positions the
    /// reader on it. Returns false at the end of the input.
    /// </summary>
    private bool Resync()
    {
        while (true)
        {
            if (!Ensure(10))
            {
                if (Available > 0) ReportResync(CompressedPosition + Available, atEnd: true);
                else ReportResync(CompressedPosition, atEnd: true);
                _inStart = _inEnd;
                return false;
            }
            var window = _in.AsSpan(_inStart, _inEnd - _inStart);
            int at = window.IndexOf((byte)0x1f);
            while (at >= 0 && at + 10 <= window.Length)
            {
                if (LooksLikeHeader(window[at..]))
                {
                    _inStart += at;
                    if (TrialInflates())
                    {
                        ReportResync(CompressedPosition, atEnd: false);
                        StartMember();
                        return true;
                    }
                    _inStart += 1;
                    window = _in.AsSpan(_inStart, _inEnd - _inStart);
                    at = window.IndexOf((byte)0x1f);
                    continue;
                }
                int next = window[(at + 1)..].IndexOf((byte)0x1f);
                at = next < 0 ? -1 : at + 1 + next;
            }
            // Keep the last 9 bytes: a header may straddle the buffer's end.
            int keep = Math.Min(9, window.Length);
            _inStart = _inEnd - keep;
            if (!Fill())
            {
                ReportResync(_inBase + _inEnd, atEnd: true);
                _inStart = _inEnd;
                return false;
            }
        }
    }

    private void ReportResync(long reachedOffset, bool atEnd)
    {
        long skipped = reachedOffset - _resyncFrom;
        if (!_silentResync && skipped > 0) ReportGarbage(_resyncFrom, skipped, atEnd);
        _silentResync = false;
    }

    private void ReportGarbage(long offset, long bytes, bool atEnd)
    {
        // Zero padding at the end of a file is common and harmless; anything else is reported.
        if (atEnd && IsAllZero(offset, bytes)) return;
        _fault(SkipReasons.GzipGarbage, offset, $"{bytes} bytes that are not a gzip member skipped");
    }

    private bool IsAllZero(long offset, long bytes)
    {
        long start = offset - _inBase;
        if (start < 0 || start + bytes > _inEnd) return false;
        return !_in.AsSpan((int)start, (int)bytes).ContainsAnyExcept((byte)0);
    }

    /// <summary>Does the candidate header at <c>_inStart</c> begin a stream zlib accepts? Consumes nothing.</summary>
    private bool TrialInflates()
    {
        Ensure(64 * 1024);
        using var trial = new ZlibInflater(ZlibInflater.GzipWindowBits);
        Span<byte> output = stackalloc byte[TrialOutputSize];
        var input = _in.AsSpan(_inStart, _inEnd - _inStart);
        var status = trial.Inflate(input, output, out _, out int produced);
        return status != InflateStatus.DataError && (produced > 0 || status == InflateStatus.End || input.Length < 64 * 1024);
    }

    private static bool LooksLikeHeader(ReadOnlySpan<byte> b)
        => b.Length >= 10 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 && (b[3] & 0xE0) == 0;

    /// <summary>Makes at least <paramref name="n"/> bytes available; false if the input ends first.</summary>
    private bool Ensure(int n)
    {
        while (Available < n)
        {
            if (!Fill()) return Available >= n;
        }
        return true;
    }

    /// <summary>Reads more input, compacting the buffer first; false at the end of the input.</summary>
    private bool Fill()
    {
        if (_eof) return false;
        if (_inStart > 0)
        {
            int live = Available;
            if (live > 0) Buffer.BlockCopy(_in, _inStart, _in, 0, live);
            _inBase += _inStart;
            _inStart = 0;
            _inEnd = live;
        }
        if (_inEnd == _in.Length) return true; // full: the caller has room to work with
        int n = _input.Read(_in, _inEnd, _in.Length - _inEnd);
        if (n <= 0)
        {
            _eof = true;
            return false;
        }
        _inEnd += n;
        return true;
    }

    public void Dispose()
    {
        _inflater.Dispose();
        ArrayPool<byte>.Shared.Return(_in);
    }
}
