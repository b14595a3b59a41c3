using System.Threading.Channels;
using DataPipe.Core.Errors;
using DataPipe.Tokenize.Shards;

namespace DataPipe.Train.Data;

/// <summary>
/// Streams token shards into fixed windows for training, the way GPT-2/GPT-3 pack their data: documents (each ending
/// with end-of-text, as Tokenize writes them) are concatenated into one stream and cut into windows of context+1
/// tokens, with no padding. The unit of reading is one row group of one shard: an epoch visits the split's row groups
/// in an order drawn from the seed and the epoch, and the documents of each in an order drawn from the seed, epoch and
/// row group, so the same seed gives the same batches on every machine. Only the row group being read (and the
/// prefetched batches) is in memory, so memory does not grow with the corpus. A background task prepares batches
/// ahead; each batch carries the loader's state after it, which a checkpoint stores and <see cref="OpenAsync"/>
/// resumes from.
/// </summary>
public sealed class BatchLoader : IAsyncDisposable, IDisposable
{
    private readonly string _dir;
    private readonly IReadOnlyList<(string File, int RowGroup)> _units;
    private readonly BatchLoaderOptions _options;
    private readonly Channel<TokenBatch> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private int _unitsLoaded;

    // Producer-side cursor (only the producer task touches these).
    private int _epoch, _unit, _document, _offset, _carry;
    private int[] _order = [];
    private TokenRow[]? _rows;

    private BatchLoader(string dir, IReadOnlyList<(string File, int RowGroup)> units, BatchLoaderOptions options, LoaderState start)
    {
        _dir = dir;
        _units = units;
        _options = options;
        (_epoch, _unit, _document, _offset, _carry) = (start.Epoch, start.Unit, start.Document, start.Offset, start.Carry);
        _channel = Channel.CreateBounded<TokenBatch>(new BoundedChannelOptions(Math.Max(1, options.Prefetch)) { SingleReader = true, SingleWriter = true });
        _producer = Task.Run(ProduceAsync);
    }

    /// <summary>Row groups read from disk so far (a test checks that the loader never reads ahead of its prefetch).</summary>
    public int UnitsLoaded => Volatile.Read(ref _unitsLoaded);

    /// <summary>Row groups in the split.</summary>
    public int UnitCount => _units.Count;

    /// <summary>
    /// Opens the <see cref="BatchLoaderOptions.Split"/> of the shard folder <paramref name="dir"/>, positioned at
    /// <paramref name="start"/> (default: the beginning). Fails naming the folder when the split has no shards.
    /// </summary>
    public static async Task<BatchLoader> OpenAsync(string dir, TokenManifest manifest, BatchLoaderOptions options, LoaderState? start = null, CancellationToken ct = default)
    {
        var units = new List<(string, int)>();
        foreach (var shard in manifest.ShardsOf(options.Split))
        {
            string path = Path.Combine(dir, shard.File);
            int groups = await TokenShardReader.CountRowGroupsAsync(path, ct).ConfigureAwait(false);
            for (int g = 0; g < groups; g++) units.Add((path, g));
        }
        if (units.Count == 0) throw new DataPipeException($"{Path.Combine(dir, TokenManifest.FileName)}: no '{options.Split}' shards");
        start ??= LoaderState.Start;
        if (start.Unit < 0 || start.Unit > units.Count || start.Epoch < 0)
            throw new DataPipeException($"{dir}: loader position (epoch {start.Epoch}, row group {start.Unit}) does not fit the {units.Count} row groups of split '{options.Split}'; were the shards changed?");
        return new BatchLoader(dir, units, options, start);
    }

    /// <summary>The next batch, or null when a non-repeating split is exhausted (the last batch may have fewer rows).</summary>
    public async ValueTask<TokenBatch?> NextAsync(CancellationToken ct = default)
    {
        try
        {
            return await _channel.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException e) when (e.InnerException is null)
        {
            return null;
        }
        catch (ChannelClosedException e)
        {
            throw e.InnerException!;
        }
    }

    /// <summary>The next batch, waiting on the calling thread (the trainer's loop runs on one dedicated thread).</summary>
    public TokenBatch? Next(CancellationToken ct = default) => NextAsync(ct).AsTask().GetAwaiter().GetResult();

    private async Task ProduceAsync()
    {
        try
        {
            var ct = _stop.Token;
            int t = _options.Context, b = _options.Batch;
            while (!ct.IsCancellationRequested)
            {
                var inputs = new long[b * t];
                var targets = new long[b * t];
                var window = new long[t + 1];
                int rows = 0;
                while (rows < b && await FillWindowAsync(window, ct).ConfigureAwait(false))
                {
                    window.AsSpan(0, t).CopyTo(inputs.AsSpan(rows * t, t));
                    window.AsSpan(1, t).CopyTo(targets.AsSpan(rows * t, t));
                    rows++;
                }
                if (rows == 0) break;
                var after = new LoaderState(_epoch, _unit, _document, _offset, _carry);
                await _channel.Writer.WriteAsync(new TokenBatch(inputs, targets, rows, t, _epochOfLastToken, after), ct).ConfigureAwait(false);
                if (rows < b) break;
            }
            _channel.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _channel.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _channel.Writer.TryComplete(e);
        }
    }

    private int _epochOfLastToken;

    /// <summary>Fills one window of context+1 tokens; the first is the token carried from the previous window.</summary>
    private async ValueTask<bool> FillWindowAsync(long[] window, CancellationToken ct)
    {
        int i = 0;
        if (_carry >= 0) window[i++] = _carry;
        while (i < window.Length)
        {
            int token = await NextTokenAsync(ct).ConfigureAwait(false);
            if (token < 0) return false;
            window[i++] = token;
        }
        _carry = (int)window[^1];
        return true;
    }

    /// <summary>The next token of the stream, or -1 at the end of a non-repeating split.</summary>
    private async ValueTask<int> NextTokenAsync(CancellationToken ct)
    {
        while (true)
        {
            if (_unit >= _units.Count)
            {
                if (!_options.Repeat) return -1;
                _epoch++;
                _unit = 0;
                _document = 0;
                _offset = 0;
                _rows = null;
            }
            if (_rows is null) await LoadUnitAsync(ct).ConfigureAwait(false);
            if (_document >= _rows!.Length)
            {
                _unit++;
                _document = 0;
                _offset = 0;
                _rows = null;
                continue;
            }
            var row = _rows[_order[_document]];
            if (_offset >= row.Tokens.Length)
            {
                _document++;
                _offset = 0;
                continue;
            }
            int token = row.Tokens[_offset++];
            if ((uint)token >= (uint)_options.Vocab)
                throw new DataPipeException($"{_units[UnitIndex(_epoch, _unit)].File}: document '{row.DocId}' has token id {token}, outside the model's vocabulary of {_options.Vocab}");
            _epochOfLastToken = _epoch;
            return token;
        }
    }

    private async Task LoadUnitAsync(CancellationToken ct)
    {
        var (file, group) = _units[UnitIndex(_epoch, _unit)];
        _rows = await TokenShardReader.ReadRowGroupAsync(file, group, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _unitsLoaded);
        _order = Enumerable.Range(0, _rows.Length).ToArray();
        if (_options.Shuffle) Shuffle(_order, new Random(SeedFor(_options.Seed, _epoch, _unit + 1)));
    }

    /// <summary>Which row group is the <paramref name="unit"/>-th of epoch <paramref name="epoch"/>'s order.</summary>
    private int UnitIndex(int epoch, int unit)
    {
        if (!_options.Shuffle) return unit;
        if (_unitOrderEpoch != epoch)
        {
            _unitOrder = Enumerable.Range(0, _units.Count).ToArray();
            Shuffle(_unitOrder, new Random(SeedFor(_options.Seed, epoch, 0)));
            _unitOrderEpoch = epoch;
        }
        return _unitOrder[unit];
    }

    private int[] _unitOrder = [];
    private int _unitOrderEpoch = -1;

    /// <summary>A 32-bit seed for System.Random (whose seeded sequence is stable across .NET versions) from the run seed and a place in the stream.</summary>
    private static int SeedFor(long seed, int epoch, int unit)
    {
        ulong x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)epoch * 0xC2B2AE3D27D4EB4FUL ^ (ulong)unit * 0x165667B19E3779F9UL);
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 29;
        return (int)(x & 0x7FFFFFFF);
    }

    private static void Shuffle(int[] a, Random random)
    {
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }

    public override string ToString() => $"{_dir} [{_options.Split}]";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // Drain so a producer blocked on a full channel sees the cancellation.
        while (_channel.Reader.TryRead(out _)) { }
        try
        {
            await _producer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
