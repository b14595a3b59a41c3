using System.CommandLine;
using DataPipe.Core.Errors;
using DataPipe.Train.Sampling;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe generate --run DIR | --checkpoint FILE --prompt TEXT [--tokens N] [--temperature T] [--top-k K]</c>:
/// samples a continuation from a trained GPT (the newest checkpoint of a run) with <see cref="CheckpointSampler"/>.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var run = new Option<string?>("--run") { Description = "Run folder (its newest checkpoint is used)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint file (instead of --run)" };
        var prompt = new Option<string>("--prompt") { Description = "Text to continue", Required = true };
        var tokens = new Option<int>("--tokens") { Description = "Tokens to generate", DefaultValueFactory = _ => 200 };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature", DefaultValueFactory = _ => 0.8 };
        var topK = new Option<int>("--top-k") { Description = "Sample among the K most likely tokens (0: all)", DefaultValueFactory = _ => 40 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
        var command = new Command("generate", "Sample text from a trained GPT checkpoint") { run, checkpoint, prompt, tokens, temperature, topK, seed, device };
        command.SetAction((parse, ct) =>
        {
            string path = parse.GetValue(checkpoint)
                ?? (parse.GetValue(run) is { } dir ? CheckpointSampler.LatestIn(dir) : null)
                ?? throw new DataPipeException("generate: give --run DIR or --checkpoint FILE");
            string prompt0 = parse.GetValue(prompt)!;
            string text = CheckpointSampler.Continue(path, prompt0, parse.GetValue(tokens), parse.GetValue(temperature), parse.GetValue(topK), parse.GetValue(seed), parse.GetValue(device)!);
            Console.WriteLine(prompt0 + text);
            return Task.FromResult(0);
        });
        return command;
    }
}
