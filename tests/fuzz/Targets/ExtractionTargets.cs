using System.Text;
using DataPipe.Ingest.Charset;
using DataPipe.Ingest.Extraction;

namespace DataPipe.Fuzz.Targets;

/// <summary>
/// The charset decoder and the SmartReader extractor (Ingest). <see cref="HtmlCharset"/> documents that decoding never
/// throws; <see cref="SmartReaderExtractor"/> returns empty text for a page it cannot handle. So any exception escaping
/// either is a finding (a stack overflow takes the process down: AFL++ records it as a crash).
/// </summary>
public static class ExtractionTargets
{
    /// <summary>
    /// Input: the Content-Type charset parameter on the first line (empty line: none), then the payload bytes.
    /// </summary>
    public static FuzzTarget Charset { get; } = new()
    {
        Name = "charset",
        Parser = "DataPipe.Ingest.Charset.HtmlCharset.Decode",
        Parse = data =>
        {
            int nl = Array.IndexOf(data, (byte)'\n');
            string? header = nl <= 0 ? null : Encoding.Latin1.GetString(data, 0, nl);
            var payload = nl < 0 ? data.AsSpan() : data.AsSpan(nl + 1);
            _ = HtmlCharset.Decode(payload, header, out _, out _);
        },
        IsDocumentedError = _ => false,
        Seeds = CharsetSeeds,
        Instrument = ["DataPipe.Ingest"],
        Dictionary = ["<meta charset=\"", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=", "utf-8", "windows-1252", "shift_jis",
            "iso-2022-jp", "utf-16le", "x-user-defined", "replacement", "gb18030", "\xEF\xBB\xBF", "\xFF\xFE", "\xFE\xFF", "\">", "<!--", "-->"],
    };

    public static FuzzTarget HtmlSmartReader { get; } = new()
    {
        Name = "html-smartreader",
        Parser = "DataPipe.Ingest.Extraction.SmartReaderExtractor.Extract (SmartReader, AngleSharp)",
        Parse = data => new SmartReaderExtractor().Extract(Encoding.UTF8.GetString(data), "https://example.org/a/b.html"),
        IsDocumentedError = _ => false,
        Seeds = () => [.. IngestTargets.HtmlDensity.Seeds().Select(s => s with { Data = s.Data[..Math.Min(s.Data.Length, 8 * 1024)] })],
        Instrument = ["DataPipe.Ingest", "SmartReader"],
        Dictionary = IngestTargets.HtmlTokens,
        // SmartReader is the slow reference extractor (tens of pages a second): give each input more time.
        TimeBudget = TimeSpan.FromSeconds(20),
        SmokeMutations = 40,
    };

    private static IReadOnlyList<FuzzSeed> CharsetSeeds()
    {
        const string Page = "<html><head>{0}<title>Café — naïve</title></head><body><p>Größe, œuvre, “quotes”, 日本語</p></body></html>";
        var seeds = new List<FuzzSeed>();
        void Add(string name, string? header, string meta, Encoding encoding, byte[]? bom = null)
        {
            var body = encoding.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, Page, meta));
            seeds.Add(new FuzzSeed(name, [.. Encoding.Latin1.GetBytes((header ?? "") + "\n"), .. bom ?? [], .. body]));
        }
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var latin = Encoding.GetEncoding(1252, EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback);
        Add("utf8-plain", null, "", new UTF8Encoding(false));
        Add("utf8-bom", null, "", new UTF8Encoding(false), [0xEF, 0xBB, 0xBF]);
        Add("utf16le-bom", null, "", Encoding.Unicode, [0xFF, 0xFE]);
        Add("header-1252", "windows-1252", "", latin);
        Add("meta-charset-1252", null, "<meta charset=\"windows-1252\">", latin);
        Add("meta-http-equiv-sjis", null, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_jis\">", Encoding.GetEncoding("shift_jis"));
        Add("header-unknown-label", "x-no-such-charset", "<meta charset='koi8-r'>", Encoding.GetEncoding("koi8-r"));
        return seeds;
    }
}
