using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataPipe.Decontaminate;
using DataPipe.Decontaminate.Benchmarks;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Decontaminate;

/// <summary>The real benchmark sets and host pages the decontamination tests plant leaks with.</summary>
internal static class BenchmarkFiles
{
    public static string Folder => Repo.Shared("benchmarks");

    public static IReadOnlyList<BenchmarkSource> All() => BenchmarkSource.Expand([Folder]);

    private static readonly Lazy<(BenchmarkIndex Index, IReadOnlyList<BenchmarkSource> Sources)> Full = new(() =>
    {
        var sources = All();
        return (BenchmarkIndex.Build(sources, new NgramSettings()), sources);
    });

    /// <summary>The index of all 14 sets with GPT-3's settings, built once per test run.</summary>
    public static (BenchmarkIndex Index, IReadOnlyList<BenchmarkSource> Sources) FullIndex => Full.Value;

    /// <summary>Real web pages (CCNet and Dolma Common Crawl text) longer than 500 chars.</summary>
    public static List<string> HostPages()
    {
        var pages = new List<string>();
        foreach (string f in Directory.EnumerateFiles(Repo.Shared("text/ccnet"), "*.gz").Order(StringComparer.Ordinal))
        {
            using var r = new StreamReader(new GZipStream(File.OpenRead(f), CompressionMode.Decompress));
            while (r.ReadLine() is { } line)
            {
                using var doc = JsonDocument.Parse(line);
                string? text = doc.RootElement.TryGetProperty("text", out var t) ? t.GetString()
                    : doc.RootElement.TryGetProperty("raw_content", out var rc) ? rc.GetString() : null;
                if (text is { Length: > 500 }) pages.Add(text);
            }
        }
        return pages;
    }

    /// <summary>The passage between two paragraphs near the middle of a real page.</summary>
    public static string Embed(string host, string passage)
    {
        int mid = host.IndexOf('\n', host.Length / 2);
        if (mid < 0) mid = host.Length;
        return $"{host[..mid]}\n\n{passage}\n\n{host[mid..]}";
    }

    /// <summary>A gzipped file of text lines.</summary>
    public static string WriteGz(string path, IEnumerable<string> lines)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var w = new StreamWriter(gz, new UTF8Encoding(false));
        foreach (var l in lines) w.WriteLine(l);
        return path;
    }
}
