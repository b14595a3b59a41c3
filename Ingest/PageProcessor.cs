using System.Text;
using DataPipe.Core.Documents;
using DataPipe.Core.Text;
using DataPipe.Ingest.Charset;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Language;
using DataPipe.Ingest.Warc;

namespace DataPipe.Ingest;

/// <summary>What became of one WARC record: a document, a skip with its reason, or nothing (a record that is not a page).</summary>
public readonly record struct PageResult(Document? Document, string? SkipReason, string? Detail)
{
    public static readonly PageResult NotAPage = new(null, null, null);

    public static PageResult Skip(string reason, string? detail = null) => new(null, reason, detail);
}

/// <summary>
/// Turns one WARC record into a document row: for a <c>response</c> record, parse the HTTP response, keep it only if
/// it is a 200 HTML page, undo its transfer and content codings, decode its charset, extract the main text and
/// identify the language; a <c>resource</c> record holding HTML goes the same way without HTTP; a WET
/// <c>conversion</c> record already holds the text. Requests, metadata, revisits and warcinfo are not pages.
/// One instance per task (its buffers are reused); not thread-safe.
/// </summary>
public sealed class PageProcessor
{
    private readonly IngestOptions _options;
    private readonly IMainTextExtractor _extractor;
    private readonly LanguageIdentifier _language;
    private readonly HttpPayloadDecoder _decoder;

    public PageProcessor(IngestOptions options, IMainTextExtractor? extractor = null, LanguageIdentifier? language = null)
    {
        _options = options;
        _extractor = extractor ?? ExtractorCatalog.Create(options.Extractor);
        _language = language ?? LanguageIdentifier.For(options.Languages);
        _decoder = new HttpPayloadDecoder(options.MaxBodyBytes);
    }

    /// <summary>True when the last page's body was cut short and its decodable prefix was used.</summary>
    public bool LastWasTruncated => _decoder.LastWasTruncated;

    /// <summary>
    /// Why the last page's main text came out as it did, when the extractor says (<see cref="IExplainsOutcome"/>); null
    /// otherwise. Ingest counts the fallbacks and, for pages skipped as empty, the reason (<see cref="EmptyTextCounter"/>).
    /// </summary>
    public ExtractionOutcome? LastExtractionOutcome { get; private set; }

    /// <summary>
    /// The stats counter of a page skipped for empty text: <c>pages.empty_text.REASON</c>, REASON one of no_visible_text,
    /// no_prose, binary (the extractor's <see cref="ExtractionOutcome"/>), too_short (text below the minimum length) or
    /// unexplained (an extractor that does not say why).
    /// </summary>
    public string EmptyTextCounter(string text) => "pages.empty_text." + (text.Trim().Length > 0 ? "too_short" : LastExtractionOutcome switch
    {
        ExtractionOutcome.NoVisibleText => "no_visible_text",
        ExtractionOutcome.NoProse => "no_prose",
        ExtractionOutcome.Binary => "binary",
        null => "unexplained",
        _ => "too_short",
    });

    /// <summary>Counter naming why the last page skipped as empty was empty (see <see cref="EmptyTextCounter"/>); null after a page that was not.</summary>
    public string? LastEmptyTextCounter { get; private set; }

    /// <summary>How the last page's charset was chosen.</summary>
    public CharsetSource LastCharsetSource { get; private set; }

    /// <summary>Characters of decoded HTML the reused buffer keeps between pages; a larger page's buffer is dropped after it.</summary>
    private const int MaxRetainedHtmlChars = 4 << 20;

    /// <summary>The decoded HTML of the current page; reused, so that a page costs no string of its whole HTML.</summary>
    private char[] _html = new char[64 * 1024];

    public PageResult Process(in WarcRecord record, string source)
    {
        LastExtractionOutcome = null;
        ReadOnlySpan<char> html;
        switch (record.Type)
        {
            case "response":
            {
                if (!HttpResponseHead.TryParse(record.Block.Span, _options.MaxHeaderBytes, out var head, out string? error))
                    return PageResult.Skip(SkipReasons.HttpBadResponse, error);
                if (head.StatusCode != 200) return PageResult.Skip(SkipReasons.Non200, $"HTTP {head.StatusCode}");
                string? contentType = head.ContentType;
                if (contentType is null ? !MediaType.SniffHtml(head.Body) : !MediaType.IsHtml(contentType))
                    return PageResult.Skip(SkipReasons.NonHtml, contentType ?? "no Content-Type");
                var decoded = _decoder.Decode(head.Headers, head.Body, out var payload);
                if (!decoded.IsOk) return PageResult.Skip(decoded.SkipReason!, decoded.Detail);
                html = DecodeHtml(payload, MediaType.Charset(contentType));
                break;
            }
            case "resource":
            {
                string? contentType = record.ContentType;
                if (!MediaType.IsHtml(contentType)) return PageResult.Skip(SkipReasons.NonHtml, contentType ?? "no Content-Type");
                if (record.Block.Length > _options.MaxBodyBytes) return PageResult.Skip(SkipReasons.HttpBodyTooLarge, $"{record.Block.Length} bytes");
                html = DecodeHtml(record.Block.Span, MediaType.Charset(contentType));
                break;
            }
            case "conversion":
            {
                // WET: the block is the page's text, UTF-8, one paragraph per line.
                string text = Encoding.UTF8.GetString(record.Block.Span).Trim();
                LastCharsetSource = CharsetSource.Header;
                return MakeDocument(record, source, text);
            }
            default:
                return PageResult.NotAPage;
        }

        string extracted;
        try
        {
            extracted = _extractor.Extract(html, record.TargetUri);
            LastExtractionOutcome = (_extractor as IExplainsOutcome)?.LastOutcome;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return PageResult.Skip(SkipReasons.ExtractorFailed, $"{_extractor.Name}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            if (_html.Length > MaxRetainedHtmlChars) _html = new char[64 * 1024];
        }
        return MakeDocument(record, source, extracted);
    }

    private ReadOnlySpan<char> DecodeHtml(ReadOnlySpan<byte> payload, string? headerCharset)
    {
        int n = HtmlCharset.DecodeInto(payload, headerCharset, ref _html, out var how);
        LastCharsetSource = how;
        return _html.AsSpan(0, n);
    }

    private PageResult MakeDocument(in WarcRecord record, string source, string text)
    {
        if (text.Length < Math.Max(1, _options.MinTextChars) || string.IsNullOrWhiteSpace(text))
        {
            LastEmptyTextCounter = EmptyTextCounter(text);
            return PageResult.Skip(SkipReasons.EmptyText, $"{text.Length} characters of main text ({LastEmptyTextCounter})");
        }
        LastEmptyTextCounter = null;
        string url = record.TargetUri;
        var (lang, score) = _language.Identify(text);
        return new PageResult(new Document
        {
            Id = record.RecordId,
            Url = url,
            Host = HostOf(url),
            FetchTime = record.Date,
            Lang = lang,
            LangScore = score,
            Text = text,
            Source = source,
            SourceOffset = record.FileOffset,
            ContentHash = ContentHash.Of(text),
        }, null, null);
    }

    /// <summary>The lower-cased host of a URL, or "" when it has none.</summary>
    public static string HostOf(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var u) && !string.IsNullOrEmpty(u.Host) ? u.Host.ToLowerInvariant() : "";
}
