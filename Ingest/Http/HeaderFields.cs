using System.Text;

namespace DataPipe.Ingest.Http;

/// <summary>
/// Looks up <c>Name: value</c> fields in a raw header block (WARC named fields and HTTP headers share this grammar,
/// RFC 9110 §5 and ISO 28500 §5). Works on the bytes as they are: names match ASCII case-insensitively, values are
/// trimmed, lines may end in CRLF or a bare LF. Nothing is allocated unless a value is turned into a string.
/// </summary>
public static class HeaderFields
{
    /// <summary>The value of the first field named <paramref name="name"/>; false when there is none.</summary>
    public static bool TryGet(ReadOnlySpan<byte> block, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        while (!block.IsEmpty)
        {
            int nl = block.IndexOf((byte)'\n');
            var line = nl < 0 ? block : block[..nl];
            block = nl < 0 ? default : block[(nl + 1)..];
            if (line.Length > name.Length && Ascii.EqualsIgnoreCase(line[..name.Length], name))
            {
                var rest = line[name.Length..];
                int colon = 0;
                while (colon < rest.Length && (rest[colon] == ' ' || rest[colon] == '\t')) colon++;
                if (colon < rest.Length && rest[colon] == ':')
                {
                    value = rest[(colon + 1)..].Trim(" \t\r"u8);
                    return true;
                }
            }
        }
        value = default;
        return false;
    }

    /// <summary>The value as a string (Latin-1, so any byte maps to one char), or null when the field is absent.</summary>
    public static string? GetString(ReadOnlySpan<byte> block, ReadOnlySpan<byte> name)
        => TryGet(block, name, out var v) ? Encoding.Latin1.GetString(v) : null;

    /// <summary>A non-negative decimal value; false when absent, empty, negative, not a number or over <see cref="long.MaxValue"/>.</summary>
    public static bool TryGetInt64(ReadOnlySpan<byte> block, ReadOnlySpan<byte> name, out long value)
    {
        value = 0;
        if (!TryGet(block, name, out var v) || v.IsEmpty) return false;
        foreach (byte b in v)
        {
            if (b < '0' || b > '9') return false;
            if (value > (long.MaxValue - 9) / 10) return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    /// <summary>Whether a comma-separated field value (Transfer-Encoding, Content-Encoding) contains <paramref name="token"/>.</summary>
    public static bool ListContains(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token)) return true;
        }
        return false;
    }
}
