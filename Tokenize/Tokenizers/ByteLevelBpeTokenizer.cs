using System.Text.RegularExpressions;
using DataPipe.Core.Errors;
using DataPipe.Tokenize.Bpe;
using DataPipe.Tokenize.Shards;
using Microsoft.ML.Tokenizers;

namespace DataPipe.Tokenize.Tokenizers;

/// <summary>
/// A byte-level BPE trained by <see cref="BpeTrainer"/>, loaded from its folder (<c>vocab.json</c> + <c>merges.txt</c>)
/// into Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>, so encoding and decoding are always the maintained
/// library's. Pre-tokenization is GPT-2's regex (<see cref="BpeTrainer.PreTokenizerPattern"/>), the same one training
/// used. As with <see cref="TiktokenTextTokenizer"/>, text that spells <c>&lt;|endoftext|&gt;</c> is ordinary text.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITextTokenizer
{
    public const string Kind = "bpe";

    private readonly BpeTokenizer _tokenizer;

    private ByteLevelBpeTokenizer(string dir, BpeTokenizer tokenizer, BpeVocabulary vocabulary, string hash)
    {
        Directory = dir;
        _tokenizer = tokenizer;
        Vocabulary = vocabulary;
        Identity = new TokenizerIdentity
        {
            Kind = Kind,
            Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)),
            VocabHash = hash,
            VocabSize = vocabulary.Size,
            EotId = vocabulary.EndOfTextId,
        };
    }

    /// <summary>The folder the tokenizer was loaded from.</summary>
    public string Directory { get; }

    public BpeVocabulary Vocabulary { get; }

    public TokenizerIdentity Identity { get; }

    /// <summary>Loads a trained tokenizer folder; a missing or inconsistent file is an error naming it.</summary>
    public static ByteLevelBpeTokenizer Load(string dir)
    {
        dir = Path.GetFullPath(dir);
        if (!System.IO.Directory.Exists(dir)) throw new DataPipeException($"{dir}: tokenizer folder not found");
        var vocabulary = BpeVocabulary.Load(dir);
        string hash = BpeVocabulary.HashFiles(dir);
        var options = new BpeOptions(Path.Combine(dir, BpeVocabulary.VocabFile), Path.Combine(dir, BpeVocabulary.MergesFile))
        {
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(BpeTrainer.PreTokenizerPattern, RegexOptions.Compiled), specialTokens: null),
            SpecialTokens = new Dictionary<string, int> { [BpeVocabulary.EndOfText] = vocabulary.EndOfTextId },
        };
        return new ByteLevelBpeTokenizer(dir, BpeTokenizer.Create(options), vocabulary, hash);
    }

    public int[] Encode(string text)
    {
        if (text.Length == 0) return [];
        var ids = _tokenizer.EncodeToIds(WellFormedText.Of(text), considerPreTokenization: true, considerNormalization: false);
        var result = new int[ids.Count];
        for (int i = 0; i < result.Length; i++) result[i] = ids[i];
        return result;
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var ordinary = new List<int>(ids.Length);
        foreach (int id in ids)
            if (id != Vocabulary.EndOfTextId) ordinary.Add(id);
        return _tokenizer.Decode(ordinary, considerSpecialTokens: false);
    }
}
