namespace DataPipe.Bench;

/// <summary>
/// <c>dotnet run --project bench -c Release -- NAME [options]</c> runs one benchmark; with no name, lists them.
/// Each benchmark prints its numbers (and ratios to a peer tool measured in the same run, where there is one).
/// </summary>
public static class BenchCatalog
{
    private static readonly Dictionary<string, (string Description, Func<string[], Task<int>> Run)> Benchmarks = new(StringComparer.Ordinal)
    {
        // ingest:
        ["ingest"] = ("WARC parse MB/s and full ingest docs/s per core on a ~N MB corpus, vs warcio.js (--mb 300 --extractor density)", Ingest.IngestBench.RunAsync),
        ["langid"] = ("language identification texts/s on real Common Crawl text (--texts 2000)", Ingest.LangIdBench.RunAsync),
        // extract:
        ["extract-speed"] = ("HTML main-text extraction: pages/s and MB/s per core, density vs SmartReader vs HtmlAgilityPack/AngleSharp parse-only", ExtractSpeedBench.RunAsync),
        ["extract-quality"] = ("HTML main-text extraction on every extraction set (cleaneval, dragnet, trafilatura, html-extraction): P/R/F1, empty pages, pages/s per core, worst pages; learned extractors scored leave-one-set-out (--max-pages N)", ExtractQualityBench.RunAsync),
        ["extract-f1"] = ("HTML main-text extraction: mean token P/R/F1 on ../shared/data/html-extraction, per extractor, worst pages", ExtractF1Bench.RunAsync),
        // filter:
        ["filter-classifier"] = ("Quality classifier held-out AUC and training seconds vs fastText and scikit-learn (GPT-3 recipe) on the same splits", Filter.FilterClassifierBench.RunAsync),
        ["filter-score-speed"] = ("Classifier scoring docs per CPU-second on 3 KB documents (target 20,000/core), and the heuristic rules' speed", Filter.FilterScoreSpeedBench.RunAsync),
        // dedup:
        ["dedup-quality"] = ("Dedup recall/precision vs generated ground truth per Jaccard bin, beside the LSH S-curve, per verification mode", Dedup.DedupQualityBench.RunAsync),
        ["dedup-scale"] = ("Whole dedup of N generated 3 KB documents (--docs 100000,1000000): wall, docs/s, peak working set, growth", Dedup.DedupScaleBench.RunAsync),
        ["dedup-signatures"] = ("Signature path docs/s per core (normalize, shingle, MinHash vector vs scalar) on 3 KB documents", Dedup.DedupSignatureBench.RunAsync),
        // decontaminate:
        ["decontaminate"] = ("Benchmark 13-gram index build/memory, planted-leak recall (whole, reformatted, one word changed), matches on clean Gutenberg/WikiText-2/sample text, MB per CPU-second vs string n-grams", Decontaminate.DecontaminateBench.RunAsync),
        // tokenize:
        ["tokenize-vs-tiktoken"] = ("cl100k/o200k ids vs OpenAI tiktoken (npm) on every real document, tokens/s per core and ratio, round trip, our BPE's speed", Tokenize.TokenizeVsTiktokenBench.RunAsync),
        ["bpe-train"] = ("byte-level BPE training time on --mb N MB of real text (counting and merging phases), --vocab V", Tokenize.BpeTrainBench.RunAsync),
        // train:
        ["train-learning"] = ("GPT on Tiny Shakespeare bytes: validation loss vs unigram entropy, tokens/s", Train.TrainLearningBench.RunAsync),
        ["train-vs-pytorch"] = ("Same GPT, weights and batches in PyTorch (python3-torch): loss agreement over 50 steps, tokens/s ratio", Train.TrainVsPyTorchBench.RunAsync),
        // jobs:
        ["pipeline-scaling"] = ("The main job (jobs/pipelines/sample.yaml) from scratch: end to end and per step, local 1 vs 2 workers, loopback Slurm with 2 array tasks vs local 2 workers", Jobs.PipelineScalingBench.RunAsync),
        ["slurm-nodes"] = ("The main job on a namespace Slurm cluster of 1 and of 3 one-CPU nodes (--nodes 1 3 --tasks N --until STEP): end to end, per step, tasks per node", Jobs.SlurmNodesBench.RunAsync),
        // scaling:
        // fuzz:
        ["hostile-memory"] = ("Full-size bombs and giant records (10 GiB gzip/br, 500 MB HTML in WARC, 1M nested tags), one process each: outcome, seconds, peak working set", Fuzz.HostileMemoryBench.RunAsync),
        // other:
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var bench))
        {
            Console.WriteLine("benchmarks:");
            foreach (var (name, (description, _)) in Benchmarks.OrderBy(b => b.Key, StringComparer.Ordinal))
                Console.WriteLine($"  {name,-24} {description}");
            return args.Length == 0 ? 0 : 2;
        }
        return await bench.Run(args[1..]).ConfigureAwait(false);
    }
}
