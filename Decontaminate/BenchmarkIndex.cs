using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using DataPipe.Core.Errors;
using DataPipe.Decontaminate.Benchmarks;
using DataPipe.Decontaminate.Ngrams;

namespace DataPipe.Decontaminate;

/// <summary>
/// How benchmark text becomes n-grams (GPT-3, Brown et al. 2020, appendix C): <see cref="N"/> words (13); a passage
/// shorter than that counts as one n-gram of its own length when it has at least <see cref="MinWords"/> words (GPT-3
/// took the whole example when it was shorter than N, and never used N below 8); shorter passages are not indexed and
/// their items are counted as too short. An n-gram found in more than <see cref="MaxItemsPerNgram"/> benchmark items is
/// common phrasing, not a leak ("the answer is one of the following"), and is left out and counted.
/// </summary>
public sealed record NgramSettings
{
    public int N { get; init; } = 13;

    public int MinWords { get; init; } = 8;

    public int MaxItemsPerNgram { get; init; } = 10;

    public void Validate()
    {
        if (N is < 1 or > NgramHasher.MaxWords) throw new DataPipeException($"decontaminate: ngram must be in [1, {NgramHasher.MaxWords}], is {N}");
        if (MinWords < 1 || MinWords > N) throw new DataPipeException($"decontaminate: min_words must be in [1, ngram={N}], is {MinWords}");
        if (MaxItemsPerNgram < 1) throw new DataPipeException($"decontaminate: max_items_per_ngram must be >= 1, is {MaxItemsPerNgram}");
    }
}

/// <summary>One benchmark of an index: where it came from and how much of it is indexed.</summary>
public sealed record IndexedBenchmark
{
    public string Name { get; init; } = "";
    public string Path { get; init; } = "";

    /// <summary>Global number of its first item; its items are FirstItem .. FirstItem + Items - 1.</summary>
    public int FirstItem { get; init; }
    public int Items { get; init; }

    /// <summary>Items with at least one n-gram in the index: the ones a leak of can be found.</summary>
    public int ItemsIndexed { get; init; }

    /// <summary>Items with no passage of <see cref="NgramSettings.MinWords"/> words.</summary>
    public int ItemsTooShort { get; init; }

    /// <summary>Items whose every n-gram was left out as common or listed.</summary>
    public int ItemsOnlyCommon { get; init; }

    /// <summary>Distinct n-grams of this benchmark kept in the index.</summary>
    public long Ngrams { get; init; }

    /// <summary>Distinct n-grams of this benchmark left out as common (in more than MaxItemsPerNgram items) or listed.</summary>
    public long NgramsIgnored { get; init; }
}

/// <summary>
/// The n-grams of a set of evaluation benchmarks, hashed to 64 bits, for finding them in documents. Built once from the
/// benchmark files and saved to one file (a header with a key over the sources' bytes and the settings, then sorted
/// arrays) that later runs load in milliseconds; a file whose key differs from the sources' is rebuilt.
/// <para>Layout in memory: the sorted hashes; for each, the benchmark items holding it (CSR: start offsets and item
/// numbers); a bucket table over the top bits of the hash pointing into the sorted array; and in front of it a bit
/// filter 16 times larger than the entry count, which answers "no" for about 94% of a document's windows with one read of
/// a table small enough to stay in cache. Whole-passage n-grams shorter than N are in the same table (the length is
/// mixed into the hash); a small set of their first <see cref="NgramSettings.MinWords"/>-word hashes tells the matcher
/// when to hash the shorter windows at all.</para>
/// </summary>
public sealed unsafe class BenchmarkIndex
{
    private const string Magic = "DPNGIDX1";
    private const int FormatVersion = 1;

    private readonly ulong[] _hashes;
    private readonly int[] _refStart;
    private readonly int[] _refs;
    private readonly int[] _itemLines;
    private readonly HashSet<ulong> _shortPrefixes;
    private readonly ulong[] _shortPrefixFilter = new ulong[1024];
    private readonly int _bucketBits;
    private readonly int[] _buckets;
    private readonly int _filterBits;
    private readonly ulong[] _filter;
    private readonly ulong* _filterPtr;

    private BenchmarkIndex(string key, NgramSettings settings, IReadOnlyList<IndexedBenchmark> benchmarks, long ignoredCommon, long ignoredListed,
        ulong shortLengths, ulong[] hashes, int[] refStart, int[] refs, int[] itemLines, ulong[] shortPrefixes)
    {
        Key = key;
        Settings = settings;
        Benchmarks = benchmarks;
        NgramsIgnoredCommon = ignoredCommon;
        NgramsIgnoredListed = ignoredListed;
        ShortLengths = shortLengths;
        _hashes = hashes;
        _refStart = refStart;
        _refs = refs;
        _itemLines = itemLines;
        _shortPrefixes = [.. shortPrefixes];
        foreach (ulong p in shortPrefixes) _shortPrefixFilter[(int)(p >> 54)] |= 1UL << (int)(p >> 48);
        int m = Math.Max(1, hashes.Length);
        _bucketBits = Math.Max(1, BitOperations.Log2((uint)m - 1) + 1);
        _filterBits = Math.Min(40, _bucketBits + 4);
        _buckets = new int[(1 << _bucketBits) + 1];
        foreach (ulong h in hashes) _buckets[(int)(h >> (64 - _bucketBits)) + 1]++;
        for (int b = 1; b < _buckets.Length; b++) _buckets[b] += _buckets[b - 1];
        // Pinned, so lookups can prefetch its lines by address (see Prefetch).
        _filter = GC.AllocateArray<ulong>((int)Math.Max(1, (1L << _filterBits) / 64), pinned: true);
        _filterPtr = (ulong*)Unsafe.AsPointer(ref _filter[0]);
        foreach (ulong h in hashes)
        {
            ulong f = h >> (64 - _filterBits);
            _filter[f >> 6] |= 1UL << (int)(f & 63);
        }
    }

    /// <summary>Hash of the sources' bytes, the settings and the ignore list: equal keys mean equal indexes.</summary>
    public string Key { get; }

    public NgramSettings Settings { get; }

    public IReadOnlyList<IndexedBenchmark> Benchmarks { get; }

    /// <summary>Distinct n-grams left out because more than <see cref="NgramSettings.MaxItemsPerNgram"/> items hold them.</summary>
    public long NgramsIgnoredCommon { get; }

    /// <summary>Distinct n-grams left out because the user's ignore list holds them.</summary>
    public long NgramsIgnoredListed { get; }

    /// <summary>Bit L set when whole-passage n-grams of L &lt; N words are indexed.</summary>
    public ulong ShortLengths { get; }

    public bool HasShort => ShortLengths != 0;

    /// <summary>Distinct n-grams in the index.</summary>
    public int Count => _hashes.Length;

    public int TotalItems => _itemLines.Length;

    /// <summary>Bytes of the lookup structures in memory (arrays, filters, the short-prefix set estimated at 24 bytes an entry).</summary>
    public long MemoryBytes => _hashes.LongLength * 8 + _refStart.LongLength * 4 + _refs.LongLength * 4 + _itemLines.LongLength * 4
        + _buckets.LongLength * 4 + _filter.LongLength * 8 + _shortPrefixFilter.LongLength * 8 + _shortPrefixes.Count * 24L;

    /// <summary>Entry number of <paramref name="hash"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong hash)
    {
        ulong f = hash >> (64 - _filterBits);
        if ((_filter[f >> 6] & (1UL << (int)(f & 63))) == 0) return -1;
        int b = (int)(hash >> (64 - _bucketBits));
        int end = _buckets[b + 1];
        for (int j = _buckets[b]; j < end; j++)
        {
            if (_hashes[j] == hash) return j;
        }
        return -1;
    }

    /// <summary>
    /// Asks the CPU to fetch the filter line <paramref name="hash"/> falls in. The filter is larger than the caches, so a
    /// lookup is a memory access; hashing a document's windows first and prefetching a few windows ahead lets those
    /// accesses overlap instead of waiting one after another.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(ulong hash)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(_filterPtr + ((hash >> (64 - _filterBits)) >> 6));
    }

    /// <summary>True when some whole-passage n-gram shorter than N starts with the words hashed to <paramref name="prefixHash"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayStartShort(ulong prefixHash)
        => (_shortPrefixFilter[(int)(prefixHash >> 54)] & (1UL << (int)(prefixHash >> 48))) != 0 && _shortPrefixes.Contains(prefixHash);

    /// <summary>The global item numbers holding entry <paramref name="entry"/>, ascending.</summary>
    public ReadOnlySpan<int> ItemsOf(int entry) => _refs.AsSpan(_refStart[entry], _refStart[entry + 1] - _refStart[entry]);

    /// <summary>The benchmark (position in <see cref="Benchmarks"/>) a global item belongs to.</summary>
    public int BenchmarkOf(int item)
    {
        int lo = 0, hi = Benchmarks.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Benchmarks[mid].FirstItem <= item) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>The 1-based line of the benchmark file where a global item starts.</summary>
    public int LineOf(int item) => _itemLines[item];

    // ---------------------------------------------------------------- key, build, save, load

    /// <summary>The key of the index these inputs build: SHA-256 over the settings, each source's name, layout and bytes, and the ignore list's bytes.</summary>
    public static string ComputeKey(IReadOnlyList<BenchmarkSource> sources, NgramSettings settings, string? ignoreList)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Text($"{Magic} v{FormatVersion} n={settings.N} min={settings.MinWords} max_items={settings.MaxItemsPerNgram}");
        foreach (var s in sources)
        {
            Text($"{s.Name} {s.Format} {s.Field}");
            Text(Convert.ToHexStringLower(HashFile(s.Path)));
        }
        Text(ignoreList is null ? "no ignore list" : Convert.ToHexStringLower(HashFile(ignoreList)));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    private static byte[] HashFile(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            return SHA256.HashData(f);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataPipeException($"{path}: cannot read ({e.Message})", e);
        }
    }

    /// <summary>Reads every source and builds the index. <paramref name="ignoreList"/>: a text file of phrases (one a line) whose n-grams are never matched.</summary>
    public static BenchmarkIndex Build(IReadOnlyList<BenchmarkSource> sources, NgramSettings settings, string? ignoreList = null)
    {
        settings.Validate();
        BenchmarkSource.CheckNames(sources);
        string key = ComputeKey(sources, settings, ignoreList);
        var scanner = new WordScanner();
        var hasher = new NgramHasher();
        var pairs = new List<(ulong Hash, int Item)>();
        var prefixes = new HashSet<ulong>();
        var lines = new List<int>();
        var tooShort = new int[sources.Count];
        var firsts = new int[sources.Count];
        ulong shortLengths = 0;
        int n = settings.N, min = settings.MinWords;
        for (int b = 0; b < sources.Count; b++)
        {
            firsts[b] = lines.Count;
            foreach (var item in BenchmarkReader.Read(sources[b]))
            {
                int id = lines.Count;
                lines.Add(item.Line);
                bool any = false;
                foreach (string passage in item.Passages)
                {
                    scanner.Scan(passage);
                    hasher.Load(scanner.Hashes);
                    int w = scanner.Count;
                    if (w >= n)
                    {
                        for (int i = 0; i + n <= w; i++) pairs.Add((hasher.Window(i, n), id));
                        any = true;
                    }
                    else if (w >= min)
                    {
                        pairs.Add((hasher.Window(0, w), id));
                        prefixes.Add(hasher.Window(0, min));
                        shortLengths |= 1UL << w;
                        any = true;
                    }
                }
                if (!any) tooShort[b]++;
            }
        }
        var ignored = new HashSet<ulong>();
        if (ignoreList is not null)
        {
            foreach (var phrase in BenchmarkReader.Read(new BenchmarkSource { Path = ignoreList, Name = "ignore", Format = BenchmarkFormat.Text }))
            {
                scanner.Scan(phrase.Passages[0]);
                hasher.Load(scanner.Hashes);
                int w = scanner.Count;
                if (w >= n) for (int i = 0; i + n <= w; i++) ignored.Add(hasher.Window(i, n));
                // A listed phrase of L words also covers every indexed whole passage of L' <= L words inside it.
                for (int len = min; len < n && len <= w; len++)
                    for (int i = 0; i + len <= w; i++) ignored.Add(hasher.Window(i, len));
            }
        }

        pairs.Sort();
        int total = lines.Count;
        var hashes = new List<ulong>();
        var refStart = new List<int> { 0 };
        var refs = new List<int>();
        long ignoredCommon = 0, ignoredListed = 0;
        var ngrams = new long[sources.Count];
        var ngramsIgnored = new long[sources.Count];
        var itemKept = new bool[total];
        var benchSeen = new int[sources.Count];
        int group = 0;
        var items = new List<int>();
        for (int k = 0; k < pairs.Count;)
        {
            ulong h = pairs[k].Hash;
            items.Clear();
            for (; k < pairs.Count && pairs[k].Hash == h; k++)
                if (items.Count == 0 || items[^1] != pairs[k].Item) items.Add(pairs[k].Item);
            group++;
            bool listed = ignored.Contains(h);
            bool common = !listed && items.Count > settings.MaxItemsPerNgram;
            if (listed) ignoredListed++;
            else if (common) ignoredCommon++;
            foreach (int item in items)
            {
                int b = Array.FindLastIndex(firsts, f => f <= item);
                if (benchSeen[b] == group) continue;
                benchSeen[b] = group;
                if (listed || common) ngramsIgnored[b]++;
                else ngrams[b]++;
            }
            if (listed || common) continue;
            hashes.Add(h);
            foreach (int item in items)
            {
                refs.Add(item);
                itemKept[item] = true;
            }
            refStart.Add(refs.Count);
        }

        var benchmarks = new List<IndexedBenchmark>();
        for (int b = 0; b < sources.Count; b++)
        {
            int first = firsts[b], count = (b + 1 < sources.Count ? firsts[b + 1] : total) - first;
            int kept = 0;
            for (int i = first; i < first + count; i++) if (itemKept[i]) kept++;
            benchmarks.Add(new IndexedBenchmark
            {
                Name = sources[b].Name,
                Path = Path.GetFullPath(sources[b].Path),
                FirstItem = first,
                Items = count,
                ItemsIndexed = kept,
                ItemsTooShort = tooShort[b],
                ItemsOnlyCommon = count - kept - tooShort[b],
                Ngrams = ngrams[b],
                NgramsIgnored = ngramsIgnored[b],
            });
        }
        return new BenchmarkIndex(key, settings, benchmarks, ignoredCommon, ignoredListed, shortLengths,
            [.. hashes], [.. refStart], [.. refs], [.. lines], [.. prefixes.Order()]);
    }

    /// <summary>Writes the index to <paramref name="path"/> atomically (temp file in the same folder, then rename).</summary>
    public void Save(string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var w = new BinaryWriter(fs, Encoding.UTF8))
            {
                w.Write(Encoding.ASCII.GetBytes(Magic));
                w.Write(FormatVersion);
                w.Write(Key);
                w.Write(Settings.N);
                w.Write(Settings.MinWords);
                w.Write(Settings.MaxItemsPerNgram);
                w.Write(Benchmarks.Count);
                foreach (var b in Benchmarks)
                {
                    w.Write(b.Name);
                    w.Write(b.Path);
                    w.Write(b.FirstItem);
                    w.Write(b.Items);
                    w.Write(b.ItemsIndexed);
                    w.Write(b.ItemsTooShort);
                    w.Write(b.ItemsOnlyCommon);
                    w.Write(b.Ngrams);
                    w.Write(b.NgramsIgnored);
                }
                w.Write(NgramsIgnoredCommon);
                w.Write(NgramsIgnoredListed);
                w.Write(ShortLengths);
                WriteArray(w, _hashes);
                WriteArray(w, _refStart);
                WriteArray(w, _refs);
                WriteArray(w, _itemLines);
                WriteArray(w, [.. _shortPrefixes.Order()]);
                w.Flush();
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new DataPipeException($"{path}: cannot write the benchmark index ({e.Message})", e);
        }
    }

    private static void WriteArray<T>(BinaryWriter w, T[] a) where T : unmanaged
    {
        w.Write(a.Length);
        w.Write(MemoryMarshal.AsBytes(a.AsSpan()));
    }

    private static T[] ReadArray<T>(BinaryReader r) where T : unmanaged
    {
        int n = r.ReadInt32();
        if (n < 0 || n > 1 << 30) throw new InvalidDataException($"array length {n}");
        var a = new T[n];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan()));
        return a;
    }

    /// <summary>The key recorded in an index file, or null when the file is missing or not an index.</summary>
    public static string? ReadKey(string path)
    {
        try
        {
            using var fs = File.OpenRead(path);
            using var r = new BinaryReader(fs, Encoding.UTF8);
            if (Encoding.ASCII.GetString(r.ReadBytes(8)) != Magic || r.ReadInt32() != FormatVersion) return null;
            return r.ReadString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Loads an index file; an unreadable or truncated file is an error naming it.</summary>
    public static BenchmarkIndex Load(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var r = new BinaryReader(fs, Encoding.UTF8);
            if (Encoding.ASCII.GetString(r.ReadBytes(8)) != Magic) throw new InvalidDataException("not a benchmark index");
            int version = r.ReadInt32();
            if (version != FormatVersion) throw new InvalidDataException($"format version {version}, expected {FormatVersion}");
            string key = r.ReadString();
            var settings = new NgramSettings { N = r.ReadInt32(), MinWords = r.ReadInt32(), MaxItemsPerNgram = r.ReadInt32() };
            int count = r.ReadInt32();
            var benchmarks = new List<IndexedBenchmark>();
            for (int i = 0; i < count; i++)
            {
                benchmarks.Add(new IndexedBenchmark
                {
                    Name = r.ReadString(),
                    Path = r.ReadString(),
                    FirstItem = r.ReadInt32(),
                    Items = r.ReadInt32(),
                    ItemsIndexed = r.ReadInt32(),
                    ItemsTooShort = r.ReadInt32(),
                    ItemsOnlyCommon = r.ReadInt32(),
                    Ngrams = r.ReadInt64(),
                    NgramsIgnored = r.ReadInt64(),
                });
            }
            long common = r.ReadInt64(), listed = r.ReadInt64();
            ulong shortLengths = r.ReadUInt64();
            var hashes = ReadArray<ulong>(r);
            var refStart = ReadArray<int>(r);
            var refs = ReadArray<int>(r);
            var lines = ReadArray<int>(r);
            var prefixes = ReadArray<ulong>(r);
            if (refStart.Length != hashes.Length + 1 || refStart[^1] != refs.Length) throw new InvalidDataException("entry offsets do not match the entries");
            return new BenchmarkIndex(key, settings, benchmarks, common, listed, shortLengths, hashes, refStart, refs, lines, prefixes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or InvalidDataException)
        {
            throw new DataPipeException($"{path}: not a readable benchmark index ({e.Message}); delete it to rebuild", e);
        }
    }

    /// <summary>
    /// The index of these sources: loaded from <paramref name="path"/> when the file there was built from the same
    /// bytes and settings, else built and saved there (so a changed benchmark file or setting rebuilds it).
    /// </summary>
    public static (BenchmarkIndex Index, bool Built, double Seconds) LoadOrBuild(string path, IReadOnlyList<BenchmarkSource> sources, NgramSettings settings, string? ignoreList = null)
    {
        var clock = Stopwatch.StartNew();
        string key = ComputeKey(sources, settings, ignoreList);
        if (File.Exists(path) && ReadKey(path) == key)
        {
            var loaded = Load(path);
            return (loaded, false, clock.Elapsed.TotalSeconds);
        }
        var built = Build(sources, settings, ignoreList);
        built.Save(path);
        return (built, true, clock.Elapsed.TotalSeconds);
    }
}
