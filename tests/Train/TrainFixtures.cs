using DataPipe.Tests.Support;
using DataPipe.Tokenize.Shards;
using DataPipe.Tokenize.Tokenizers;
using DataPipe.Train;
using DataPipe.Train.Data;

namespace DataPipe.Tests.Train;

/// <summary>Byte-level token shards of real text (Tiny Shakespeare from ../shared/data) and a tiny model config that trains in seconds on a CPU.</summary>
internal static class TrainFixtures
{
    public static string Shakespeare => Repo.Shared("text/tinyshakespeare.txt");

    public static Task<TokenManifest> ShakespeareShardsAsync(string dir, long maxBytes = 200_000, int rowGroupTokens = 1 << 14, int shards = 2) =>
        PlainTextShards.WriteAsync([Shakespeare], dir, ByteTokenizer.Instance, valEvery: 10, shards: shards, rowGroupTokens: rowGroupTokens, maxBytes: maxBytes);

    public static TrainConfig Tiny(int steps = 30) => new()
    {
        Layers = 2,
        Heads = 2,
        Width = 64,
        Context = 64,
        Batch = 8,
        Steps = steps,
        Lr = 3e-3,
        MinLr = 3e-4,
        WarmupSteps = 5,
        EvalEvery = 0,
        EvalBatches = 4,
        CheckpointEvery = 10,
        Seed = 7,
        Device = "cpu",
        Threads = 1,
    };
}
