using System.CommandLine;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Pipeline.Kinds;
using DataPipe.Tokenize.Stages;
using YamlDotNet.RepresentationModel;
using DataPipe.Tokenize.Tokenizers;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe tokenizer train --input DOCS|TEXT --vocab-size N --output DIR</c>: learns a byte-level BPE
/// (the BPE training step of a one-stage tokenize pipeline, <see cref="OneStagePipeline"/>) whose folder <c>datapipe tokenize --tokenizer bpe:DIR</c> then uses. Its flags are
/// generated from <see cref="TokenizeKind.BpeSchema"/>, the schema of a tokenize stage's <c>tokenizer: { train: ... }</c>.
/// </summary>
public static class TokenizerTrainCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Documents dataset folder, text file, or folder of .txt files", Required = true };
        var output = CommonOptions.Output("Tokenizer folder (vocab.json + merges.txt)");
        var flags = TokenizeKind.BpeSchema.CreateFlags(new TrainBpeOptions());
        var force = CommonOptions.Force();

        var train = new Command("train", "Learn a byte-level BPE (GPT-2 pre-tokenizer, <|endoftext|>) from a corpus") { input, output, force };
        foreach (var flag in flags) train.Add(flag);
        train.SetAction(async (parse, ct) =>
        {
            // A tokenize stage whose tokenizer section trains a BPE, of which only the training step runs.
            var options = new YamlMappingNode { { "tokenizer", new YamlMappingNode { { "train", TokenizeKind.BpeSchema.FlagsToMapping(parse, flags) } } } };
            var results = await OneStagePipeline.RunAsync(new TokenizeKind(), [parse.GetValue(input)!], options, parse.GetValue(output)!, 1,
                new ExecutorOptions { Workers = 1, MaxAttempts = 1, Force = parse.GetValue(force) }, ct, new OneStageChoice { Step = TokenizeKind.BpeStep }).ConfigureAwait(false);
            var result = results[0];
            var tokenizer = ByteLevelBpeTokenizer.Load(result.OutputDir);
            AnsiConsole.MarkupLine($"tokenizer: [blue]bpe:{Markup.Escape(result.OutputDir)}[/] ({tokenizer.Identity.VocabSize:N0} tokens, end-of-text {tokenizer.Identity.EotId}, hash {tokenizer.Identity.VocabHash[..12]})");
            return 0;
        });
        return new Command("tokenizer", "Tokenizer tools: 'tokenizer train' learns a byte-level BPE") { train };
    }
}
