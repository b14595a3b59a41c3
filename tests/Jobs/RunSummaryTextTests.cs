using System.Text.RegularExpressions;
using DataPipe.Jobs.Cli;
using DataPipe.Jobs.Execution;

namespace DataPipe.Tests.Jobs;

/// <summary>
/// The printed run summary and status table fit an 80-column terminal and read line by line in a log file. The data
/// are the main job's steps, counters and kind lines as a run of jobs/pipelines/sample.yaml printed them, with the
/// counts raised to a Common Crawl segment's size and the decontaminate step's line for many benchmarks.
/// </summary>
public class RunSummaryTextTests
{
    private const string Root = "/srv/datapipe/runs/cc-main-2024-10/sample";

    private static StepSummary Step(string step, int tasks, long rowsIn, long rowsOut, double seconds, long? tokens = null,
        Dictionary<string, long>? dropped = null, params string[] lines) => new()
    {
        Step = step,
        Stage = step.Split('.')[0],
        Tasks = tasks,
        RowsIn = rowsIn,
        RowsOut = rowsOut,
        Tokens = tokens,
        Seconds = seconds,
        Dropped = new SortedDictionary<string, long>(dropped ?? [], StringComparer.Ordinal),
        Lines = [.. lines],
    };

    private static readonly string Sample = "The ,C and the\n\n\n the U the / the\n\n\n\nThe.\n\n\nThe.\n\n\n\n\n\n\n\n\nWe. We the\n\n\n\n I data the\n\n\n\nThe.\n\n\nTheWeThe\n\n\n\n";

    private static readonly string[] KindLines =
    [
        "classifier (filter.classifier): held-out AUC 0.9987, precision 0.9920, recall 1.0000 at 0.5; trained on 1,204,497 curated / 3,870,030 web examples",
        "GPT (train): 124,439,808 parameters, 600,000 steps, 314,572,800,000 tokens; final train loss 2.8652, validation loss 2.9039 nats/token, 0.8848 bits/byte",
        "GPT (train): a unigram model of the training tokens scores 7.6131 nats/token on the same validation tokens",
        $"GPT (train): loss against tokens, with the unigram baseline: {Root}/train/loss.png",
        "decontamination (decontaminate, cut): 1,532 of 9,876,543 documents held benchmark text, 4,187,002 of 38,912,004,551 chars removed, 77 documents dropped; "
            + "hellaswag 312 items/402 docs/1,200,331 chars; lambada 88 items/90 docs/401,220 chars; piqa 12 items/12 docs/40,112 chars; "
            + "triviaqa 1,004 items/1,015 docs/2,545,339 chars; winogrande 3 items/3 docs/0 chars",
        $"generated sample: {("The " + Sample).ReplaceLineEndings(" ")}",
    ];

    private static PipelineSummary MainJob() => new()
    {
        Pipeline = "sample",
        Executor = "slurm",
        Workers = 64,
        Steps =
        [
            Step("ingest", 9_000, 3_154_902_117, 1_877_020_334, 51_234.4, dropped: new() { ["skipped.non_html"] = 1_204_551_990, ["skipped.truncated_record"] = 18_021_335, ["skipped.charset_undecodable"] = 55_100_459 }),
            Step("filter.classifier", 1, 5_074_527, 0, 9_243.1, lines: KindLines[0]),
            Step("filter", 9_000, 1_877_020_334, 9_876_543, 8_811.0, dropped: new()
            {
                ["dropped.c4_lines.too_few_sentences"] = 112_442_019,
                ["dropped.classifier.pareto"] = 1_507_998_034,
                ["dropped.gopher_quality.word_count"] = 98_120_441,
                ["dropped.gopher_repetition.duplicate_lines"] = 31_337_007,
                ["dropped.gopher_repetition.duplicate_paragraphs"] = 12_001_922,
                ["dropped.gopher_repetition.top_4gram_char_fraction"] = 4_402_918,
                ["dropped.language.other_language"] = 100_841_450,
            }),
            Step("dedup.signatures", 9_000, 9_876_543, 9_876_543, 1_297.4),
            Step("dedup.pairs", 256, 1_264_197_504, 4_019_557, 603.2),
            Step("dedup.clusters", 1, 4_019_557, 2_112_020, 48.9),
            Step("dedup.documents", 9_000, 9_876_543, 7_764_523, 506.3, dropped: new() { ["dropped.exact_duplicate"] = 1_044_116, ["dropped.near_duplicate"] = 1_067_904 }),
            Step("decontaminate", 9_000, 7_764_523, 7_764_446, 3_211.7, lines: KindLines[4]),
            Step("tokenize.bpe", 1, 7_764_446, 50_257, 1_632.2),
            Step("tokenize", 9_000, 7_764_446, 7_764_446, 2_615.0, tokens: 314_572_800_000),
            Step("train", 1, 314_572_800_000, 0, 1_036_013.9, tokens: 314_572_800_000, lines: [KindLines[1], KindLines[2], KindLines[3], KindLines[5]]),
        ],
    };

    private static IReadOnlyList<string> Print(PipelineSummary s) =>
        RunSummaryText.Lines(s, 1_123_456.7, $"{Root}/summary.json", $"{Root}/_pipeline.json");

    [Fact]
    public void Every_line_of_the_main_jobs_run_summary_fits_80_columns()
    {
        var lines = Print(MainJob());

        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
    }

    [Fact]
    public void Each_drop_reason_is_a_row_of_its_own_under_its_step_with_its_count()
    {
        var lines = Print(MainJob()).ToList();

        int filter = lines.FindIndex(l => l.StartsWith("filter ", StringComparison.Ordinal));
        int next = lines.FindIndex(l => l.StartsWith("dedup.signatures ", StringComparison.Ordinal));
        Assert.True(filter > 0 && next > filter);
        var reasons = lines[(filter + 1)..next];
        // Seven reasons, seven lines, each with its count (right-aligned to the widest count) and the reason whole, not
        // wrapped one word per line.
        Assert.Equal(
        [
            "      112,442,019 dropped c4_lines.too_few_sentences",
            "    1,507,998,034 dropped classifier.pareto",
            "       98,120,441 dropped gopher_quality.word_count",
            "       31,337,007 dropped gopher_repetition.duplicate_lines",
            "       12,001,922 dropped gopher_repetition.duplicate_paragraphs",
            "        4,402,918 dropped gopher_repetition.top_4gram_char_fraction",
            "      100,841,450 dropped language.other_language",
        ], reasons);
        Assert.Contains("    1,204,551,990 skipped.non_html", lines);
        // A step's row stays one line: its name and every number on it.
        // In the table, counts of ten million and more read as M, G (10⁹) or T (10¹²) with four digits, and seconds from
        // 10,000 on as whole seconds; summary.json has them exact.
        Assert.Matches(@"^train\s+1\s+314\.6 G\s+0\s+314\.6 G\s+1036014$", lines.Single(l => l.StartsWith("train ", StringComparison.Ordinal)));
        Assert.Matches(@"^ingest\s+9000\s+3\.155 G\s+1\.877 G\s+51234$", lines.Single(l => l.StartsWith("ingest ", StringComparison.Ordinal)));
        Assert.Matches(@"^dedup\.documents\s+9000\s+9,876,543\s+7,764,523\s+506\.3$", lines.Single(l => l.StartsWith("dedup.documents ", StringComparison.Ordinal)));
        Assert.Matches(@"^dedup\.pairs\s+256\s+1\.264 G\s+4,019,557\s+603\.2$", lines.Single(l => l.StartsWith("dedup.pairs ", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_kinds_sentences_wrap_at_spaces_and_lose_no_word()
    {
        var lines = Print(MainJob());
        string folded = Regex.Replace(string.Join("\n", lines), @"\s+", " ");

        foreach (var sentence in KindLines) Assert.Contains(Regex.Replace(sentence, @"\s+", " ").Trim(), folded);
        // Continuation lines are indented under their sentence, so a reader sees where each sentence starts.
        int auc = lines.ToList().FindIndex(l => l.StartsWith("classifier (filter.classifier): held-out AUC", StringComparison.Ordinal));
        Assert.True(auc > 0);
        Assert.StartsWith("  ", lines[auc + 1]);
        // Paths are never cut: the loss plot's path is whole on one line.
        Assert.Contains(lines, l => l.Contains($"{Root}/train/loss.png", StringComparison.Ordinal));
        Assert.Contains($"summary: {Root}/summary.json", lines);
    }

    [Fact]
    public void A_path_wider_than_the_line_gets_a_line_of_its_own_cut_in_the_middle_at_folders()
    {
        string path = "/" + string.Join("/", Enumerable.Repeat("a-rather-long-folder-name", 5)) + "/loss.png";
        var lines = TextWrap.Wrap($"GPT (train): loss against tokens, with the unigram baseline: {path} (drawn after every evaluation)");

        // 139 characters: on a line of its own it is still too wide, so whole folders in the middle become "...";
        // the root folder and the last folder with the file name stay.
        Assert.Equal(
        [
            "GPT (train): loss against tokens, with the unigram baseline:",
            "  /a-rather-long-folder-name/.../a-rather-long-folder-name/loss.png (drawn after",
            "  every evaluation)",
        ], lines);
    }

    [Fact]
    public void A_path_without_room_for_its_file_name_is_cut_in_the_middle_by_characters()
    {
        string name = new string('x', 90) + ".parquet";

        Assert.Equal("/data/" + new string('x', 32) + "..." + new string('x', 31) + ".parquet", TextWrap.ShortenPath("/data/" + name, 80));
        Assert.Equal("/srv/.../filter/documents/_SUCCESS.json", TextWrap.ShortenPath("/srv/datapipe/runs/cc-main-2024-10/sample/filter/documents/_SUCCESS.json", 40));
        Assert.Equal("https://www.example.org/.../page.html", TextWrap.ShortenPath("https://www.example.org/a/b/c/d/e/f/g/h/i/j/k/l/m/page.html", 37));
    }

    [Fact]
    public void The_status_of_a_crawl_sized_run_with_a_failed_task_fits_80_columns()
    {
        string root = "/srv/datapipe/runs/cc-main-2024-10/sample";
        StepStatus Status(string step, string state, int tasks, int done, long rowsIn, long rowsOut, double seconds, int running = 0, int failed = 0) =>
            new() { Step = step, OutputDir = $"{root}/{step}", State = state, Tasks = tasks, Done = done, Running = running, Failed = failed, RowsIn = rowsIn, RowsOut = rowsOut, Seconds = seconds };
        var statuses = new[]
        {
            Status("ingest", "complete", 9_000, 9_000, 3_154_902_117, 1_877_020_334, 461_110.5),
            Status("filter.classifier", "complete", 1, 1, 5_074_527, 0, 9_243.1),
            Status("filter", "failed", 9_000, 8_998, 1_876_811_002, 9_875_990, 79_299.0, running: 1, failed: 1) with
            {
                Slurm = "RUNNING 1, PENDING 0",
                FailedLog = $"{root}/filter/documents/_logs/task-00417.log",
                FailedError = "InvalidDataException: /data/cc/2024-10/warc/CC-MAIN-20240224-00417.warc.gz: record at offset 1,073,741,824: gzip member truncated",
            },
            Status("dedup.signatures", "not started", 9_000, 0, 0, 0, 0),
            Status("decontaminate", "not started", 9_000, 0, 0, 0, 0),
        };

        var lines = StatusText.Lines(statuses, root);

        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Matches(@"^filter\s+failed\s+8998/9000\s+1\.877 G\s+9,875,990\s+79299$", lines.Single(l => l.StartsWith("filter ", StringComparison.Ordinal)));
        Assert.Contains("    1 running, 1 failed", lines);
        Assert.Contains("    slurm: RUNNING 1, PENDING 0", lines);
        // The error wraps under its step, indented; the log is named relative to the output root, whole.
        int failed = lines.ToList().FindIndex(l => l.StartsWith("    failed: InvalidDataException:", StringComparison.Ordinal));
        Assert.True(failed > 0);
        Assert.All(lines.Skip(failed + 1).TakeWhile(l => !l.StartsWith("dedup", StringComparison.Ordinal)), l => Assert.StartsWith("      ", l));
        Assert.Contains("log: filter/documents/_logs/task-00417.log", Regex.Replace(string.Join(" ", lines), @"\s+", " "));
    }

    [Fact]
    public void The_contamination_table_keeps_each_benchmark_name_on_one_line_within_80_columns()
    {
        // The 14 sets of samples/benchmarks with their item counts, as `datapipe decontaminate` found them, and a hit.
        var sets = new (string Name, int Items)[]
        {
            ("arc_challenge", 1_172), ("arc_easy", 2_376), ("boolq", 3_270), ("commonsense_qa", 1_221), ("copa", 100), ("gsm8k", 1_319),
            ("hellaswag_val", 10_042), ("jeopardy_all", 2_117), ("lambada_openai", 5_153), ("openbook_qa", 500), ("piqa", 1_838),
            ("siqa", 1_954), ("winograd_wsc", 273), ("winogrande", 1_267),
        };
        var report = new DataPipe.Decontaminate.ContaminationReport
        {
            Action = "cut",
            DocumentsIn = 7_764_523,
            DocumentsMatched = 1_532,
            DocumentsDropped = 77,
            PiecesKept = 2_907,
            CharsIn = 38_912_004_551,
            CharsRemoved = 4_187_002,
            Index = new() { Key = "954e393318eff36e", Ngram = 13, MaxItemsPerNgram = 10, Ngrams = 2_181_677, MemoryBytes = 60_502_835 },
            Benchmarks = [.. sets.Select(s => new DataPipe.Decontaminate.BenchmarkContamination
            {
                Name = s.Name,
                Items = s.Items,
                ItemsIndexed = s.Items - 2,
                ItemsFound = s.Name == "lambada_openai" ? 88 : 0,
                Documents = s.Name == "lambada_openai" ? 90 : 0,
                CharsRemoved = s.Name == "lambada_openai" ? 401_220 : 0,
                NgramMatches = s.Name == "lambada_openai" ? 12_044_981 : 0,
                Examples = s.Name == "lambada_openai"
                    ? [new() { Item = 4_411, ItemLine = 4_412, Url = "https://www.example-fiction-archive.org/stories/2019/03/the-lighthouse-keeper-chapter-12.html", MatchedText = "she said, and he looked out at the grey water for a long time before he answered her at last" }]
                    : [],
            })],
        };

        var lines = ContaminationText.Lines(report, $"{Root}/decontaminate/contamination.json");

        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        foreach (var (name, items) in sets)
            Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal) && l.Contains($" {items:N0} ", StringComparison.Ordinal));
        Assert.Matches(@"^lambada_openai\s+5,153\s+5,151\s+88\s+90\s+401,220\s+12\.04 M$", lines.Single(l => l.StartsWith("lambada_openai ", StringComparison.Ordinal)));
        string folded = Regex.Replace(string.Join(" ", lines), @"\s+", " ");
        Assert.Contains("corpus: 1,532 of 7,764,523 documents held benchmark text; 4,187,002 of 38,912,004,551 chars removed", folded);
        // A long URL is shortened in the middle (contamination.json keeps it whole).
        Assert.Contains("lambada_openai item 4411 (line 4412) in https://www.example-fiction-archi...-lighthouse-keeper-chapter-12.html:", folded);
    }

    [Fact]
    public void A_stage_commands_summary_is_one_line_per_counter_within_80_columns()
    {
        var success = new DataPipe.Core.Stages.SuccessRecord
        {
            Stage = "filter",
            TaskCount = 9_000,
            RowsIn = 1_877_020_334,
            RowsOut = 9_876_543,
            WallSeconds = 88_110.4,
            Counters = new SortedDictionary<string, long>(StringComparer.Ordinal)
            {
                ["dropped.c4_lines.too_few_sentences"] = 112_442_019,
                ["dropped.classifier.pareto"] = 1_507_998_034,
                ["dropped.gopher_repetition.top_4gram_char_fraction"] = 4_402_918,
                ["decontaminate.lambada_openai.documents"] = 90,
                ["kept"] = 9_876_543,
            },
        };
        var result = new DataPipe.Core.Execution.StageResult("filter", $"{Root}/filter/documents", success, Skipped: false, TasksRun: 8_999, TasksReused: 1);

        var lines = StageConsole.SummaryLines(result);

        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Equal("filter", lines[0]);
        Assert.Matches(@"^tasks\s+8999 run, 1 reused$", lines.Single(l => l.StartsWith("tasks ", StringComparison.Ordinal)));
        Assert.Matches(@"^dropped\.gopher_repetition\.top_4gram_char_fraction\s+4,402,918$", lines.Single(l => l.StartsWith("dropped.gopher_repetition.", StringComparison.Ordinal)));
        Assert.Matches(@"^rows in / s\s+21,303$", lines.Single(l => l.StartsWith("rows in / s", StringComparison.Ordinal)));
        // "summary: PATH" is 83 columns here: the path goes whole onto a line of its own.
        Assert.Equal(["summary:", $"  {Root}/filter/documents/_SUCCESS.json"], lines.TakeLast(2));
    }
}
