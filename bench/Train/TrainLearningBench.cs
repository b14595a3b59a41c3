using System.Diagnostics;
using System.Globalization;
using DataPipe.Train;

namespace DataPipe.Bench.Train;

/// <summary>
/// <c>train-learning [bytes=N] [key=value ...]</c>: trains a small GPT on byte-level shards of Tiny Shakespeare and
/// prints the validation loss against the unigram entropy of the validation text (the loss of a model that ignores
/// context), with bits per byte, tokens/s and peak memory.
/// </summary>
internal static class TrainLearningBench
{
    public static readonly TrainConfig Default = new()
    {
        Layers = 4, Heads = 4, Width = 128, Context = 128, Batch = 16, Steps = 600, Lr = 3e-3, MinLr = 3e-4,
        WarmupSteps = 50, EvalEvery = 100, EvalBatches = 20, CheckpointEvery = 0, Device = "auto",
        SamplePrompt = "ROMEO:", SampleTokens = 80,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var (config, rest) = BenchShards.Parse(args, Default);
        long bytes = rest.TryGetValue("bytes", out var b) ? long.Parse(b, CultureInfo.InvariantCulture) : long.MaxValue;
        string root = Path.Combine(Path.GetTempPath(), $"datapipe-bench-train-{Guid.NewGuid():N}");
        try
        {
            string shards = Path.Combine(root, "shards");
            var m = await BenchShards.ShakespeareAsync(shards, bytes);
            double unigramVal = await BenchShards.UnigramEntropyAsync(shards, m, "validation");
            double unigramTrain = await BenchShards.UnigramEntropyAsync(shards, m, "train");
            Console.WriteLine($"data: {m.Train.Tokens:N0} train tokens, {m.Validation.Tokens:N0} validation tokens (byte tokenizer, Tiny Shakespeare)");
            Console.WriteLine(TrainConfigFile.ToYaml(config).ReplaceLineEndings(" ").Replace(": ", "=", StringComparison.Ordinal));
            var wall = Stopwatch.StartNew();
            var result = await GptTrainer.RunAsync(new TrainRequest(shards, Path.Combine(root, "run"), config)
            {
                OnEval = e => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  step {e.Step,5}  val_loss {e.ValLoss:F4}  bits/byte {e.BitsPerByte:F4}  sample: {e.Sample?.ReplaceLineEndings(" ")}")),
            });
            var ci = CultureInfo.InvariantCulture;
            Console.WriteLine();
            Console.WriteLine(string.Create(ci, $"parameters                 {result.Parameters:N0}"));
            Console.WriteLine(string.Create(ci, $"tokens trained             {result.Tokens:N0} ({(double)result.Tokens / m.Train.Tokens:F2} epochs)"));
            Console.WriteLine(string.Create(ci, $"unigram entropy (val)      {unigramVal:F4} nats/token  (train split: {unigramTrain:F4})"));
            Console.WriteLine(string.Create(ci, $"first train loss           {result.StepMetrics[0].Loss:F4}"));
            Console.WriteLine(string.Create(ci, $"final val loss             {result.FinalValLoss:F4} nats/token = {result.FinalValLoss / unigramVal:P1} of unigram entropy"));
            Console.WriteLine(string.Create(ci, $"final val bits per byte    {result.FinalBitsPerByte:F4}"));
            Console.WriteLine(string.Create(ci, $"tokens/s                   {result.TokensPerSecond:N0} on {result.Device}"));
            Console.WriteLine(string.Create(ci, $"peak working set           {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MiB"));
            Console.WriteLine(string.Create(ci, $"wall seconds               {wall.Elapsed.TotalSeconds:F1}"));
            return result.FinalValLoss < unigramVal ? 0 : 1;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
