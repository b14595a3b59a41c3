namespace DataPipe.Ingest;

/// <summary>
/// Why Ingest skipped something, as counted in the stage's stats (<c>_SUCCESS.json</c> counters) and logged with file
/// and offset in the task log. One name per cause, so a reader of the stats can tell bad input from policy.
/// </summary>
public static class SkipReasons
{
    // The compressed layer.
    public const string GzipCorruptMember = "skipped.gzip_corrupt_member";
    public const string GzipTruncatedMember = "skipped.gzip_truncated_member";
    public const string GzipGarbage = "skipped.gzip_garbage";

    // WARC records.
    public const string WarcGarbage = "skipped.warc_garbage";
    public const string WarcTruncatedRecord = "skipped.warc_truncated_record";
    public const string WarcRecordTooLarge = "skipped.warc_record_too_large";
    public const string WarcHeaderTooLarge = "skipped.warc_header_too_large";
    public const string WarcBadHeader = "skipped.warc_bad_header";

    // HTTP responses.
    public const string HttpBadResponse = "skipped.http_bad_response";
    public const string Non200 = "skipped.non_200";
    public const string NonHtml = "skipped.non_html";
    public const string HttpBadChunking = "skipped.http_bad_chunking";
    public const string HttpBadContentEncoding = "skipped.http_bad_content_encoding";
    public const string HttpUnsupportedContentEncoding = "skipped.http_unsupported_content_encoding";
    public const string HttpBodyTooLarge = "skipped.http_body_too_large";

    // Pages and inputs.
    public const string EmptyText = "skipped.empty_text";
    public const string ExtractorFailed = "skipped.extractor_failed";
    public const string InputNotFound = "skipped.input_not_found";
    public const string InputUnreadable = "skipped.input_unreadable";
}
