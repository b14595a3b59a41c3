using DataPipe.Core.Config;
using DataPipe.Core.Documents;
using DataPipe.Core.Errors;
using DataPipe.Core.Stages;
using DataPipe.Core.Storage;
using DataPipe.Ingest.Warc;

using DataPipe.Ingest.Extraction;

namespace DataPipe.Ingest;

/// <summary>
/// The Ingest stage: WARC/WET files in, one documents Parquet part per task out (schema: <see cref="DocumentSchema"/>).
/// The inputs are expanded once, when the stage is created, into an ordered list of files; the plan gives each file
/// its own task, or, with fewer tasks asked than files, groups files so that every task has about the same number of
/// bytes (largest first onto the lightest group; remote files of unknown size count as 1 GiB, a Common Crawl file).
/// Within a task, files are read in input order, so a rerun writes the same rows in the same order.
///
/// More tasks than files, or one local gzip file holding more than twice a task's share of the bytes, switches the
/// plan to byte ranges (<see cref="WarcSplit"/>): the files, in order, are cut into contiguous ranges of about equal
/// bytes, a cut inside a per-record gzip file falling between two of its members, so one large WARC file still
/// spreads over every core, and the concatenated parts hold the same rows in the same order whatever the task count.
///
/// A file that cannot be opened for good (missing, 404, 403) is skipped, counted and logged by name; a file whose
/// transfer fails after all retries fails the task (the executor retries it), because skipping it would silently
/// drop data. Bad records inside a file are skipped and counted by <see cref="WarcReader"/> and
/// <see cref="PageProcessor"/>.
/// </summary>
public sealed class IngestStage : IStage
{
    /// <summary>Weight of a file whose size is unknown (remote): about one Common Crawl WARC file.</summary>
    public const long UnknownFileBytes = 1L << 30;

    /// <summary>Task log lines that name an input that could not be read start with this (the CLI lists them).</summary>
    public const string InputFailedLogPrefix = "input-failed ";

    private readonly IngestOptions _options;
    private readonly StorageResolver _storage;
    private readonly IReadOnlyList<(string Uri, long Bytes, bool Known)> _files;
    private readonly List<List<int>> _groups;

    /// <summary>Per task, the pieces it reads: (file index, start, end); end -1 reads the whole file.</summary>
    private readonly List<List<(int File, long Start, long End)>> _pieces;

    private IngestStage(IngestOptions options, StorageResolver storage, IReadOnlyList<(string, long, bool)> files)
    {
        _options = options;
        _storage = storage;
        _files = files;
        _pieces = Plan(files, options.Tasks);
        _groups = [.. _pieces.Select(p => p.Select(x => x.File).Distinct().ToList())];
        ConfigHash = Core.Config.ConfigHash.Combine(
            [Core.Config.ConfigHash.Of(options with { Inputs = [] }), .. files.Select(f => Identity(f.Item1))]);
    }

    /// <summary>Expands the inputs (globs, folders, listings) and builds the stage.</summary>
    public static async Task<IngestStage> CreateAsync(IngestOptions options, StorageResolver? storage = null, CancellationToken ct = default)
    {
        storage ??= StorageResolver.Default;
        if (options.Inputs.Count == 0) throw new DataPipeException("ingest: no inputs given");
        var uris = await storage.ExpandAsync(options.Inputs, ct).ConfigureAwait(false);
        if (uris.Count == 0) throw new DataPipeException($"ingest: inputs {string.Join(" ", options.Inputs)} name no files");
        var files = uris.Select(u =>
        {
            if (storage.BackendFor(u) is LocalStorage)
            {
                var fi = new FileInfo(LocalStorage.ToPath(u));
                return (u, fi.Exists ? fi.Length : 0, true);
            }
            return (u, UnknownFileBytes, false);
        }).ToList();
        // Fail early on a bad extractor or language list rather than in every task.
        _ = Extraction.ExtractorCatalog.Create(options.Extractor);
        foreach (var code in options.Languages) Language.LanguageIdentifier.ToLanguage(code);
        return new IngestStage(options, storage, files);
    }

    /// <summary>
    /// Row groups of at most 16 MB of text: a task holds one row group in memory before it is encoded, and with the
    /// default 64 MB the full-ingest benchmark peaked at 734 MB working set on the 300 MB corpus (target: 500 MB).
    /// </summary>
    public static readonly Core.Datasets.DocumentWriterOptions WriterOptions = new() { RowGroupTextBytes = 16L << 20 };

    public string Name => "ingest";

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => DocumentSchema.Describe();

    /// <summary>The files of the stage, in order.</summary>
    public IReadOnlyList<string> Files => [.. _files.Select(f => f.Uri)];

    /// <summary>The files of task <paramref name="task"/>, in the order it reads them.</summary>
    public IReadOnlyList<string> FilesOf(int task) => [.. _groups[task].Select(i => _files[i].Uri)];

    /// <summary>
    /// The task plan: groups of whole files (<see cref="Group"/>) unless there are more tasks than files or one local
    /// gzip file is over twice a task's share, then contiguous byte ranges (<see cref="WarcSplit.Contiguous"/>).
    /// </summary>
    private static List<List<(int File, long Start, long End)>> Plan(IReadOnlyList<(string Uri, long Bytes, bool Known)> files, int tasks)
    {
        var splittable = files.Select(f => f.Known && f.Bytes > 0 && IsLocal(f.Uri) && WarcSplit.IsGzip(LocalStorage.ToPath(f.Uri))).ToList();
        long total = files.Sum(f => Math.Max(1, f.Bytes));
        bool ranges = tasks > 0 && files.All(f => f.Known) && splittable.Any(x => x) &&
                      (tasks > files.Count || files.Where((_, i) => splittable[i]).Max(f => f.Bytes) > 2 * total / tasks);
        if (!ranges)
            return [.. Group(files.Select(f => f.Bytes).ToList(), tasks).Select(g => g.Select(i => (i, 0L, -1L)).ToList())];
        var cut = WarcSplit.Contiguous([.. files.Select(f => f.Bytes)], splittable, tasks);
        // A piece covering a whole file reads it as a whole file (no member search).
        return [.. cut.Select(t => t.Select(p => p.Start == 0 && p.End >= files[p.File].Bytes ? (p.File, 0L, -1L) : p).ToList())];
    }

    private static bool IsLocal(string uri) => !uri.Contains("://", StringComparison.Ordinal) || uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    public Task<StagePlan> PlanAsync(CancellationToken ct)
    {
        bool allKnown = _files.All(f => f.Known);
        return Task.FromResult(new StagePlan(_pieces.Count, allKnown ? _files.Sum(f => f.Bytes) : 0, allKnown ? "bytes" : "files"));
    }

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var processor = new PageProcessor(_options);
        var readerOptions = new WarcReaderOptions { MaxHeaderBytes = _options.MaxHeaderBytes, MaxRecordBytes = _options.MaxRecordBytes };
        await using var writer = await ctx.CreateDocumentWriterAsync(options: WriterOptions, ct: ct).ConfigureAwait(false);
        foreach (var (i, start, end) in _pieces[ctx.TaskIndex])
        {
            var (uri, _, known) = _files[i];
            if (end >= 0)
            {
                ctx.AddInput($"{uri}#bytes={start}-{end}");
                await Task.Run(() => ReadRange(ctx, processor, readerOptions, uri, start, end, writer, ct), ct).ConfigureAwait(false);
                continue;
            }
            ctx.AddInput(uri);
            Stream stream;
            try
            {
                stream = await _storage.OpenReadAsync(uri, new StorageReadContext(ctx.Counters, ctx.Log), ct).ConfigureAwait(false);
            }
            catch (StorageException e) when (!e.RetriesExhausted)
            {
                bool notFound = e.Message.Contains("not found", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("HTTP 404", StringComparison.Ordinal) || e.Message.Contains("S3 404", StringComparison.Ordinal);
                ctx.SkipInput(notFound ? SkipReasons.InputNotFound : SkipReasons.InputUnreadable, uri, e.Message);
                ctx.Log($"{InputFailedLogPrefix}{uri}: {e.Message}");
                continue;
            }
            await using (stream.ConfigureAwait(false))
            {
                // The reader is synchronous (spans over pooled buffers); run it off the caller's thread.
                await Task.Run(() => ReadFile(ctx, processor, readerOptions, uri, stream, writer, known, ct), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads the records of a local per-record gzip file whose gzip member starts in [start, end): from the first
    /// record member at or after start, until a record's member starts at or after end.
    /// </summary>
    private static void ReadRange(StageTaskContext ctx, PageProcessor processor, WarcReaderOptions readerOptions, string uri, long start, long end,
        Core.Datasets.DocumentWriter writer, CancellationToken ct)
    {
        string path = LocalStorage.ToPath(uri);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long first = WarcSplit.NextRecordMember(file, start, end);
        if (first < 0)
        {
            ctx.Progress.Advance(end - start);
            ctx.Log($"read {uri} bytes {start}-{end}: no record starts there");
            return;
        }
        file.Position = first;
        ReadFile(ctx, processor, readerOptions with { FileOffsetBase = first }, uri, file, writer, known: true, ct, stopAt: end, progressCap: end - start);
    }

    private static void ReadFile(StageTaskContext ctx, PageProcessor processor, WarcReaderOptions readerOptions, string uri, Stream stream,
        Core.Datasets.DocumentWriter writer, bool known, CancellationToken ct, long stopAt = long.MaxValue, long progressCap = long.MaxValue)
    {
        long reported = 0;
        string source = SourceUri(uri);
        using var reader = new WarcReader(stream, readerOptions, (reason, offset, detail) =>
        {
            if (offset < stopAt) ctx.Skip(reason, $"{uri}@{offset}", detail);
        });
        long records = 0;
        while (reader.TryRead(out var record))
        {
            ct.ThrowIfCancellationRequested();
            if (record.FileOffset >= stopAt) break;
            records++;
            ctx.AddRowsIn();
            ctx.Counters.Increment("records." + record.Type);
            var result = processor.Process(record, source);
            if (processor.LastExtractionOutcome == ExtractionOutcome.FallbackBlock) ctx.Counters.Increment("pages.extract_fallback_block");
            if (result.Document is { } doc)
            {
                if (processor.LastWasTruncated) ctx.Counters.Increment("pages.truncated_body_kept");
                // DocumentWriter buffers a row group in memory; its async path completes synchronously between flushes.
                writer.WriteAsync(doc, ct).AsTask().GetAwaiter().GetResult();
                ctx.AddRowsOut();
            }
            else if (result.SkipReason is { } reason)
            {
                ctx.Skip(reason, $"{uri}@{record.FileOffset}", result.Detail);
                if (reason == SkipReasons.EmptyText && processor.LastEmptyTextCounter is { } why) ctx.Counters.Increment(why);
            }
            if (known && (records & 15) == 0)
            {
                long now = Math.Min(reader.CompressedBytesRead, progressCap);
                ctx.Progress.Advance(now - reported);
                reported = now;
            }
        }
        if (known)
        {
            long done = progressCap == long.MaxValue ? reader.CompressedBytesRead : progressCap;
            ctx.Progress.Advance(done - reported);
            reported = done;
        }
        else
        {
            ctx.Progress.Advance(1);
        }
        ctx.Counters.Increment("bytes.compressed", Math.Min(reader.CompressedBytesRead, progressCap));
        ctx.Counters.Increment("bytes.decompressed", reader.DecompressedBytesRead);
        ctx.Log($"read {uri}: {records} records, {reader.CompressedBytesRead} bytes ({reader.DecompressedBytesRead} decompressed)");
    }

    /// <summary>The <c>source</c> column: a file:// URI for local files, the URI itself otherwise.</summary>
    public static string SourceUri(string uri)
    {
        if (uri.Contains("://", StringComparison.Ordinal)) return uri;
        return new Uri(Path.GetFullPath(uri)).AbsoluteUri;
    }

    private static string Identity(string uri) => uri.Contains("://", StringComparison.Ordinal) && !uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
        ? uri
        : Core.Config.ConfigHash.OfFile(LocalStorage.ToPath(uri));

    /// <summary>
    /// Splits files into <paramref name="tasks"/> groups of about equal bytes (0: one per file): largest first onto
    /// the lightest group, ties to the lower index; each group keeps input order. Deterministic.
    /// </summary>
    public static List<List<int>> Group(IReadOnlyList<long> sizes, int tasks)
    {
        int n = tasks <= 0 ? sizes.Count : Math.Min(tasks, sizes.Count);
        n = Math.Max(1, n);
        var groups = Enumerable.Range(0, n).Select(_ => new List<int>()).ToList();
        if (n == sizes.Count)
        {
            for (int i = 0; i < n; i++) groups[i].Add(i);
            return groups;
        }
        var load = new long[n];
        foreach (int f in Enumerable.Range(0, sizes.Count).OrderByDescending(i => sizes[i]).ThenBy(i => i))
        {
            int lightest = 0;
            for (int g = 1; g < n; g++) if (load[g] < load[lightest]) lightest = g;
            groups[lightest].Add(f);
            load[lightest] += Math.Max(1, sizes[f]);
        }
        foreach (var g in groups) g.Sort();
        return groups;
    }
}
