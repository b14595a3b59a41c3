namespace DataPipe.Ingest.Warc;

/// <summary>An uncompressed WARC file: decompressed positions are file offsets.</summary>
internal sealed class PlainByteSource(Stream input) : IWarcByteSource
{

    public bool IsGzip => false;

    public long Position { get; private set; }

    public long CompressedPosition => Position;

    public Queue<long> Breaks { get; } = new();

    public bool InsideMember => false;

    public int Read(Span<byte> buffer)
    {
        int n = input.Read(buffer);
        Position += n;
        return n;
    }

    public long FileOffsetOf(long position) => position;

    public long MemberStartOf(long position) => position;

    public bool SkipCurrentMember() => false;

    public void Dispose()
    {
    }
}
