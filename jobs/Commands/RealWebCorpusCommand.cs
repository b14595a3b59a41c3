using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DataPipe.Ingest.RealWeb;
using DataPipe.Jobs.Cli;

namespace DataPipe.Jobs.Commands;

/// <summary>
/// <c>datapipe realweb-corpus --out DIR [--files N] [--shared DIR] [--eval-percent P] [--positive-percent P]</c>:
/// every real page under ../shared/data as Common Crawl-style WARC files, with sites held out for evaluation and for
/// the classifier's web positives (<see cref="RealWebCorpus"/>). Byte-identical on rerun.
/// </summary>
public static class RealWebCorpusCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder (replaced): crawl/*.warc.gz, heldout/, manifest.json", Required = true };
        var files = new Option<int>("--files") { Description = "Crawl WARC files to spread the training pages over", DefaultValueFactory = _ => 8 };
        var shared = new Option<string?>("--shared") { Description = "The shared data folder (default: $DATAPIPE_SHARED_DATA, else ../shared/data beside the checkout)" };
        var evalPercent = new Option<int>("--eval-percent") { Description = "Percent of sites held out for evaluation", DefaultValueFactory = _ => 15 };
        var positivePercent = new Option<int>("--positive-percent") { Description = "Percent of sites whose reference texts are classifier positives", DefaultValueFactory = _ => 25 };
        var command = new Command("realweb-corpus", "Wrap every real page under ../shared/data into Common Crawl-style WARC files, with held-out sites")
        {
            output, files, shared, evalPercent, positivePercent,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            var options = new RealWebOptions
            {
                SharedData = parse.GetValue(shared) ?? DefaultSharedData(),
                Files = parse.GetValue(files),
                EvalPercent = parse.GetValue(evalPercent),
                PositivePercent = parse.GetValue(positivePercent),
            };
            string outDir = parse.GetValue(output)!;
            var s = RealWebCorpus.Write(outDir, options);
            foreach (var line in TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
                $"realweb-corpus: {s.Pages:N0} pages of {s.Sites:N0} sites from {options.SharedData} in {clock.Elapsed.TotalSeconds:F1} s"))) Console.WriteLine(line);
            foreach (var line in TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
                $"crawl: {s.CrawlPages:N0} pages in {s.CrawlFiles.Count} files ({Path.Combine(outDir, RealWebCorpus.CrawlFolder)})"), indent: "  ")) Console.WriteLine(line);
            foreach (var line in TextWrap.Wrap(string.Create(CultureInfo.InvariantCulture,
                $"held out for evaluation: {s.EvalPages:N0} pages, {s.EvalReferences:N0} reference texts; positive sites: {s.PositivePages:N0} pages, {s.PositiveReferences:N0} reference texts"), indent: "  ")) Console.WriteLine(line);
            foreach (var line in TextWrap.Wrap($"manifest: {Path.Combine(outDir, RealWebCorpus.ManifestFile)}", indent: "  ")) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    /// <summary>$DATAPIPE_SHARED_DATA, else ../shared/data beside the checkout holding this binary, else beside the current folder.</summary>
    public static string DefaultSharedData()
    {
        if (Environment.GetEnvironmentVariable("DATAPIPE_SHARED_DATA") is { Length: > 0 } env) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DataPipe.sln"))) return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "data"));
        return Path.GetFullPath(Path.Combine("..", "shared", "data"));
    }
}
