namespace DataPipe.Ingest.Warc;

/// <summary>
/// The bytes a <see cref="WarcReader"/> parses: the decompressed content of a WARC file, plus the facts about the
/// compressed layer that the reader needs (where each gzip member started, where corrupt data broke the stream).
/// </summary>
internal interface IWarcByteSource : IDisposable
{
    /// <summary>True when the file is gzip (per record or whole file).</summary>
    bool IsGzip { get; }

    /// <summary>Reads decompressed bytes; 0 only at the end of the input.</summary>
    int Read(Span<byte> buffer);

    /// <summary>Decompressed bytes produced so far (the position of the next byte <see cref="Read"/> returns).</summary>
    long Position { get; }

    /// <summary>Compressed bytes consumed so far.</summary>
    long CompressedPosition { get; }

    /// <summary>
    /// The offset in the file of the byte at decompressed position <paramref name="position"/>: the offset of the
    /// gzip member it belongs to for gzip files, the position itself for plain files. Positions must be asked in
    /// non-decreasing order; earlier ones are forgotten.
    /// </summary>
    long FileOffsetOf(long position);

    /// <summary>Decompressed position at which the member holding <paramref name="position"/> began.</summary>
    long MemberStartOf(long position);

    /// <summary>
    /// Positions where the decompressed stream is discontinuous (corrupt or truncated compressed data was skipped),
    /// in increasing order. A record that spans one is incomplete. The consumer removes those it has passed.
    /// </summary>
    Queue<long> Breaks { get; }

    /// <summary>
    /// Abandons the rest of the current gzip member without inflating it and continues at the next member. Returns
    /// false for plain input or when the member already ended (nothing to skip).
    /// </summary>
    bool SkipCurrentMember();

    /// <summary>True while the member holding the last byte read has not ended yet.</summary>
    bool InsideMember { get; }
}
