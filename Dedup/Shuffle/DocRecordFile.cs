using System.Runtime.InteropServices;
using DataPipe.Core.Errors;
using Microsoft.Win32.SafeHandles;

namespace DataPipe.Dedup.Shuffle;

/// <summary>
/// One variable-length array of 32-bit values per document (a sorted shingle set, or a signature), for a contiguous
/// run of documents (one signature task's slice), read back at random by global row index:
/// <code>
/// magic "DPDOCREC" | first doc (int64) | count (int64) | offsets position (int64) | payload (uint32...) | offsets (int64 x count+1)
/// </code>
/// The pairs stage reads only the documents of candidate pairs, so its memory follows the candidates, not the corpus.
/// </summary>
public sealed class DocRecordWriter : IDisposable
{
    private const int HeaderBytes = 32;
    internal static readonly ulong Magic = RecordFile.Magic("DPDOCREC");
    private readonly FileStream _fs;
    private readonly List<long> _offsets = [0];
    private readonly long _firstDoc;
    private long _values;
    private bool _finished;

    public DocRecordWriter(string path, long firstDoc)
    {
        _firstDoc = firstDoc;
        _fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _fs.Write(new byte[HeaderBytes]);
    }

    /// <summary>Appends the next document's values (documents must come in order, one call each).</summary>
    public void Add(ReadOnlySpan<uint> values)
    {
        _fs.Write(MemoryMarshal.AsBytes(values));
        _values += values.Length;
        _offsets.Add(_values);
    }

    /// <summary>Writes the offsets and the header; the file is complete after this.</summary>
    public void Finish()
    {
        long offsetsPos = _fs.Position;
        _fs.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(_offsets)));
        _fs.Position = 0;
        Span<long> head = [(long)Magic, _firstDoc, _offsets.Count - 1, offsetsPos];
        _fs.Write(MemoryMarshal.AsBytes(head));
        _fs.Flush();
        _finished = true;
    }

    public void Dispose()
    {
        if (!_finished) Finish();
        _fs.Dispose();
    }
}

/// <summary>Random reads from the <see cref="DocRecordWriter"/> files of one folder; thread-safe (positional reads).</summary>
public sealed class DocRecordStore : IDisposable
{
    private readonly List<(long First, long Count, long OffsetsPos, SafeFileHandle Handle, string Path)> _files = [];

    public DocRecordStore(IEnumerable<string> paths)
    {
        Span<long> head = stackalloc long[4];
        foreach (var path in paths)
        {
            var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            if (RandomAccess.Read(h, MemoryMarshal.AsBytes(head), 0) != 32 || (ulong)head[0] != DocRecordWriter.Magic)
            {
                h.Dispose();
                throw new DataPipeException($"{path}: not a document record file");
            }
            // A file of no documents (an empty slice) owns no index; kept out, it cannot shadow the file that starts at the same index.
            if (head[2] == 0)
            {
                h.Dispose();
                continue;
            }
            _files.Add((head[1], head[2], head[3], h, path));
        }
        _files.Sort((a, b) => a.First.CompareTo(b.First));
    }

    /// <summary>The values of document <paramref name="doc"/> (global row index).</summary>
    public uint[] Read(long doc)
    {
        int lo = 0, hi = _files.Count - 1, at = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_files[mid].First <= doc) { at = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (at < 0 || doc >= _files[at].First + _files[at].Count)
            throw new DataPipeException($"document {doc} is in no record file ({_files.Count} files)");
        var f = _files[at];
        Span<long> range = stackalloc long[2];
        RandomAccess.Read(f.Handle, MemoryMarshal.AsBytes(range), f.OffsetsPos + 8 * (doc - f.First));
        var values = new uint[checked((int)(range[1] - range[0]))];
        int got = RandomAccess.Read(f.Handle, MemoryMarshal.AsBytes(values.AsSpan()), 32 + 4 * range[0]);
        if (got != values.Length * 4) throw new DataPipeException($"{f.Path}: truncated record of document {doc}");
        return values;
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Handle.Dispose();
    }
}
