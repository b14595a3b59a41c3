using System.Collections.Concurrent;
using DataPipe.Core.Errors;
using Lingua;

namespace DataPipe.Ingest.Language;

/// <summary>
/// The language of a document and the detector's confidence, for the <c>lang</c>/<c>lang_score</c> columns (the GPT-3
/// corpus, like CCNet and C4 before it, filters by language on exactly this). Backed by Lingua (SearchPioneer.Lingua)
/// in low-accuracy mode over a configured set of languages: building its models for every language in high-accuracy
/// mode takes ~14 s and ~2.7 GB, and detection runs at a few hundred texts a second, so the detector is built once per
/// process and language set, and it only sees a ~300-character sample made of the text's longest lines (where the
/// prose is; menus and footers are short lines). That keeps it off the critical path of ingest.
/// </summary>
public sealed class LanguageIdentifier
{
    /// <summary>Languages of the default set: the most common languages of Common Crawl, ISO 639-1.</summary>
    public static readonly IReadOnlyList<string> DefaultLanguages =
        ["en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "sv", "da", "fi", "cs", "tr", "ja", "zh", "ko", "ar", "uk", "ro", "hu", "el", "id", "vi"];

    /// <summary>Characters of text the detector sees at most.</summary>
    public const int SampleChars = 300;

    /// <summary>Code for text whose language cannot be determined (no letters, or no language scored above zero).</summary>
    public const string Undetermined = "und";

    private static readonly ConcurrentDictionary<string, Lazy<LanguageIdentifier>> Cache = new(StringComparer.Ordinal);
    private readonly LanguageDetector _detector;
    private readonly LanguageFirstPass _pass;

    private LanguageIdentifier(IReadOnlyList<string> codes)
    {
        var languages = codes.Select(ToLanguage).Distinct().ToArray();
        if (languages.Length < 2) throw new DataPipeException($"language identification needs at least two languages, got: {string.Join(",", codes)}");
        _detector = LanguageDetectorBuilder.FromLanguages(languages).WithLowAccuracyMode().Build();
        Languages = [.. codes];
        _pass = new LanguageFirstPass(codes);
    }

    public IReadOnlyList<string> Languages { get; }

    /// <summary>The shared identifier for a language set (built on first use, then reused by every task of the process).</summary>
    public static LanguageIdentifier For(IReadOnlyList<string>? codes = null)
    {
        var list = (codes is { Count: > 0 } ? codes : DefaultLanguages).Select(c => c.Trim().ToLowerInvariant()).Where(c => c.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        string key = string.Join(",", list);
        return Cache.GetOrAdd(key, _ => new Lazy<LanguageIdentifier>(() => new LanguageIdentifier(list))).Value;
    }

    /// <summary>Checks ISO 639-1 codes against what Lingua knows; throws naming the first unknown one.</summary>
    public static Lingua.Language ToLanguage(string code)
    {
        if (Enum.TryParse<IsoCode6391>(code, ignoreCase: true, out var iso) && iso != IsoCode6391.None)
        {
            try
            {
                return LanguageInfo.GetByIsoCode6391(iso);
            }
            catch (ArgumentException)
            {
            }
        }
        throw new DataPipeException($"unknown language code '{code}' (use ISO 639-1 codes such as en, de, fr)");
    }

    /// <summary>
    /// The language of <paramref name="text"/> (ISO 639-1) and its confidence in 0..1: the first pass decides
    /// the confident cases (script rules, stop words; confidence <see cref="FirstPassConfidence"/>), Lingua the rest.
    /// </summary>
    public (string Lang, float Score) Identify(string text)
    {
        string sample = Sample(text);
        if (_pass.TryIdentify(sample) is { } lang) return (lang, FirstPassConfidence);
        return IdentifySample(sample);
    }

    /// <summary>Lingua's answer on the same sample, without the first pass (for comparing the two).</summary>
    public (string Lang, float Score) IdentifyWithLingua(string text) => IdentifySample(Sample(text));

    /// <summary>The first pass's answer on the sample of <paramref name="text"/>, or null when it leaves it to Lingua.</summary>
    public string? IdentifyWithFirstPass(string text) => _pass.TryIdentify(Sample(text));

    /// <summary>
    /// Confidence reported when the first pass decides. Lingua's confidence on a full ~300-character sample is
    /// 1.0 for its best language in nearly every case (its per-language probability products underflow, and it then
    /// gives all weight to the most likely language), and 1.0 when its own script rules decide, so a settled case
    /// reports what Lingua would (checked on the real texts by LanguageFirstPassTests).
    /// </summary>
    public const float FirstPassConfidence = 1f;

    private (string Lang, float Score) IdentifySample(string sample)
    {
        if (!sample.Any(char.IsLetter)) return (Undetermined, 0f);
        var values = CallerThreadScheduler.Run(_detector.ComputeLanguageConfidenceValues, sample);
        Lingua.Language best = default;
        double bestScore = 0;
        bool any = false;
        foreach (var (lang, score) in values)
        {
            if (!any || score > bestScore)
            {
                best = lang;
                bestScore = score;
                any = true;
            }
        }
        if (!any || bestScore <= 0) return (Undetermined, 0f);
        return (best.IsoCode6391().ToString().ToLowerInvariant(), (float)bestScore);
    }

    /// <summary>The longest lines of the text, joined, up to <see cref="SampleChars"/> characters.</summary>
    public static string Sample(string text) => Sample(text, SampleChars);

    /// <summary>The longest lines of the text, joined, up to <paramref name="chars"/> characters.</summary>
    public static string Sample(string text, int chars)
    {
        if (text.Length <= chars) return text;
        var lines = new List<(int Start, int Length)>();
        int i = 0;
        while (i < text.Length)
        {
            int nl = text.IndexOf('\n', i);
            int end = nl < 0 ? text.Length : nl;
            if (end > i) lines.Add((i, end - i));
            i = end + 1;
        }
        lines.Sort((a, b) => b.Length != a.Length ? b.Length.CompareTo(a.Length) : a.Start.CompareTo(b.Start));
        var sb = new System.Text.StringBuilder(chars + 1);
        foreach (var (start, length) in lines)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(text, start, Math.Min(length, chars - sb.Length));
            if (sb.Length >= chars) break;
        }
        return sb.ToString();
    }
}

/// <summary>
/// Runs a function on the calling thread under a task scheduler whose concurrency level is 1. Lingua wraps the
/// n-gram scoring of every text in <c>Parallel.ForEach</c> over its n-gram orders (one order in low-accuracy mode);
/// under the default scheduler that starts a second replica on the thread pool and blocks the caller until it has
/// run, which the full-ingest profile (dotnet-trace, bench ingest) showed as ~7% of the ingest worker's time spent
/// blocked in Task.Wait on a loaded machine. <c>Parallel</c> takes its concurrency from <see cref="TaskScheduler.Current"/>,
/// so under this scheduler it runs its one replica inline. Ingest parallelises across tasks, not within a page.
/// </summary>
internal sealed class CallerThreadScheduler : TaskScheduler
{
    private static readonly CallerThreadScheduler Instance = new();

    public override int MaximumConcurrencyLevel => 1;

    public static TResult Run<TArg, TResult>(Func<TArg, TResult> func, TArg arg)
    {
        var task = new Task<TResult>(() => func(arg));
        task.RunSynchronously(Instance);
        return task.GetAwaiter().GetResult();
    }

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
