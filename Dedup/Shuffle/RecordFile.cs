using System.Runtime.InteropServices;
using DataPipe.Core.Errors;

namespace DataPipe.Dedup.Shuffle;

/// <summary>
/// Flat files of fixed-size binary records (bucket entries, pairs, cluster assignments): an 8-byte magic naming the
/// record type, then the records in native little-endian layout. Written whole by one task through Core's temp-then-
/// rename commit, so a reader never sees a partial file; a file with the wrong magic or a torn length is an error
/// naming it.
/// </summary>
public static class RecordFile
{
    public static void Write<T>(string path, ulong magic, ReadOnlySpan<T> records) where T : unmanaged
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> head = stackalloc byte[8];
        BitConverter.TryWriteBytes(head, magic);
        fs.Write(head);
        fs.Write(MemoryMarshal.AsBytes(records));
    }

    /// <summary>Appends the records of a file to <paramref name="into"/>.</summary>
    public static void ReadInto<T>(string path, ulong magic, List<T> into) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long body = fs.Length - 8;
        if (body < 0 || body % size != 0) throw new DataPipeException($"{path}: corrupt record file (length {fs.Length} is not 8 + n x {size})");
        Span<byte> head = stackalloc byte[8];
        fs.ReadExactly(head);
        if (BitConverter.ToUInt64(head) != magic) throw new DataPipeException($"{path}: not a {Describe(magic)} file");
        int n = checked((int)(body / size));
        int start = into.Count;
        CollectionsMarshal.SetCount(into, start + n);
        fs.ReadExactly(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(into)[start..]));
    }

    public static List<T> Read<T>(string path, ulong magic) where T : unmanaged
    {
        var list = new List<T>();
        ReadInto(path, magic, list);
        return list;
    }

    public static string Describe(ulong magic)
    {
        Span<byte> b = stackalloc byte[8];
        BitConverter.TryWriteBytes(b, magic);
        return System.Text.Encoding.ASCII.GetString(b).TrimEnd('\0');
    }

    /// <summary>An 8-character ASCII tag as a magic number.</summary>
    public static ulong Magic(string tag)
    {
        Span<byte> b = stackalloc byte[8];
        b.Clear();
        System.Text.Encoding.ASCII.GetBytes(tag.AsSpan(0, Math.Min(8, tag.Length)), b);
        return BitConverter.ToUInt64(b);
    }
}

/// <summary>Streams fixed-size records into a <see cref="RecordFile"/>, buffering writes.</summary>
public sealed class RecordWriter<T> : IDisposable where T : unmanaged
{
    private readonly FileStream _fs;
    private readonly T[] _buffer;
    private int _count;

    public RecordWriter(string path, ulong magic, int bufferRecords = 8192)
    {
        _fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> head = stackalloc byte[8];
        BitConverter.TryWriteBytes(head, magic);
        _fs.Write(head);
        _buffer = new T[bufferRecords];
    }

    public long Written { get; private set; }

    public void Add(in T record)
    {
        _buffer[_count++] = record;
        Written++;
        if (_count == _buffer.Length) Flush();
    }

    private void Flush()
    {
        _fs.Write(MemoryMarshal.AsBytes(_buffer.AsSpan(0, _count)));
        _count = 0;
    }

    public void Dispose()
    {
        Flush();
        _fs.Dispose();
    }
}
