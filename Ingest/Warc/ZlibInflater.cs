using System.Runtime.InteropServices;

namespace DataPipe.Ingest.Warc;

/// <summary>
/// A raw inflate session over the zlib that ships with the .NET runtime (libSystem.IO.Compression.Native, the library
/// behind System.IO.Compression's GZipStream). GZipStream reads ahead and joins gzip members silently, so it cannot say
/// where one member ends and the next begins; a WARC reader needs exactly that (a Common Crawl record's offset is the
/// offset of its gzip member), so this type drives zlib directly: it reports how many input bytes each call consumed
/// and whether the current member (or zlib/raw stream) ended.
/// </summary>
internal sealed unsafe class ZlibInflater : IDisposable
{
    /// <summary>zlib window bits: 15 + 16 = gzip, 15 = zlib, -15 = raw deflate, 15 + 32 = gzip or zlib by header.</summary>
    public const int GzipWindowBits = 31;
    public const int ZlibWindowBits = 15;
    public const int RawDeflateWindowBits = -15;

    private const string NativeLibrary = "libSystem.IO.Compression.Native";
    private const int Z_OK = 0;
    private const int Z_STREAM_END = 1;
    private const int Z_NEED_DICT = 2;
    private const int Z_BUF_ERROR = -5;
    private const int Z_NO_FLUSH = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct PalZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public nint Msg;
        public nint InternalState;
        public uint AvailIn;
        public uint AvailOut;
    }

    [DllImport(NativeLibrary, EntryPoint = "CompressionNative_InflateInit2_")]
    private static extern int InflateInit2(PalZStream* stream, int windowBits);

    [DllImport(NativeLibrary, EntryPoint = "CompressionNative_Inflate")]
    private static extern int Inflate(PalZStream* stream, int flush);

    [DllImport(NativeLibrary, EntryPoint = "CompressionNative_InflateEnd")]
    private static extern int InflateEnd(PalZStream* stream);

    [DllImport(NativeLibrary, EntryPoint = "CompressionNative_InflateReset2_")]
    private static extern int InflateReset2(PalZStream* stream, int windowBits);

    private PalZStream* _z;
    private readonly int _windowBits;

    public ZlibInflater(int windowBits = GzipWindowBits)
    {
        _windowBits = windowBits;
        _z = (PalZStream*)NativeMemory.AllocZeroed((nuint)sizeof(PalZStream));
        int rc = InflateInit2(_z, windowBits);
        if (rc != Z_OK)
        {
            NativeMemory.Free(_z);
            _z = null;
            throw new InvalidOperationException($"zlib inflateInit2 failed ({rc})");
        }
    }

    /// <summary>Starts a new stream (the next gzip member) with the same settings.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_z is null, this);
        int rc = InflateReset2(_z, _windowBits);
        if (rc != Z_OK) throw new InvalidOperationException($"zlib inflateReset2 failed ({rc})");
    }

    /// <summary>
    /// Inflates from <paramref name="input"/> into <paramref name="output"/>. Returns what happened: bytes consumed and
    /// produced, and whether the stream ended (<see cref="InflateStatus.End"/>), needs more input or output
    /// (<see cref="InflateStatus.Ok"/>), or is corrupt (<see cref="InflateStatus.DataError"/>).
    /// </summary>
    public InflateStatus Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int produced)
    {
        ObjectDisposedException.ThrowIf(_z is null, this);
        fixed (byte* inp = input)
        fixed (byte* outp = output)
        {
            _z->NextIn = inp;
            _z->AvailIn = (uint)input.Length;
            _z->NextOut = outp;
            _z->AvailOut = (uint)output.Length;
            int rc = Inflate(_z, Z_NO_FLUSH);
            consumed = input.Length - (int)_z->AvailIn;
            produced = output.Length - (int)_z->AvailOut;
            _z->NextIn = null;
            _z->NextOut = null;
            return rc switch
            {
                Z_STREAM_END => InflateStatus.End,
                Z_OK or Z_BUF_ERROR => InflateStatus.Ok,
                Z_NEED_DICT => InflateStatus.DataError,
                _ => InflateStatus.DataError,
            };
        }
    }

    ~ZlibInflater() => Dispose();

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (_z is null) return;
        _ = InflateEnd(_z);
        NativeMemory.Free(_z);
        _z = null;
    }
}

internal enum InflateStatus
{
    /// <summary>Progress made (or none possible without more input or output space); the stream has not ended.</summary>
    Ok,

    /// <summary>The stream (one gzip member) ended; input after it is not consumed.</summary>
    End,

    /// <summary>The input is not valid compressed data.</summary>
    DataError,
}
