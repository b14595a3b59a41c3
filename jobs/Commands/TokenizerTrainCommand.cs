using System.CommandLine;
using DataPipe.Core.Execution;
using DataPipe.Jobs.Cli;
using DataPipe.Tokenize.Stages;
using DataPipe.Tokenize.Tokenizers;
using Spectre.Console;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe tokenizer train --input DOCS|TEXT --vocab-size N --output DIR</c>: learns a byte-level BPE
/// (<see cref="TrainBpeStage"/>) whose folder <c>datapipe tokenize --tokenizer bpe:DIR</c> then uses.
/// </summary>
public static class TokenizerTrainCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Documents dataset folder, text file, or folder of .txt files", Required = true };
        var output = CommonOptions.Output("Tokenizer folder (vocab.json + merges.txt)");
        var vocabSize = new Option<int>("--vocab-size")
        {
            Description = "Total vocabulary: 256 bytes + merges + <|endoftext|>",
            DefaultValueFactory = _ => 8192,
            Validators = { r => { if (r.GetValueOrDefault<int>() < 257) r.AddError("--vocab-size must be >= 257"); } },
        };
        var minPairCount = new Option<long>("--min-pair-count") { Description = "Pairs seen fewer times are never merged", DefaultValueFactory = _ => 2 };
        var workers = CommonOptions.Workers();
        var force = CommonOptions.Force();

        var train = new Command("train", "Learn a byte-level BPE (GPT-2 pre-tokenizer, <|endoftext|>) from a corpus") { input, output, vocabSize, minPairCount, workers, force };
        train.SetAction(async (parse, ct) =>
        {
            var stage = new TrainBpeStage(new TrainBpeOptions
            {
                Input = parse.GetValue(input)!,
                VocabSize = parse.GetValue(vocabSize),
                MinPairCount = parse.GetValue(minPairCount),
                Threads = parse.GetValue(workers),
            });
            var result = await StageConsole.RunAsync(stage, parse.GetValue(output)!, new ExecutorOptions { Workers = 1, MaxAttempts = 1, Force = parse.GetValue(force) }, ct).ConfigureAwait(false);
            var tokenizer = ByteLevelBpeTokenizer.Load(result.OutputDir);
            AnsiConsole.MarkupLine($"tokenizer: [blue]bpe:{Markup.Escape(result.OutputDir)}[/] ({tokenizer.Identity.VocabSize:N0} tokens, end-of-text {tokenizer.Identity.EotId}, hash {tokenizer.Identity.VocabHash[..12]})");
            return 0;
        });
        return new Command("tokenizer", "Tokenizer tools: 'tokenizer train' learns a byte-level BPE") { train };
    }
}
