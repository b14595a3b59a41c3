using System.IO.Compression;

namespace DataPipe.Ingest.Warc;

/// <summary>
/// Cuts a WARC file gzipped per record (as Common Crawl ships them) into byte ranges that tasks read independently.
/// A record belongs to the range holding the first byte of its gzip member, so every record is read by exactly one
/// range whatever the cut points: a reader starts at the first member at or after its range's start and stops at the
/// first record whose member starts at or after its end. Members are found without an index: a gzip header
/// (1f 8b 08) whose member inflates to "WARC/1." is a record's start; compressed data that happens to hold the magic
/// bytes does not inflate to that.
/// </summary>
public static class WarcSplit
{
    private static ReadOnlySpan<byte> Magic => "WARC/1."u8;

    /// <summary>True when the file starts with a gzip header (whole-file gzip is splittable too: its one member is read by the first range).</summary>
    public static bool IsGzip(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        return fs.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>
    /// The offset of the first gzip member at or after <paramref name="from"/> and before <paramref name="limit"/> that
    /// holds the start of a WARC record; -1 when there is none.
    /// </summary>
    public static long NextRecordMember(Stream file, long from, long limit)
    {
        if (from == 0) return limit > 0 ? 0 : -1;
        const int Chunk = 64 * 1024;
        var buf = new byte[Chunk + 2];
        long pos = from;
        while (pos < limit)
        {
            file.Position = pos;
            int n = file.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
            if (n < 3) return -1;
            for (int i = 0; i + 2 < n; i++)
            {
                if (buf[i] != 0x1f || buf[i + 1] != 0x8b || buf[i + 2] != 0x08) continue;
                long candidate = pos + i;
                if (candidate >= limit) return -1;
                if (StartsRecord(file, candidate)) return candidate;
            }
            pos += Math.Max(1, n - 2);
        }
        return -1;
    }

    private static bool StartsRecord(Stream file, long offset)
    {
        file.Position = offset;
        try
        {
            using var gz = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
            Span<byte> head = stackalloc byte[7];
            return gz.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(Magic);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>
    /// Cuts files of the given sizes into <paramref name="tasks"/> contiguous ranges of about equal bytes, in input
    /// order: a cut falling inside a splittable file splits it there; inside another file it moves to that file's end.
    /// Each task's list holds (file index, start, end) pieces in input order; a task may be empty when unsplittable
    /// files leave no cut point for it.
    /// </summary>
    public static List<List<(int File, long Start, long End)>> Contiguous(IReadOnlyList<long> sizes, IReadOnlyList<bool> splittable, int tasks)
    {
        tasks = Math.Max(1, tasks);
        long total = sizes.Sum(s => Math.Max(0, s));
        var result = Enumerable.Range(0, tasks).Select(_ => new List<(int, long, long)>()).ToList();
        long before = 0; // bytes of the files before file f
        int task = 0;
        for (int f = 0; f < sizes.Count; f++)
        {
            long size = Math.Max(0, sizes[f]);
            long start = 0;
            while (true)
            {
                // The cut ending the current task, in file f's coordinates.
                long cut = task == tasks - 1 ? long.MaxValue : (total * (task + 1) + tasks - 1) / tasks - before;
                if (cut >= size || !splittable[f])
                {
                    // File f (the rest of it) belongs to the current task; unsplittable files go whole.
                    result[task].Add((f, start, size));
                    before += size;
                    while (task < tasks - 1 && (total * (task + 1) + tasks - 1) / tasks <= before) task++;
                    break;
                }
                if (cut > start) result[task].Add((f, start, cut));
                start = Math.Max(start, cut);
                task++;
            }
        }
        return result;
    }
}
