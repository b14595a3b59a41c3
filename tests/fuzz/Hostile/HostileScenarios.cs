using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DataPipe.Ingest;
using DataPipe.Ingest.Extraction;
using DataPipe.Ingest.Http;
using DataPipe.Ingest.Warc;

namespace DataPipe.Fuzz.Hostile;

/// <summary>What one hostile scenario did and what it cost, printed as one JSON line.</summary>
public sealed record ScenarioResult(
    string Scenario,
    string Input,
    string Outcome,
    long InflatedBytes,
    double Seconds,
    double PeakWorkingSetMiB,
    double AllocatedMiB);

/// <summary>
/// The full-size hostile inputs run through Ingest's parsers with the caps of a default
/// <see cref="IngestOptions"/> (the ingest stage's own): each scenario in its own process (see the hostile-memory
/// bench), so its peak working set (VmHWM) is its own. Nothing is stored: bombs and giant records are generated as
/// they are read.
/// </summary>
public static class HostileScenarios
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "baseline", "gzip-bomb-warc", "gzip-bomb-warc-lying-length", "gzip-bomb-http", "brotli-bomb-http",
        "html-500mb-warc-plain", "html-500mb-warc-gzip", "nested-1m-density", "nested-1m-smartreader",
    ];

    private static readonly IngestOptions Caps = new();

    private static WarcReaderOptions ReaderCaps => new() { MaxHeaderBytes = Caps.MaxHeaderBytes, MaxRecordBytes = Caps.MaxRecordBytes };

    public static ScenarioResult Run(string name)
    {
        var clock = Stopwatch.StartNew();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (input, outcome, inflated) = name switch
        {
            "baseline" => ("nothing (runtime and assemblies loaded)", Baseline(), 0L),
            "gzip-bomb-warc" => ReadWarc("per-record gzip WARC, middle member inflates to 10 GiB of zeros (honest Content-Length)",
                HostileInputs.GzipWarcWithGiantRecord(HostileInputs.ZeroUnit, HostileInputs.TenGiB)),
            "gzip-bomb-warc-lying-length" => ReadWarc("per-record gzip WARC, middle member inflates to 10 GiB of zeros behind a 100-byte Content-Length",
                HostileInputs.GzipWarcWithGiantRecord(HostileInputs.ZeroUnit, HostileInputs.TenGiB, honestLength: false)),
            "gzip-bomb-http" => DecodeBody("HTTP body, Content-Encoding: gzip, inflates to 10 GiB of zeros", "gzip", GzipBombBody()),
            "brotli-bomb-http" => DecodeBody("HTTP body, Content-Encoding: br, inflates to 10 GiB of zeros", "br", BrotliBombBody()),
            "html-500mb-warc-plain" => ReadWarc("plain WARC, middle record a 500 MB HTML page",
                HostileInputs.PlainWarcWithGiantRecord(HostileInputs.HtmlUnit, 500_000_000)),
            "html-500mb-warc-gzip" => ReadWarc("per-record gzip WARC, middle record a 500 MB HTML page",
                HostileInputs.GzipWarcWithGiantRecord(HostileInputs.HtmlUnit, 500_000_000)),
            "nested-1m-density" => Extract("1,000,000 nested div tags (11 MB page)", new DensityExtractor()),
            "nested-1m-smartreader" => Extract("1,000,000 nested div tags (11 MB page)", new SmartReaderExtractor()),
            _ => throw new ArgumentException($"unknown scenario '{name}' (scenarios: {string.Join(", ", Names)})", nameof(name)),
        };
        double allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0;
        return new ScenarioResult(name, input, outcome, inflated, Math.Round(clock.Elapsed.TotalSeconds, 2), Math.Round(PeakWorkingSetMiB(), 1), Math.Round(allocated, 1));
    }

    public static string ToJson(ScenarioResult r) => JsonSerializer.Serialize(r);

    public static ScenarioResult? FromJson(string line) => JsonSerializer.Deserialize<ScenarioResult>(line);

    private static string Baseline()
    {
        // Touch the parsers' types so their assemblies count in the baseline as in the other scenarios.
        _ = new HttpPayloadDecoder();
        _ = LiteHtmlParser.Parse("<p>x</p>");
        return "nothing read";
    }

    private static (string, string, long) ReadWarc(string input, Stream stream)
    {
        var skips = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var records = new List<string>();
        long inflated;
        using (stream)
        using (var reader = new WarcReader(stream, ReaderCaps, (reason, _, _) => skips[reason] = skips.GetValueOrDefault(reason) + 1))
        {
            while (reader.TryRead(out var record)) records.Add(record.TargetUri);
            inflated = reader.DecompressedBytesRead;
        }
        return (input, $"records read: {string.Join(" ", records)}; skipped: {Describe(skips)}", inflated);
    }

    private static (string, string, long) DecodeBody(string input, string coding, byte[] body)
    {
        var decoder = new HttpPayloadDecoder(Caps.MaxBodyBytes);
        var result = decoder.Decode(Encoding.ASCII.GetBytes($"Content-Type: text/html\r\nContent-Encoding: {coding}\r\n"), body, out var payload);
        string outcome = result.IsOk ? $"decoded {payload.Length} bytes" : $"skipped: {result.SkipReason} ({result.Detail}); compressed body {body.Length:N0} bytes";
        return (input, outcome, 0);
    }

    private static (string, string, long) Extract(string input, IMainTextExtractor extractor)
    {
        string html = HostileInputs.NestedTags(1_000_000);
        string text = extractor.Extract(html, "https://deep.example/");
        return (input, $"{extractor.Name}: {text.Length} characters of text{(text.Contains("bottom of a very deep page", StringComparison.Ordinal) ? " (the sentence found)" : "")}", 0);
    }

    private static byte[] GzipBombBody()
    {
        using var bomb = new RepeatingGzipMemberStream([], HostileInputs.ZeroUnit, HostileInputs.TenGiB / HostileInputs.ZeroUnit.Length, []);
        var body = new byte[bomb.Length];
        bomb.ReadExactly(body);
        return body;
    }

    private static byte[] BrotliBombBody()
    {
        var output = new MemoryStream();
        using (var br = new System.IO.Compression.BrotliStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            for (long i = 0; i < HostileInputs.TenGiB / HostileInputs.ZeroUnit.Length; i++) br.Write(HostileInputs.ZeroUnit);
        }
        return output.ToArray();
    }

    private static string Describe(SortedDictionary<string, int> skips) =>
        skips.Count == 0 ? "nothing" : string.Join(", ", skips.Select(s => $"{s.Key} x{s.Value}"));

    /// <summary>The process's peak resident set (VmHWM from /proc/self/status), in MiB; falls back to the runtime's figure.</summary>
    public static double PeakWorkingSetMiB()
    {
        const string Status = "/proc/self/status";
        if (File.Exists(Status))
        {
            foreach (var line in File.ReadLines(Status))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / 1048576.0;
    }
}
