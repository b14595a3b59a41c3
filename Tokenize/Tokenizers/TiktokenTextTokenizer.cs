using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DataPipe.Core.Errors;
using DataPipe.Tokenize.Shards;
using Microsoft.ML.Tokenizers;

namespace DataPipe.Tokenize.Tokenizers;

/// <summary>
/// OpenAI's pretrained byte-level BPE encodings (<c>cl100k_base</c>, GPT-3.5/4; <c>o200k_base</c>, GPT-4o), encoded by
/// Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> with the ranks shipped in its data packages.
/// <para>
/// Documents are encoded like tiktoken's <c>encode_ordinary</c>: text that happens to spell a special token
/// (<c>&lt;|endoftext|&gt;</c> in a web page) is ordinary text, so a page can never inject an end-of-text into the
/// token stream. The library's tokenizer splits special tokens out of the text, so the rare document that contains one
/// is encoded by a second library tokenizer built from the same ranks with a pre-tokenizer that knows no special tokens
/// (its regex is tiktoken's published pattern for the encoding, possessive quantifiers written as atomic groups).
/// </para>
/// Text is encoded as UTF-8 bytes, so any string encodes (a lone surrogate becomes U+FFFD's bytes, as in tiktoken).
/// </summary>
public sealed class TiktokenTextTokenizer : ITextTokenizer
{
    public const string Kind = "tiktoken";
    public const string Cl100kBase = "cl100k_base";
    public const string O200kBase = "o200k_base";
    private const string EndOfTextToken = "<|endoftext|>";

    // tiktoken_ext/openai_public.py, cl100k_base and o200k_base.
    private const string Cl100kPattern = @"'(?i:[sdmt]|ll|ve|re)|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)|(?>\p{N}{1,3})| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)|(?>\s+)$|\s*[\r\n]|\s+(?!\S)|\s";
    private const string O200kPattern =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
        + @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
        + @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly ConcurrentDictionary<string, Lazy<TiktokenTextTokenizer>> Loaded = new(StringComparer.Ordinal);

    private readonly TiktokenTokenizer _tokenizer;
    private readonly Lazy<TiktokenTokenizer> _ordinary;
    private readonly IReadOnlyDictionary<string, int> _specials;
    private readonly HashSet<int> _specialIds;

    private TiktokenTextTokenizer(string name, TiktokenTokenizer tokenizer, byte[] ranks)
    {
        _tokenizer = tokenizer;
        _specials = tokenizer.SpecialTokens ?? throw new DataPipeException($"{name}: the encoding has no special tokens");
        _specialIds = [.. _specials.Values];
        var regex = new Regex(name == O200kBase ? O200kPattern : Cl100kPattern, RegexOptions.Compiled);
        _ordinary = new Lazy<TiktokenTokenizer>(() => TiktokenTokenizer.Create(new MemoryStream(ranks, writable: false), new RegexPreTokenizer(regex, specialTokens: null), normalizer: null, _specials));
        Identity = new TokenizerIdentity
        {
            Kind = Kind,
            Name = name,
            VocabHash = HashVocabulary(ranks, _specials),
            VocabSize = Math.Max(MaxRank(ranks), _specials.Values.Max()) + 1,
            EotId = _specials[EndOfTextToken],
        };
    }

    /// <summary>The encodings this class knows.</summary>
    public static IReadOnlyList<string> Names { get; } = [Cl100kBase, O200kBase];

    public TokenizerIdentity Identity { get; }

    /// <summary>The encoding <paramref name="name"/> (<c>cl100k_base</c> or <c>o200k_base</c>), loaded once per process.</summary>
    public static TiktokenTextTokenizer Get(string name)
    {
        if (!Names.Contains(name, StringComparer.Ordinal))
            throw new DataPipeException($"unknown tiktoken encoding '{name}' (known: {string.Join(", ", Names)})");
        return Loaded.GetOrAdd(name, n => new Lazy<TiktokenTextTokenizer>(() => new TiktokenTextTokenizer(n, TiktokenTokenizer.CreateForEncoding(n), ReadRanks(n)))).Value;
    }

    public int[] Encode(string text)
    {
        if (text.Length == 0) return [];
        text = WellFormedText.Of(text);
        var tokenizer = MayHoldSpecialToken(text) ? _ordinary.Value : _tokenizer;
        var ids = tokenizer.EncodeToIds(text, considerPreTokenization: true, considerNormalization: false);
        var result = new int[ids.Count];
        for (int i = 0; i < result.Length; i++) result[i] = ids[i];
        return result;
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var ordinary = new List<int>(ids.Length);
        foreach (int id in ids)
            if (!_specialIds.Contains(id)) ordinary.Add(id);
        return _tokenizer.Decode(ordinary);
    }

    private bool MayHoldSpecialToken(string text)
    {
        if (!text.Contains("<|", StringComparison.Ordinal)) return false;
        foreach (var special in _specials.Keys)
            if (text.Contains(special, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The <c>NAME.tiktoken</c> rank file embedded (deflated) in the Microsoft.ML.Tokenizers data package.</summary>
    private static byte[] ReadRanks(string name)
    {
        string assemblyName = name == O200kBase ? "Microsoft.ML.Tokenizers.Data.O200kBase" : "Microsoft.ML.Tokenizers.Data.Cl100kBase";
        var assembly = Assembly.Load(new AssemblyName(assemblyName));
        string resource = assembly.GetManifestResourceNames().FirstOrDefault(r => r.EndsWith($"{name}.tiktoken.deflate", StringComparison.Ordinal))
            ?? throw new DataPipeException($"{assemblyName}: no embedded {name}.tiktoken.deflate");
        using var deflate = new DeflateStream(assembly.GetManifestResourceStream(resource)!, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        deflate.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Largest rank in a tiktoken rank file (lines "base64-token rank").</summary>
    private static int MaxRank(byte[] ranks)
    {
        int max = -1;
        foreach (var line in Encoding.ASCII.GetString(ranks).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int space = line.LastIndexOf(' ');
            if (space > 0 && int.TryParse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture, out int rank)) max = Math.Max(max, rank);
        }
        return max;
    }

    /// <summary>SHA-256 of the rank file followed by the special tokens in id order.</summary>
    private static string HashVocabulary(byte[] ranks, IReadOnlyDictionary<string, int> specials)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(ranks);
        foreach (var (token, id) in specials.OrderBy(p => p.Value))
            sha.AppendData(Encoding.UTF8.GetBytes($"\nspecial {id} {token}"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
