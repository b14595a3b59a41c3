using DataPipe.Core.Errors;
using Parquet.Meta;

namespace DataPipe.Core.Datasets;

/// <summary>
/// Checks the Thrift structures of a Parquet file before Parquet.Net decodes them: the footer (the file's metadata,
/// then its length as int32 little-endian, then the magic "PAR1") and the page headers of a row group's column chunks.
/// Parquet.Net 6.1.0's Thrift reader trusts what it reads: past the end of a truncated struct it spins forever (a
/// varint whose bytes read as 0xFF at end of stream never ends), and it allocates a string's or list's declared length
/// (up to 2 GiB) before looking at what is there. Both were found by the documents-parquet and token-shard fuzz targets
/// (tests/fuzz; inputs kept in tests/Hostile/inputs). This walks each struct once, in bounds, without allocating:
/// every value must lie inside its footer or column chunk, a collection may claim at most as many elements as bytes
/// remain, nesting is bounded, and pages must tile their column chunk. It checks shape only; Parquet.Net still
/// validates meaning.
/// </summary>
public static class ParquetStructureCheck
{
    /// <summary>Deepest struct/list nesting accepted (Parquet's own metadata nests about 6 deep).</summary>
    public const int MaxDepth = 64;

    /// <summary>Throws <see cref="DatasetSchemaException"/> naming <paramref name="path"/> when the footer is not well-formed.</summary>
    public static void Validate(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        long length = file.Length;
        Span<byte> tail = stackalloc byte[8];
        if (length < 12) throw new DatasetSchemaException($"{path}: not a Parquet file ({length} bytes, too short)");
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(tail);
        if (!tail[4..].SequenceEqual("PAR1"u8)) throw new DatasetSchemaException($"{path}: not a Parquet file (no PAR1 magic at the end)");
        long footerLength = BitConverter.ToInt32(tail[..4]);
        if (footerLength <= 0 || footerLength > length - 12)
            throw new DatasetSchemaException($"{path}: corrupt Parquet footer (declared length {footerLength} in a {length}-byte file)");
        var footer = new byte[footerLength];
        file.Seek(length - 8 - footerLength, SeekOrigin.Begin);
        file.ReadExactly(footer);
        string? problem = Check(footer);
        if (problem is not null) throw new DatasetSchemaException($"{path}: corrupt Parquet footer ({problem})");
    }

    /// <summary>Null when <paramref name="footer"/> is one well-formed Thrift compact struct; otherwise what is wrong.</summary>
    public static string? Check(ReadOnlySpan<byte> footer)
    {
        var walker = new Walker(footer);
        return walker.SkipStruct(0) ? null : walker.Problem;
    }

    /// <summary>
    /// Throws <see cref="DatasetSchemaException"/> naming <paramref name="path"/> and the row group when a column chunk
    /// lies outside the file or its page headers are not well-formed and do not tile the chunk.
    /// </summary>
    public static void ValidateRowGroup(string path, FileMetaData metadata, int rowGroup)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        long length = file.Length;
        var columns = metadata.RowGroups[rowGroup].Columns;
        for (int c = 0; c < columns.Count; c++)
        {
            var meta = columns[c].MetaData ?? throw new DatasetSchemaException($"{path}: row group {rowGroup} column {c} has no metadata");
            string column = string.Join('.', meta.PathInSchema);
            long start = meta.DictionaryPageOffset is > 0 and var d && d < meta.DataPageOffset ? d : meta.DataPageOffset;
            long end = start + meta.TotalCompressedSize;
            if (start < 4 || meta.TotalCompressedSize < 0 || end > length - 8)
                throw new DatasetSchemaException($"{path}: row group {rowGroup} column '{column}': chunk [{start}, {end}) lies outside the {length}-byte file");
            for (long at = start; at < end;)
            {
                string? problem = CheckPageHeader(file, at, end, out long next);
                if (problem is not null)
                    throw new DatasetSchemaException($"{path}: row group {rowGroup} column '{column}': corrupt page header at offset {at} ({problem})");
                at = next;
            }
        }
    }

    private static string? CheckPageHeader(FileStream file, long at, long chunkEnd, out long next)
    {
        next = chunkEnd;
        // A header is small unless it carries statistics of long strings: try 64 KiB first, then the rest of the chunk.
        int window = (int)Math.Min(chunkEnd - at, 64 << 10);
        while (true)
        {
            var buffer = new byte[window];
            file.Seek(at, SeekOrigin.Begin);
            file.ReadExactly(buffer);
            var walker = new Walker(buffer);
            if (walker.SkipStruct(0))
            {
                if (walker.CompressedPageSize < 0 || walker.UncompressedPageSize < 0)
                    return $"negative page size {walker.CompressedPageSize}/{walker.UncompressedPageSize}";
                next = at + walker.Position + walker.CompressedPageSize;
                return next > chunkEnd ? $"page of {walker.CompressedPageSize} bytes runs past the chunk's end at {chunkEnd}" : null;
            }
            if (!walker.RanOut || window == chunkEnd - at) return walker.Problem;
            window = (int)Math.Min(chunkEnd - at, int.MaxValue);
        }
    }

    private ref struct Walker(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public string Problem { get; private set; } = "";

        /// <summary>True when the walk failed only because the data ended.</summary>
        public bool RanOut { get; private set; }

        public readonly int Position => _at;

        /// <summary>Fields 2 and 3 of a top-level struct (a PageHeader's uncompressed and compressed sizes), or -1.</summary>
        public long UncompressedPageSize { get; private set; } = -1;

        public long CompressedPageSize { get; private set; } = -1;

        private bool Fail(string problem)
        {
            Problem = $"{problem} at byte {_at} of {_data.Length}";
            return false;
        }

        private readonly int Remaining => _data.Length - _at;

        private bool Byte(out byte b)
        {
            b = 0;
            if (_at >= _data.Length)
            {
                RanOut = true;
                return Fail("unexpected end");
            }
            b = _data[_at++];
            return true;
        }

        private bool VarInt(out ulong value)
        {
            value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                if (!Byte(out byte b)) return false;
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return true;
            }
            return Fail("varint longer than 10 bytes");
        }

        private bool Skip(long bytes)
        {
            if (bytes < 0 || bytes > Remaining)
            {
                RanOut = bytes >= 0;
                return Fail($"value of {bytes} bytes runs past the end");
            }
            _at += (int)bytes;
            return true;
        }

        public bool SkipStruct(int depth)
        {
            if (depth > MaxDepth) return Fail("nesting too deep");
            long field = 0;
            while (true)
            {
                if (!Byte(out byte header)) return false;
                int type = header & 0x0F;
                if (type == 0) return true; // STOP
                if ((header & 0xF0) == 0)
                {
                    if (!VarInt(out ulong id)) return false; // long-form field id, zigzag
                    field = (long)(id >> 1) ^ -(long)(id & 1);
                }
                else
                {
                    field += header >> 4;
                }
                if (depth == 0 && type == 5 && field is 2 or 3)
                {
                    if (!VarInt(out ulong raw)) return false;
                    long value = (long)(raw >> 1) ^ -(long)(raw & 1);
                    if (field == 2) UncompressedPageSize = value;
                    else CompressedPageSize = value;
                    continue;
                }
                if (!SkipValue(type, depth, inList: false)) return false;
            }
        }

        private bool SkipValue(int type, int depth, bool inList)
        {
            switch (type)
            {
                case 1 or 2: return !inList || Skip(1); // booleans: in the field header, or one byte in a list
                case 3: return Skip(1);
                case 4 or 5 or 6: return VarInt(out _);
                case 7: return Skip(8);
                case 8:
                    {
                        if (!VarInt(out ulong n)) return false;
                        return n > int.MaxValue ? Fail($"binary of {n} bytes") : Skip((long)n);
                    }
                case 9 or 10:
                    {
                        if (!Byte(out byte h)) return false;
                        ulong count = (ulong)(h >> 4);
                        if (count == 15 && !VarInt(out count)) return false;
                        return SkipElements(count, h & 0x0F, -1, depth);
                    }
                case 11:
                    {
                        if (!VarInt(out ulong count)) return false;
                        if (count == 0) return true;
                        if (!Byte(out byte kv)) return false;
                        return SkipElements(count, kv >> 4, kv & 0x0F, depth);
                    }
                case 12: return SkipStruct(depth + 1);
                case 13: return Skip(16); // UUID
                default: return Fail($"unknown Thrift type {type}");
            }
        }

        /// <summary>A list's or set's elements (<paramref name="valueType"/> -1), or a map's key/value pairs.</summary>
        private bool SkipElements(ulong count, int keyType, int valueType, int depth)
        {
            // Each element takes at least one byte, so a count above the bytes left is a lie (and the reason a
            // decoder would allocate or loop for nothing).
            if (count > (ulong)Remaining) return Fail($"collection of {count} elements in {Remaining} bytes");
            if (depth + 1 > MaxDepth) return Fail("nesting too deep");
            for (ulong i = 0; i < count; i++)
            {
                if (!SkipValue(keyType, depth + 1, inList: true)) return false;
                if (valueType >= 0 && !SkipValue(valueType, depth + 1, inList: true)) return false;
            }
            return true;
        }
    }
}
