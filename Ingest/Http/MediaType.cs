namespace DataPipe.Ingest.Http;

/// <summary>The parts of a Content-Type value Ingest needs: is it HTML, and which charset does it declare.</summary>
public static class MediaType
{
    /// <summary>The media type in lower case without parameters ("text/html"), or "" for null.</summary>
    public static string Essence(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return "";
        int semi = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }

    /// <summary>text/html or application/xhtml+xml.</summary>
    public static bool IsHtml(string? contentType)
    {
        string e = Essence(contentType);
        return e is "text/html" or "application/xhtml+xml";
    }

    /// <summary>The <c>charset</c> parameter, unquoted, or null.</summary>
    public static string? Charset(string? contentType)
    {
        if (contentType is null) return null;
        int at = contentType.IndexOf("charset", StringComparison.OrdinalIgnoreCase);
        while (at >= 0)
        {
            int i = at + 7;
            while (i < contentType.Length && contentType[i] == ' ') i++;
            if (i < contentType.Length && contentType[i] == '=')
            {
                i++;
                while (i < contentType.Length && contentType[i] == ' ') i++;
                int end = i;
                while (end < contentType.Length && contentType[end] is not (';' or ' ' or ',')) end++;
                string value = contentType[i..end].Trim('"', '\'');
                return value.Length > 0 ? value : null;
            }
            at = contentType.IndexOf("charset", at + 7, StringComparison.OrdinalIgnoreCase);
        }
        return null;
    }

    /// <summary>
    /// Whether a body without a Content-Type looks like HTML: after whitespace (and a UTF-8 BOM), it starts with a
    /// doctype, &lt;html, &lt;head, &lt;body or an HTML comment (the WHATWG MIME sniffing patterns, abridged).
    /// </summary>
    public static bool SniffHtml(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) body = body[3..];
        body = body.TrimStart(" \t\r\n\f"u8);
        body = body[..Math.Min(body.Length, 32)];
        ReadOnlySpan<string> patterns = ["<!doctype html", "<html", "<head", "<body", "<!--", "<title"];
        foreach (var p in patterns)
        {
            if (body.Length >= p.Length && System.Text.Ascii.EqualsIgnoreCase(body[..p.Length], p)) return true;
        }
        return false;
    }
}
