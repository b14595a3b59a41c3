using System.Text;

namespace DataPipe.Ingest.Http;

/// <summary>
/// The status line and header block of an HTTP/1.x response as a crawler recorded it (RFC 9112 §4-5), parsed in place
/// over the record's bytes.
/// </summary>
public readonly ref struct HttpResponseHead
{
    public HttpResponseHead(int statusCode, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> body)
    {
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
    }

    public int StatusCode { get; }

    /// <summary>The header fields, after the status line, without the blank line.</summary>
    public ReadOnlySpan<byte> Headers { get; }

    /// <summary>The message body as transmitted (possibly chunked and content-encoded).</summary>
    public ReadOnlySpan<byte> Body { get; }

    public string? ContentType => HeaderFields.GetString(Headers, "Content-Type"u8);

    /// <summary>
    /// Parses a response. Returns false when the bytes do not start with an HTTP/1.x status line or the header block
    /// does not end within <paramref name="maxHeaderBytes"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> message, int maxHeaderBytes, out HttpResponseHead head, out string? error)
    {
        head = default;
        error = null;
        if (!message.StartsWith("HTTP/"u8))
        {
            error = "does not start with an HTTP status line";
            return false;
        }
        int lineEnd = message.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            error = "status line does not end";
            return false;
        }
        var statusLine = message[..lineEnd].TrimEnd((byte)'\r');
        // HTTP/1.1 200 OK: the code is the second token.
        int sp = statusLine.IndexOf((byte)' ');
        if (sp < 0 || !TryParseStatus(statusLine[(sp + 1)..].TrimStart((byte)' '), out int status))
        {
            error = $"bad status line '{Encoding.Latin1.GetString(statusLine[..Math.Min(statusLine.Length, 80)])}'";
            return false;
        }
        var rest = message[(lineEnd + 1)..];
        int headerLen;
        int blankLen;
        if (rest.StartsWith("\r\n"u8)) { headerLen = 0; blankLen = 2; }
        else if (rest.StartsWith("\n"u8)) { headerLen = 0; blankLen = 1; }
        else
        {
            var window = rest[..Math.Min(rest.Length, maxHeaderBytes)];
            int crlf = window.IndexOf("\n\r\n"u8);
            int lflf = window.IndexOf("\n\n"u8);
            int hit = crlf < 0 ? lflf : lflf < 0 ? crlf : Math.Min(crlf, lflf);
            if (hit < 0)
            {
                if (rest.Length <= maxHeaderBytes)
                {
                    // Headers with no body at all (the record ends after the last field line).
                    head = new HttpResponseHead(status, rest, default);
                    return true;
                }
                error = $"header block longer than {maxHeaderBytes} bytes";
                return false;
            }
            headerLen = hit + 1;
            blankLen = rest[hit + 1] == (byte)'\r' ? 2 : 1;
        }
        head = new HttpResponseHead(status, rest[..headerLen], rest[(headerLen + blankLen)..]);
        return true;
    }

    private static bool TryParseStatus(ReadOnlySpan<byte> s, out int status)
    {
        status = 0;
        if (s.Length < 3) return false;
        for (int i = 0; i < 3; i++)
        {
            if (s[i] < '0' || s[i] > '9') return false;
            status = status * 10 + (s[i] - '0');
        }
        return s.Length == 3 || s[3] == ' ' || s[3] == '\r';
    }
}
