using System.IO.Hashing;
using System.Runtime.InteropServices;
using DataPipe.Core.Config;
using DataPipe.Core.Datasets;
using DataPipe.Core.Documents;
using DataPipe.Core.Stages;
using DataPipe.Core.Text;
using DataPipe.Dedup.MinHash;
using DataPipe.Dedup.Shingles;
using DataPipe.Dedup.Shuffle;

namespace DataPipe.Dedup.Stages;

/// <summary>
/// Dedup map step 1 of 4, one task per input slice. For every document: the normalized text's word shingles
/// (<see cref="WordShingler"/>), its MinHash signature (<see cref="MinHasher"/>), and one bucket key per LSH band
/// (<see cref="LshBanding"/>, Leskovec et al., Mining of Massive Datasets ch. 3.4), plus two exact keys: the
/// <c>content_hash</c> column and a hash of the URL (exact duplicates by normalized text or URL). Keys are
/// written to one file per bucket partition (<c>buckets/tTTTTT-pPPPPP.bin</c>, partitioned by hash range), which the
/// pairs stage reads across all tasks: the shuffle of a map/reduce. Beside them: per-document metadata for choosing
/// the survivor (<c>meta/</c>) and, when verification is on, the shingle set or signature (<c>verify/</c>).
/// </summary>
public sealed class SignatureStage : IStage
{
    public const string StageName = "dedup-signatures";
    internal static readonly ulong BucketMagic = RecordFile.Magic("DPBUCKET");

    private readonly DedupOptions _options;
    private readonly InputSlices _input;
    private readonly LshBanding _banding;

    public SignatureStage(DedupOptions options, InputSlices input)
    {
        options.Validate();
        _options = options;
        _input = input;
        _banding = options.Banding;
        ConfigHash = Core.Config.ConfigHash.Combine(StageName, Core.Config.ConfigHash.Of(options), input.InputHash);
    }

    public string Name => StageName;

    public string ConfigHash { get; }

    public IReadOnlyList<ColumnDescription>? OutputSchema => null;

    /// <summary>Band index of the <c>content_hash</c> key; the URL key is the next one.</summary>
    public int ContentBand => _banding.Bands;

    public int UrlBand => _banding.Bands + 1;

    public static string BucketFileName(int task, int partition) => $"buckets/t{task:D5}-p{partition:D5}.bin";

    public static string BucketPattern(int partition) => $"t*-p{partition:D5}.bin";

    public static string MetaFileName(int task) => $"meta/part-{task:D5}.bin";

    public static string VerifyFileName(int task) => $"verify/part-{task:D5}.bin";

    public async Task<StagePlan> PlanAsync(CancellationToken ct) => new(_options.Tasks, await _input.TotalRowsAsync().ConfigureAwait(false), "rows");

    public async Task RunTaskAsync(StageTaskContext ctx, CancellationToken ct)
    {
        var (slice, firstDoc) = await _input.ForTaskAsync(ctx.TaskIndex, ctx.TaskCount).ConfigureAwait(false);
        foreach (var u in slice.Units.Select(u => u.File).Distinct()) ctx.AddInput(u);
        int partitions = _options.ResolvedPartitions;
        var shingler = new WordShingler(_options.ShingleSize, _options.Seed);
        var hasher = new MinHasher(_banding.Permutations, _options.Seed);
        var buckets = new RecordWriter<BucketEntry>[partitions];
        for (int p = 0; p < partitions; p++) buckets[p] = new RecordWriter<BucketEntry>(ctx.CreateOutput(BucketFileName(ctx.TaskIndex, p)), BucketMagic, 2048);
        using var meta = new DocRecordWriter(ctx.CreateOutput(MetaFileName(ctx.TaskIndex)), firstDoc);
        using var verify = _options.Verify == DedupVerification.None ? null : new DocRecordWriter(ctx.CreateOutput(VerifyFileName(ctx.TaskIndex)), firstDoc);
        using var shingles = new ShingleBuffer();
        var signature = new uint[hasher.Permutations];
        var set = new List<uint>();
        var metaValues = new uint[DocMeta.Values];
        long doc = firstDoc;
        try
        {
            await foreach (var d in DocumentReader.ReadAsync(slice, ct).ConfigureAwait(false))
            {
                ctx.AddRowsIn();
                string normalized = TextNormalizer.Normalize(d.Text);
                int n = shingler.HashNormalized(normalized, shingles);
                ReadOnlySpan<ulong> hashes = n == 0 ? [] : shingles.Hashes.AsSpan(0, n);
                hasher.Compute(hashes, signature);
                if (n == 0) ctx.Counters.Increment("signatures.no_shingles");
                else
                {
                    for (int b = 0; b < _banding.Bands; b++)
                        Add(BucketEntry.Create(_banding.BandKey(signature, b), b, doc));
                }
                Add(BucketEntry.Create(ExactKey((ulong)d.ContentHash, ContentBand), ContentBand, doc));
                if (_options.ExactByUrl && d.Url.Length > 0)
                    Add(BucketEntry.Create(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(d.Url.AsSpan()), UrlBand), UrlBand, doc));

                DocMeta.Write(d, metaValues);
                meta.Add(metaValues);
                if (verify is not null)
                {
                    if (_options.Verify == DedupVerification.Signature) verify.Add(signature);
                    else verify.Add(ShingleSet(hashes, set));
                }
                ctx.Counters.Increment("signatures.shingles", n);
                ctx.Progress.Advance(1);
                doc++;
            }
        }
        finally
        {
            foreach (var w in buckets) w.Dispose();
        }
        ctx.Counters.Increment("signatures.bucket_entries", buckets.Sum(w => w.Written));
        ctx.AddRowsOut(doc - firstDoc);

        void Add(BucketEntry e) => buckets[BucketEntry.PartitionOf(e.Key, partitions)].Add(e);
    }

    private static ulong ExactKey(ulong value, int band)
    {
        Span<ulong> v = [value];
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(v), band);
    }

    /// <summary>The distinct high halves of the shingle hashes, sorted: the set whose exact Jaccard verification compares.</summary>
    internal static ReadOnlySpan<uint> ShingleSet(ReadOnlySpan<ulong> hashes, List<uint> scratch)
    {
        scratch.Clear();
        foreach (ulong h in hashes) scratch.Add((uint)(h >> 32));
        var span = CollectionsMarshal.AsSpan(scratch);
        span.Sort();
        int w = 0;
        for (int i = 0; i < span.Length; i++)
            if (i == 0 || span[i] != span[w - 1]) span[w++] = span[i];
        return span[..w];
    }
}

/// <summary>What the cluster stage needs to pick a cluster's survivor, stored as three 32-bit values per document.</summary>
public readonly record struct DocMeta(float? Quality, long FetchTicks)
{
    public const int Values = 3;

    public static void Write(Document d, Span<uint> into)
    {
        into[0] = BitConverter.SingleToUInt32Bits(d.QualityScore ?? float.NaN);
        long t = d.FetchTime.Ticks;
        into[1] = (uint)t;
        into[2] = (uint)((ulong)t >> 32);
    }

    public static DocMeta Read(ReadOnlySpan<uint> v)
    {
        float q = BitConverter.UInt32BitsToSingle(v[0]);
        return new DocMeta(float.IsNaN(q) ? null : q, (long)((ulong)v[1] | ((ulong)v[2] << 32)));
    }
}
