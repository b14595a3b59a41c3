using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataPipe.Core.Datasets;
using DataPipe.Core.Errors;

namespace DataPipe.Tokenize.Bpe;

/// <summary>
/// A trained byte-level BPE vocabulary in the GPT-2 file layout that Microsoft.ML.Tokenizers' BpeTokenizer loads:
/// <c>vocab.json</c> (token in <see cref="ByteLevelAlphabet"/> form → id) and <c>merges.txt</c> (one merge per line,
/// "left right", highest priority first). Ids 0..255 are the single bytes, then one id per merge in merge order, then
/// <c>&lt;|endoftext|&gt;</c> last.
/// </summary>
public sealed class BpeVocabulary
{
    public const string VocabFile = "vocab.json";
    public const string MergesFile = "merges.txt";
    public const string EndOfText = "<|endoftext|>";
    private const string MergesHeader = "#version: 0.2";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public BpeVocabulary(IReadOnlyList<(int Left, int Right)> merges)
    {
        var tokens = new List<byte[]>(256 + merges.Count);
        for (int b = 0; b < 256; b++) tokens.Add([(byte)b]);
        foreach (var (l, r) in merges)
        {
            if ((uint)l >= tokens.Count || (uint)r >= tokens.Count)
                throw new ArgumentException($"merge {tokens.Count - 256} refers to a token not yet defined ({l}, {r})", nameof(merges));
            tokens.Add([.. tokens[l], .. tokens[r]]);
        }
        Merges = merges;
        Tokens = tokens;
    }

    /// <summary>Merges in priority order: merge k makes token 256 + k.</summary>
    public IReadOnlyList<(int Left, int Right)> Merges { get; }

    /// <summary>The bytes of every regular token, by id.</summary>
    public IReadOnlyList<byte[]> Tokens { get; }

    public int EndOfTextId => Tokens.Count;

    /// <summary>Regular tokens plus end-of-text.</summary>
    public int Size => Tokens.Count + 1;

    /// <summary>Writes <c>vocab.json</c> and <c>merges.txt</c> into <paramref name="dir"/>, each atomically.</summary>
    public void Save(string dir)
    {
        Directory.CreateDirectory(dir);
        var vocab = new Dictionary<string, int>(Size);
        for (int id = 0; id < Tokens.Count; id++)
            if (!vocab.TryAdd(ByteLevelAlphabet.ToText(Tokens[id]), id))
                throw new InvalidOperationException($"token {id} duplicates an earlier token");
        vocab.Add(EndOfText, EndOfTextId);
        AtomicFile.WriteAllBytes(Path.Combine(dir, VocabFile), JsonSerializer.SerializeToUtf8Bytes(vocab, JsonOptions));

        var merges = new StringBuilder(MergesHeader).Append('\n');
        foreach (var (l, r) in Merges)
            merges.Append(ByteLevelAlphabet.ToText(Tokens[l])).Append(' ').Append(ByteLevelAlphabet.ToText(Tokens[r])).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(dir, MergesFile), merges.ToString());
    }

    /// <summary>Reads a vocabulary saved by <see cref="Save"/>; anything inconsistent is an error naming the file and line.</summary>
    public static BpeVocabulary Load(string dir)
    {
        string vocabPath = Path.Combine(dir, VocabFile), mergesPath = Path.Combine(dir, MergesFile);
        foreach (var p in new[] { vocabPath, mergesPath })
            if (!File.Exists(p)) throw new DataPipeException($"{p}: not found (a trained tokenizer folder holds {VocabFile} and {MergesFile})");
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(vocabPath)) ?? [];
        }
        catch (JsonException e)
        {
            throw new DataPipeException($"{vocabPath}: not a vocabulary ({e.Message})");
        }
        var idOf = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        foreach (var (token, id) in vocab) idOf[token] = id;

        var merges = new List<(int, int)>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(mergesPath))
        {
            lineNo++;
            if (line.Length == 0 || line.StartsWith("#version", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                throw new DataPipeException($"{mergesPath}:{lineNo}: expected 'left right', got '{line}'");
            string left = line[..space], right = line[(space + 1)..];
            if (!idOf.TryGetValue(left, out int l) || !idOf.TryGetValue(right, out int r) || !idOf.TryGetValue(left + right, out int merged))
                throw new DataPipeException($"{mergesPath}:{lineNo}: merge '{line}' uses a token missing from {VocabFile}");
            if (merged != 256 + merges.Count)
                throw new DataPipeException($"{mergesPath}:{lineNo}: merge '{line}' makes token {merged} in {VocabFile}, expected {256 + merges.Count}");
            merges.Add((l, r));
        }
        var result = new BpeVocabulary(merges);
        for (int b = 0; b < 256; b++)
            if (!idOf.TryGetValue(ByteLevelAlphabet.CharOf((byte)b).ToString(), out int id) || id != b)
                throw new DataPipeException($"{vocabPath}: byte 0x{b:x2} must be token {b}");
        if (!idOf.TryGetValue(EndOfText, out int eot) || eot != result.EndOfTextId)
            throw new DataPipeException($"{vocabPath}: {EndOfText} must be the last token, id {result.EndOfTextId}");
        if (vocab.Count != result.Size)
            throw new DataPipeException($"{vocabPath}: {vocab.Count} tokens, but 256 bytes + {merges.Count} merges + {EndOfText} make {result.Size}");
        return result;
    }

    /// <summary>SHA-256 of the two files as they are on disk: the identity recorded in shard manifests.</summary>
    public static string HashFiles(string dir)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var f in new[] { VocabFile, MergesFile })
        {
            sha.AppendData(Encoding.ASCII.GetBytes($"{f}\n"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(dir, f)));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
