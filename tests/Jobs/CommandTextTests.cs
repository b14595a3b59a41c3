using System.Text.RegularExpressions;
using DataPipe.Core.Stages;
using DataPipe.Decontaminate;
using DataPipe.Dedup;
using DataPipe.Filter.Classifier;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Commands;
using DataPipe.Jobs.Inspect;
using DataPipe.Tokenize.Shards;
using DataPipe.Train;
using DataPipe.Train.Ablation;
using DataPipe.Train.Compression;
using DataPipe.Train.Scaling;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// What each command prints when it ends (train, filter train-classifier, dedup, tokenize, tokenize verify, inspect,
/// scaling, ablate, compression, realweb-classifier) fits an 80-column terminal and reads line by line in a log file:
/// every line at most 80 characters, each key value as text on a row of its own, and one case of each laid out exactly.
/// The records are shaped like the ones the commands read (a GPT-2 small run on a Common Crawl segment, the sample
/// pipeline's outputs), under a cluster path long enough that a path on its own line is wider than 80 columns.
/// </summary>
public class CommandTextTests
{
    /// <summary>A run folder on a cluster's scratch file system: 104 characters, so no line can hold it whole.</summary>
    private const string DeepRoot = "/lustre/scratch/datapipe-projects/common-crawl/CC-MAIN-2024-10/segment-1707947473347.11/runs/gpt2-small";

    private const string Root = "/srv/datapipe/out";

    private static void FitsEightyColumns(IReadOnlyList<string> lines) =>
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));

    private static string Folded(IReadOnlyList<string> lines) => Regex.Replace(string.Join(" ", lines), @"\s+", " ");

    private static TrainResult GptSmall(string runDir) => new()
    {
        Steps = 600_000,
        ResumedFrom = 412_000,
        Tokens = 314_572_800_000,
        Parameters = 124_439_808,
        Device = "CUDA",
        Seconds = 1_036_013.9,
        TokensPerSecond = 303_639,
        FinalLoss = 2.8652,
        FinalValLoss = 2.9039,
        FinalBitsPerByte = 0.8848,
        UnigramBaselineLoss = 7.6131,
        Checkpoint = $"{runDir}/checkpoints/step-00600000.ckpt",
    };

    private static ClassifierReport Classifier() => new()
    {
        HoldoutAuc = 0.9987,
        TrainAuc = 0.9995,
        Threshold = 0.5f,
        Precision = 0.992,
        Recall = 1.0,
        TrainPositives = 1_204_497,
        TrainNegatives = 38_700_030,
        HoldoutPositives = 13_383,
        HoldoutNegatives = 430_001,
        Device = "cpu",
        Epochs = 3,
        TrainSeconds = 9_243.07,
    };

    private static DedupStats Dedup() => new()
    {
        DocumentsIn = 9_876_543,
        DocumentsOut = 7_764_523,
        ExactDuplicates = 1_044_116,
        NearDuplicates = 1_067_904,
        Clusters = 412_553,
        CandidatePairsChecked = 1_264_197_504,
        PairsRejectedByVerification = 3_118_020,
        Banding = new(14, 8),
        Threshold = 0.8,
        Verify = DedupVerification.Shingles,
        LargestClusters =
        [
            new(88_120_455, 18_431, 88_120_455,
            [
                "https://www.example-news-network.com/2024/02/17/markets/live-updates-stocks-fall-as-yields-climb-after-inflation-report.html?utm_source=rss&utm_medium=feed",
                "http://m.example-news-network.com/amp/markets/live-updates.html",
            ]),
            new(10_002, 211, 10_002, ["https://forum.example.org/t/cookie-policy/12"]),
        ],
    };

    private static TokenManifest Manifest() => new()
    {
        Tokenizer = new() { Kind = "tiktoken", Name = "cl100k_base", VocabHash = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", VocabSize = 100_277, EotId = 100_257 },
        Shards = [.. Enumerable.Range(0, 6_292).Select(i => new ShardEntry { File = $"train/shard-{i:D5}.parquet", Split = "train" }),
            .. Enumerable.Range(0, 32).Select(i => new ShardEntry { File = $"validation/shard-{i:D5}.parquet", Split = "validation" })],
        Train = new() { Rows = 7_725_624, Tokens = 313_000_000_000 },
        Validation = new() { Rows = 38_822, Tokens = 1_572_800_000 },
    };

    private static DatasetReport FilterOutput() => new()
    {
        Dir = $"{DeepRoot}/filter/documents",
        Success = new SuccessRecord
        {
            Stage = "filter",
            ConfigHash = "6f1d0c2a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d",
            TaskCount = 9_000,
            RowsIn = 1_877_020_334,
            RowsOut = 9_876_543,
            Counters = new SortedDictionary<string, long>(StringComparer.Ordinal)
            {
                ["dropped.c4_lines.too_few_sentences"] = 112_442_019,
                ["dropped.classifier.pareto"] = 1_507_998_034,
                ["dropped.gopher_repetition.top_4gram_char_fraction"] = 4_402_918,
                ["kept"] = 9_876_543,
            },
        },
        Files = [.. Enumerable.Range(0, 9_000).Select(i => $"part-{i:D5}.parquet")],
        Rows = 9_876_543,
        Bytes = 41_220_337_912,
        Schema = [("id", "string"), ("url", "string"), ("text", "string"), ("quality_score", "float")],
        Sample =
        [
            [
                ("id", "<urn:uuid:0b8e6a4c-2f1d-4c8e-9a51-7d0e3b2c1f44>"),
                ("url", "https://www.example-fiction-archive.org/stories/2019/03/the-lighthouse-keeper-chapter-12.html"),
                ("text", "The lighthouse keeper climbed the hundred and twelve steps every evening at dusk, and every evening he counted them..."),
                ("quality_score", "0.973214"),
            ],
        ],
        OtherFiles = [("_stage.json", 412), ("rejected/_SUCCESS.json", 2_048)],
    };

    private static ScalingReport Scaling() => new()
    {
        Points =
        [
            new() { Name = "1x32", Parameters = 28_832, Tokens = 4_096_000, Flops = 7.09e11, ValLoss = 5.8123, Seconds = 41.2 },
            new() { Name = "2x64", Parameters = 107_648, Tokens = 12_288_000, Flops = 7.94e12, ValLoss = 4.9012, Seconds = 301.7 },
            new() { Name = "2x96", Parameters = 236_160, Tokens = 16_384_000, Flops = 2.32e13, ValLoss = 4.5521, Seconds = 822.4 },
        ],
        Target = new() { Name = "target 6x384", Parameters = 10_745_472, Tokens = 1_228_800_000, Flops = 7.92e16, ValLoss = 3.3107, Seconds = 41_877.9 },
        FitA = 412.77,
        FitB = -0.1873,
        FitC = 2.1042,
        FitAStandardError = 35.1,
        FitBStandardError = 0.0102,
        FitCStandardError = 0.0871,
        TargetFlops = 7.92e16,
        PredictedLoss = 3.2871,
        PredictedLossStandardError = 0.0412,
        PredictedLossBootstrap = new PredictionBootstrap(400, 0, 0.0388, 3.2215, 3.2866, 3.3519),
        ActualLoss = 3.3107,
        RelativeError = -0.00713,
        LargestSweepFraction = 1 / 3413.0,
        TotalSweepFraction = 1 / 2442.1,
        SweepSpan = 32.7,
        Plot = $"{DeepRoot}/scaling/scaling.png",
    };

    private static AblationReport Ablation() => new()
    {
        Arms =
        [
            new() { Name = "raw", Documents = $"{DeepRoot}/ingest", DocumentsUsed = 1_877_020_334, TrainTokensAvailable = 2_104_000_000_000, Epochs = 1, FinalValLoss = 4.1187, FinalBitsPerByte = 1.3012 },
            new() { Name = "curated", Documents = $"{DeepRoot}/dedup/documents", DocumentsUsed = 7_764_523, TrainTokensAvailable = 313_000_000_000, Epochs = 1, FinalValLoss = 3.8021, FinalBitsPerByte = 1.2011 },
        ],
        Plot = $"{DeepRoot}/ablation/ablation.png",
    };

    private static SeededAblationReport Seeded()
    {
        string[] arms = ["raw", "filtered", "deduplicated"];
        string[] sets = ["wikitext-2", "lambada_openai", "realweb-references"];
        return new()
        {
            TokensPerArm = 20_000_000,
            Arms = [.. arms.Select((a, i) => new SeededAblationArmInfo(a, $"{DeepRoot}/{a}/documents", 1_000_000 - i * 200_000, 25_000_000, 0.8 + i * 0.1))],
            EvalSets = [.. sets.Select(s => new EvalSetInfo(s, [$"../shared/data/text/{s}/valid.txt"], 245_000, 240_000))],
            Summary = [.. arms.SelectMany((a, i) => sets.Select((s, j) => new SeededAblationSummary(a, s, 3, 4.5 - i * 0.1 + j * 0.01, 0.0123, 4.4, 4.6, 1.4 - i * 0.05, 0.0041)))],
            Plot = $"{DeepRoot}/ablation/ablation.png",
        };
    }

    private static CompressionResult Compression() => new()
    {
        Steps = 2_000,
        Tokens = 16_384_000,
        RawBytes = 68_812_300,
        CodeLengthBits = 241_003_112.0,
        ModelCodeBytes = 14_203,
        TotalBytes = 30_139_592,
        Ratio = 2.2831,
        BitsPerByte = 3.504,
        Baselines = [new("gzip -9", 25_401_118, 2.709, 2.953), new("xz -9", 19_877_004, 3.462, 2.311), new("zstd -19", 20_310_921, 3.388, 2.361)],
        CodeFiles = ["Train/Model/Gpt.cs", "Train/GptTrainer.cs", "train.yaml"],
    };

    private static List<RealWebClassifierCommand.Summary> RealWeb() =>
    [
        new("all", 1_204, 1_187, 0.9412, 0.3115, 0.3248, 0.412, 0.0311, 0.2104, 0.2277),
        new("en", 903, 893, 0.9531, 0.3322, 0.3401, 0.433, 0.0282, 0.1844, 0.2616),
    ];

    [Fact]
    public void The_train_summary_names_the_loss_plot_and_lays_out_one_measure_per_row()
    {
        var lines = TrainSummaryText.Lines(GptSmall($"{Root}/train"), $"{Root}/train", lossPlotExists: true);

        Assert.Equal(
        [
            "train",
            "measure                                     value",
            "-------------------------------------------------",
            "device                                       CUDA",
            "parameters                            124,439,808",
            "steps                  600000 (resumed at 412000)",
            "tokens                            314,572,800,000",
            "final train loss                           2.8652",
            "final val loss                             2.9039",
            "val bits per byte                          0.8848",
            "unigram baseline loss                      7.6131",
            "tokens / s                                303,639",
            "seconds                                 1036013.9",
            $"checkpoint: {Root}/train/checkpoints/step-00600000.ckpt",
            $"metrics: {Root}/train/metrics.jsonl",
            $"loss plot: {Root}/train/loss.png",
        ], lines);
        Assert.DoesNotContain(TrainSummaryText.Lines(GptSmall($"{Root}/train"), $"{Root}/train", lossPlotExists: false), l => l.StartsWith("loss plot", StringComparison.Ordinal));
    }

    [Fact]
    public void A_train_run_under_a_path_wider_than_the_line_keeps_its_file_names_within_80_columns()
    {
        var lines = TrainSummaryText.Lines(GptSmall(DeepRoot), DeepRoot, lossPlotExists: true);

        FitsEightyColumns(lines);
        // Each path is on its own line under its label, cut in the middle at folders: the root and the file stay.
        Assert.Equal(["checkpoint:", "  /lustre/scratch/.../runs/gpt2-small/checkpoints/step-00600000.ckpt"], lines.SkipWhile(l => l != "checkpoint:").Take(2));
        Assert.Matches(@"^  /lustre/(scratch/)?\.\.\./.*/gpt2-small/metrics\.jsonl$", lines.SkipWhile(l => l != "metrics:").ElementAt(1));
        Assert.Matches(@"^  /lustre/(scratch/)?\.\.\./.*/gpt2-small/loss\.png$", lines.SkipWhile(l => l != "loss plot:").ElementAt(1));
    }

    [Fact]
    public void The_classifier_report_is_one_measure_per_row_within_80_columns()
    {
        var lines = ClassifierReportText.Lines(Classifier(), $"{DeepRoot}/filter/classifier/model");

        FitsEightyColumns(lines);
        Assert.Equal(
        [
            "filter train-classifier",
            "measure                                   value",
            "-----------------------------------------------",
            "train examples (pos / neg)  1,204,497 / 38.70 M",
            "held out (pos / neg)           13,383 / 430,001",
            "held-out AUC                             0.9987",
            "train AUC                                0.9995",
            "precision @ 0.5                          0.9920",
            "recall @ 0.5                             1.0000",
            "device                                      cpu",
            "training seconds                        9243.07",
            "model:",
            "  /lustre/.../segment-1707947473347.11/runs/gpt2-small/filter/classifier/model",
            "  (report.json, score-histogram.png)",
        ], lines);
    }

    [Fact]
    public void Dedup_prints_each_clusters_example_URLs_on_lines_of_their_own_under_it()
    {
        var lines = DedupStatsText.Lines(Dedup(), $"{Root}/dedup/dedup_stats.json");

        FitsEightyColumns(lines);
        Assert.Matches(@"^candidate pairs checked\s+1\.264 G$", lines.Single(l => l.StartsWith("candidate pairs checked", StringComparison.Ordinal)));
        Assert.Matches(@"^banding\s+14 x 8, threshold 0\.8, verify shingles$", lines.Single(l => l.StartsWith("banding", StringComparison.Ordinal)));
        Assert.Equal(
        [
            "largest clusters (example URLs under each)",
            "cluster     size",
            "----------------",
            "88120455  18,431",
            "    https://www.example-news-network.com...t.html?utm_source=rss&utm_medium=feed",
            "    http://m.example-news-network.com/amp/markets/live-updates.html",
            "10002        211",
            "    https://forum.example.org/t/cookie-policy/12",
            $"stats: {Root}/dedup/dedup_stats.json",
        ], lines.SkipWhile(l => !l.StartsWith("largest clusters", StringComparison.Ordinal)));
    }

    [Fact]
    public void Tokenize_prints_a_row_per_split_and_verify_wraps_its_sample()
    {
        var manifest = TokenShardsText.ManifestLines(Manifest(), $"{DeepRoot}/tokenize");
        var verify = TokenShardsText.VerifyLines(new TokenShardReport(6_324, 7_764_446, 314_572_800_000, Manifest().Tokenizer,
            "<urn:uuid:0b8e6a4c-2f1d-4c8e-9a51-7d0e3b2c1f44>", "The lighthouse keeper climbed the hundred and twelve steps every evening at dusk,\nand every evening he counted them."));

        FitsEightyColumns(manifest);
        FitsEightyColumns(verify);
        Assert.Equal(
        [
            "token shards",
            "split       shards  documents   tokens",
            "--------------------------------------",
            "train        6,292  7,725,624  313.0 G",
            "validation      32     38,822  1.573 G",
            "tokenizer tiktoken:cl100k_base, vocabulary 100,277, hash 223921b76ee9",
            "manifest:",
            "  /lustre/.../segment-1707947473347.11/runs/gpt2-small/tokenize/manifest.json",
        ], manifest);
        Assert.Equal(
        [
            "sample <urn:uuid:0b8e6a4c-2f1d-4c8e-9a51-7d0e3b2c1f44>: The lighthouse keeper",
            "  climbed the hundred and twelve steps every evening at dusk, and every evening",
            "  he counted them.",
            "ok: every shard matches the manifest",
        ], verify.TakeLast(4));
        Assert.Matches(@"^tokens\s+314,572,800,000$", verify.Single(l => l.StartsWith("tokens", StringComparison.Ordinal)));
    }

    [Fact]
    public void Inspect_puts_each_counter_on_its_own_row_and_wraps_a_sample_value_inside_its_column()
    {
        var lines = InspectText.Lines(FilterOutput());

        FitsEightyColumns(lines);
        Assert.Equal("/lustre/scratch/.../segment-1707947473347.11/runs/gpt2-small/filter/documents", lines[0]);
        Assert.Matches(@"^dropped\.classifier\.pareto\s+1,507,998,034$", lines.Single(l => l.StartsWith("dropped.classifier.pareto", StringComparison.Ordinal)));
        Assert.Matches(@"^dropped\.gopher_repetition\.top_4gram_char_fraction\s+4,402,918$", lines.Single(l => l.StartsWith("dropped.gopher_repetition", StringComparison.Ordinal)));
        Assert.Contains("config hash: 6f1d0c2a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d", lines);
        Assert.Equal(
        [
            "row 0",
            "column         value",
            "--------------------",
            "id             <urn:uuid:0b8e6a4c-2f1d-4c8e-9a51-7d0e3b2c1f44>",
            "url            https://www.example-fiction-arc...ghthouse-keeper-chapter-12.html",
            "text           The lighthouse keeper climbed the hundred and twelve steps every",
            "               evening at dusk, and every evening he counted them...",
            "quality_score  0.973214",
        ], lines.SkipWhile(l => l != "row 0"));
    }

    [Fact]
    public void Inspect_shows_a_decontaminate_outputs_table_between_its_files_and_its_schema()
    {
        var report = new ContaminationReport
        {
            Action = "cut",
            DocumentsIn = 2_000,
            Benchmarks = [new BenchmarkContamination { Name = "lambada_openai", Items = 5_153, ItemsIndexed = 5_151, ItemsFound = 2, Documents = 2, CharsRemoved = 1_210, NgramMatches = 14 }],
        };

        var lines = InspectText.Lines(FilterOutput() with { Dir = $"{Root}/decontaminate" }, report).ToList();

        FitsEightyColumns(lines);
        int table = lines.IndexOf("contamination (action cut)");
        Assert.True(table > lines.FindIndex(l => l.StartsWith("rejected/_SUCCESS.json", StringComparison.Ordinal)) && table < lines.IndexOf("schema"));
        Assert.Matches(@"^lambada_openai\s+5,153\s+5,151\s+2\s+2\s+1,210\s+14$", lines.Single(l => l.StartsWith("lambada_openai ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_scaling_fit_gives_each_coefficient_a_row_of_its_own()
    {
        var lines = ScalingText.Lines(Scaling());

        FitsEightyColumns(lines);
        Assert.Equal(
        [
            "scaling sweep",
            "model          params     tokens      FLOPs  val loss      s",
            "------------------------------------------------------------",
            "1x32           28,832  4,096,000  7.09E+011    5.8123   41.2",
            "2x64          107,648    12.29 M  7.94E+012    4.9012  301.7",
            "2x96          236,160    16.38 M  2.32E+013    4.5521  822.4",
            "target 6x384  10.75 M    1.229 G  7.92E+016    3.3107  41878",
        ], lines.Take(7));
        Assert.Matches(@"^a\s+412\.8 ± 35$", lines.Single(l => l.StartsWith("a ", StringComparison.Ordinal)));
        Assert.Matches(@"^b\s+-0\.1873 ± 0\.0102$", lines.Single(l => l.StartsWith("b ", StringComparison.Ordinal)));
        Assert.Matches(@"^c\s+2\.1042 ± 0\.0871$", lines.Single(l => l.StartsWith("c ", StringComparison.Ordinal)));
        Assert.Matches(@"^predicted loss\s+3\.2871 ± 0\.0412$", lines.Single(l => l.StartsWith("predicted loss", StringComparison.Ordinal)));
        Assert.Matches(@"^bootstrap sd of the prediction\s+0\.0388$", lines.Single(l => l.StartsWith("bootstrap sd", StringComparison.Ordinal)));
        Assert.Matches(@"^bootstrap 90% interval\s+\[3\.2215, 3\.3519\]$", lines.Single(l => l.StartsWith("bootstrap 90%", StringComparison.Ordinal)));
        Assert.Matches(@"^relative error\s+-0\.71 %$", lines.Single(l => l.StartsWith("relative error", StringComparison.Ordinal)));
        Assert.EndsWith("/gpt2-small/scaling/scaling.png", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_ablation_puts_each_arms_documents_folder_under_its_row()
    {
        var lines = AblationText.Lines(Ablation());

        FitsEightyColumns(lines);
        Assert.Equal(
        [
            "data ablation: held-out loss on curated text",
            "arm           docs  train tokens  epochs  held-out loss  bits/byte",
            "------------------------------------------------------------------",
            "raw        1.877 G       2.104 T       1         4.1187     1.3012",
            "    documents:",
            "      /lustre/scratch/.../segment-1707947473347.11/runs/gpt2-small/ingest",
            "curated  7,764,523       313.0 G       1         3.8021     1.2011",
            "    documents:",
            "      /lustre/.../segment-1707947473347.11/runs/gpt2-small/dedup/documents",
            "curation helped: held-out loss 0.3166 nats/token lower on curated data",
        ], lines.Take(10));
    }

    [Fact]
    public void A_seeded_ablation_gives_each_arm_and_evaluation_set_a_row_whatever_their_number()
    {
        var report = Seeded();

        var lines = AblationText.SeededLines(report, $"{DeepRoot}/ablation/ablation.json");

        FitsEightyColumns(lines);
        foreach (var s in report.Summary)
            Assert.Single(lines, l => Regex.IsMatch(l, $@"^{s.Arm}\s+{s.EvalSet}\s+{s.MeanLoss:F4} ± 0\.0123\s+{s.MeanBitsPerByte:F4} ± 0\.0041$"));
        Assert.Contains("filtered      lambada_openai      4.4100 ± 0.0123  1.3500 ± 0.0041", lines);
    }

    [Fact]
    public void The_compression_table_is_one_row_per_coder()
    {
        var lines = CompressionText.Lines(Compression(), $"{Root}/train/compression.json");

        FitsEightyColumns(lines);
        Assert.Equal(
        [
            "compression of the training stream",
            "coder                                           bytes  ratio  bits/byte",
            "-----------------------------------------------------------------------",
            "raw UTF-8                                  68,812,300   1.00      8.000",
            "GPT (prequential code + xz'd code/config)  30,139,592   2.28      3.504",
            "gzip -9                                    25,401,118   2.71      2.953",
            "xz -9                                      19,877,004   3.46      2.311",
            "zstd -19                                   20,310,921   3.39      2.361",
            "stream: 2000 steps, 16,384,000 tokens seen once; code length 30,125,389 bytes +",
            "  model code and config 14,203 bytes (3 files)",
            $"report: {Root}/train/compression.json",
        ], lines);
    }

    [Fact]
    public void The_realweb_classifier_evaluation_is_two_tables_of_one_row_per_subset()
    {
        var lines = RealWebClassifierText.Lines(RealWeb(), $"{Root}/realweb/filter/classifier/model/classifier-eval.json");

        FitsEightyColumns(lines);
        Assert.Equal(
        [
            "reference text against boilerplate (scores)",
            "subset   refs  boilerplate     AUC  median ref  median boilerplate",
            "------------------------------------------------------------------",
            "all     1,204        1,187  0.9412       0.412               0.031",
            "en        903          893  0.9531       0.433               0.028",
            "",
            "references kept by the Pareto rule (raw; after the filter's rules)",
            "subset    kept  E[kept]  rules drop  rules then kept",
            "----------------------------------------------------",
            "all     31.1 %   32.5 %      21.0 %           22.8 %",
            "en      33.2 %   34.0 %      18.4 %           26.2 %",
            $"report: {Root}/realweb/filter/classifier/model/classifier-eval.json",
        ], lines);
    }

    [Fact]
    public void A_tables_last_column_wraps_inside_itself_or_moves_under_its_row_when_too_wide()
    {
        string text = string.Join(' ', Enumerable.Repeat("word", 30));
        var left = new TextTable().Column("name").Column("value").Row("short", "x").Row("text", text).Lines();
        var right = new TextTable().Column("name").Column("value", right: true).Row("short", "1").Row("text", text).Lines();

        FitsEightyColumns(left);
        FitsEightyColumns(right);
        // Left-aligned: the cell wraps at spaces within the 73 columns left after "short  ".
        Assert.Equal(
        [
            "name   value",
            "------------",
            "short  x",
            "text   " + string.Join(' ', Enumerable.Repeat("word", 14)),
            "       " + string.Join(' ', Enumerable.Repeat("word", 14)),
            "       word word",
        ], left);
        // Right-aligned: the column keeps the width of the cells that fit; the long one goes under its row.
        Assert.Equal(
        [
            "name   value",
            "------------",
            "short      1",
            "text",
            "    " + string.Join(' ', Enumerable.Repeat("word", 15)),
            "      " + string.Join(' ', Enumerable.Repeat("word", 15)),
        ], right);
    }

    [Fact]
    public void Each_lost_attempt_in_status_starts_a_line_of_its_own_within_80_columns()
    {
        var statuses = new[]
        {
            new DataPipe.Jobs.Execution.StepStatus
            {
                Step = "filter",
                OutputDir = $"{Root}/filter",
                State = "running",
                Lost =
                [
                    new(417, "gpu-node-0417.compute.cluster-west.example-university.edu", new DateTime(2024, 3, 1, 22, 14, 5, DateTimeKind.Utc), "gpu-node-0022"),
                    new(418, "node-7", new DateTime(2024, 3, 1, 22, 14, 9, DateTimeKind.Utc), null),
                ],
            },
        };

        var lines = StatusText.LostLines(statuses);

        FitsEightyColumns(lines);
        Assert.Equal(
        [
            "filter: task 417 lost on",
            "  gpu-node-0417.compute.cluster-west.example-university.edu (its attempt started",
            "  22:14:05 and never ended); rerun on gpu-node-0022",
            "filter: task 418 lost on node-7 (its attempt started 22:14:09 and never ended);",
            "  not rerun yet",
        ], lines);
    }

    [Fact]
    public void Trains_progress_lines_and_generated_samples_stay_within_80_columns()
    {
        var step = new DataPipe.Train.Metrics.StepMetric { Step = 412_000, Loss = 2.86521, Lr = 0.0006, GradNorm = 0.3121, TokensPerSecond = 303_639.4, Mfu = 0.412 };
        var eval = new DataPipe.Train.Metrics.EvalMetric
        {
            Step = 412_000,
            ValLoss = 2.90391,
            Perplexity = 18.2447,
            BitsPerByte = 0.88481,
            Sample = "The lighthouse keeper climbed the hundred and twelve steps every evening at dusk,\nand every evening he counted them, and every evening the count came out the same.",
        };

        var stepLines = TrainSummaryText.StepLines(step, 600_000);
        var evalLines = TrainSummaryText.EvalLines(eval);

        FitsEightyColumns(stepLines);
        FitsEightyColumns(evalLines);
        Assert.Equal(["[train] step 412000/600000 loss 2.8652 lr 6.00e-4 grad_norm 0.312 303,639 tok/s", "  mfu 41.2 %"], stepLines);
        Assert.Equal(["[train] step 8/8 loss 7.0650 lr 2.67e-3 grad_norm 0.916 1,518 tok/s"],
            TrainSummaryText.StepLines(new DataPipe.Train.Metrics.StepMetric { Step = 8, Loss = 7.065, Lr = 0.00267, GradNorm = 0.916, TokensPerSecond = 1_518 }, 8));
        Assert.Equal(
        [
            "[eval] step 412000 val_loss 2.9039 perplexity 18.24 bits/byte 0.8848",
            "[sample] The lighthouse keeper climbed the hundred and twelve steps every",
            "  evening at dusk, and every evening he counted them, and every evening the",
            "  count came out the same.",
        ], evalLines);
    }

    [Fact]
    public void A_stages_progress_line_in_a_log_fits_80_columns_at_crawl_scale()
    {
        var p = new StageProgress("dedup.signatures", new StagePlan(9_000, 3_154_902_117_000, "bytes"));
        p.Advance(1_204_551_990_123);
        p.AddRowsIn(1_877_020_334);
        p.AddRowsOut(1_877_020_330);
        for (int i = 0; i < 3_417; i++) p.TaskCompleted();

        var lines = StageConsole.ProgressLines(p);

        FitsEightyColumns(lines);
        Assert.Equal(["[dedup.signatures] tasks 3417/9000, 1.205 T/3.155 T bytes, rows 1.877 G in,", "  1.877 G out"], lines);
        FitsEightyColumns(StageConsole.StartLines(p));
    }
}
