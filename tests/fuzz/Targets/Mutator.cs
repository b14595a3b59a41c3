using System.Text;

namespace DataPipe.Fuzz.Targets;

/// <summary>
/// Deterministic havoc-style mutations (after AFL's: bit flips, interesting bytes, block deletion, duplication and
/// insertion, truncation, splicing two corpus entries, dictionary tokens), plus number rewriting for the size fields
/// that text formats carry (Content-Length, chunk sizes). The same seed gives the same inputs on every machine, so a
/// CI failure replays exactly.
/// </summary>
public sealed class Mutator(IReadOnlyList<string> dictionary, int seed)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'<', (byte)'>', (byte)'\r', (byte)'\n', (byte)'0', (byte)'"', (byte)'&', 0xC3, 0xE2, 0xEF];

    private static readonly string[] InterestingNumbers =
        ["0", "-1", "1", "65535", "2147483647", "2147483648", "4294967296", "9223372036854775807", "99999999999999999999", "ffffffff", "7fffffffffffffff"];

    private readonly Random _random = new(seed);
    private readonly byte[][] _tokens = [.. dictionary.Select(Encoding.Latin1.GetBytes)];

    /// <summary>One to four stacked mutations of <paramref name="input"/>; <paramref name="corpus"/> supplies splice partners.</summary>
    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(input);
        int rounds = 1 + _random.Next(4);
        for (int r = 0; r < rounds; r++) MutateOnce(data, corpus);
        return [.. data];
    }

    private void MutateOnce(List<byte> d, IReadOnlyList<byte[]> corpus)
    {
        switch (_random.Next(11))
        {
            case 0 when d.Count > 0:
                {
                    int i = _random.Next(d.Count);
                    d[i] ^= (byte)(1 << _random.Next(8));
                    break;
                }
            case 1 when d.Count > 0:
                d[_random.Next(d.Count)] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                break;
            case 2 when d.Count > 1:
                {
                    int start = _random.Next(d.Count);
                    int len = 1 + _random.Next(Math.Max(1, (d.Count - start) / 4));
                    d.RemoveRange(start, Math.Min(len, d.Count - start));
                    break;
                }
            case 3 when d.Count > 0:
                {
                    int start = _random.Next(d.Count);
                    int len = 1 + _random.Next(Math.Min(d.Count - start, 512));
                    var block = d.GetRange(start, len);
                    d.InsertRange(_random.Next(d.Count + 1), block);
                    break;
                }
            case 4:
                {
                    var block = new byte[1 + _random.Next(16)];
                    _random.NextBytes(block);
                    d.InsertRange(_random.Next(d.Count + 1), block);
                    break;
                }
            case 5 when d.Count > 1:
                TruncateAtRandom(d);
                break;
            case 6 when corpus.Count > 0 && d.Count > 1:
                {
                    var other = corpus[_random.Next(corpus.Count)];
                    if (other.Length < 2) break;
                    int keep = _random.Next(d.Count);
                    int from = _random.Next(other.Length);
                    d.RemoveRange(keep, d.Count - keep);
                    d.AddRange(other.AsSpan(from).ToArray());
                    break;
                }
            case 7:
                RewriteNumber(d);
                break;
            case 8 when _tokens.Length > 0:
                d.InsertRange(_random.Next(d.Count + 1), _tokens[_random.Next(_tokens.Length)]);
                break;
            case 9 when d.Count > 0:
                {
                    int start = _random.Next(d.Count);
                    int len = 1 + _random.Next(Math.Min(d.Count - start, 64));
                    byte b = InterestingBytes[_random.Next(InterestingBytes.Length)];
                    for (int i = 0; i < len; i++) d[start + i] = b;
                    break;
                }
            default:
                {
                    // Overwrite a 2-, 4- or 8-byte field with an extreme little-endian integer (binary formats).
                    if (d.Count < 8) goto case 4;
                    int width = 2 << _random.Next(3);
                    int at = _random.Next(d.Count - width + 1);
                    ulong value = _random.Next(4) switch { 0 => 0, 1 => ulong.MaxValue, 2 => (ulong)int.MaxValue, _ => 1UL << (8 * width - 1) };
                    for (int i = 0; i < width; i++) d[at + i] = (byte)(value >> (8 * i));
                    break;
                }
        }
    }

    private void TruncateAtRandom(List<byte> d)
    {
        int keep = _random.Next(d.Count);
        d.RemoveRange(keep, d.Count - keep);
    }

    private void RewriteNumber(List<byte> d)
    {
        // Find the runs of ASCII digits and replace one of them with an extreme value.
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < d.Count;)
        {
            if (!char.IsAsciiDigit((char)d[i])) { i++; continue; }
            int s = i;
            while (i < d.Count && char.IsAsciiHexDigit((char)d[i])) i++;
            runs.Add((s, i - s));
        }
        if (runs.Count == 0) return;
        var (start, length) = runs[_random.Next(runs.Count)];
        d.RemoveRange(start, length);
        d.InsertRange(start, Encoding.ASCII.GetBytes(InterestingNumbers[_random.Next(InterestingNumbers.Length)]));
    }
}
