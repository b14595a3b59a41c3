namespace DataPipe.Ingest.Extraction;

/// <summary>
/// The features the block scorer reads, per text block: the shallow text features of Kohlschütter et al. 2010
/// (length, link density, punctuation, and the same for the neighbouring blocks), the tag path (owner element, and
/// whether the text sits in a nav, list, table, heading, link, form...), the position on the page, the class/id words
/// of the block and its ancestors (as DensityExtractor's name lists and as hashed words, as Dragnet and Web2Text do),
/// the container's text and link density, and what the density extractor chose (Dragnet's "readability" feature).
/// Lengths are counted in characters and in word-equivalents (CJK characters count half a word), so a page without
/// spaces is not read as one long word.
/// <para>Every feature has a name; the model file stores a weight per name (<see cref="BlockScoreModel"/>).</para>
/// </summary>
internal static class BlockFeatures
{
    private static readonly List<string> NameList = [];

    private static int F(string name)
    {
        NameList.Add(name);
        return NameList.Count - 1;
    }

    private static int Range(string name, int count)
    {
        int first = NameList.Count;
        for (int i = 0; i < count; i++) NameList.Add($"{name}:{i}");
        return first;
    }

    private static readonly int[] CharBuckets = [10, 20, 40, 80, 160, 320, 640, 1280];
    private const int OwnerKinds = 16;
    private const int PathBits = 23;
    public const int ClassWords = 128;

    private static readonly int LogChars = F("log_chars");
    private static readonly int LogWords = F("log_words");
    private static readonly int CharsBucket = Range("chars_bucket", CharBuckets.Length + 1);
    private static readonly int LinkDensityF = F("link_density");
    private static readonly int LinkBucket = Range("link_bucket", 5);
    private static readonly int LinkPoorCharsBucket = Range("linkpoor_chars_bucket", CharBuckets.Length + 1);
    private static readonly int CommaRate = F("comma_rate");
    private static readonly int SentenceRate = F("sentence_rate");
    private static readonly int EndsSentenceF = F("ends_sentence");
    private static readonly int DigitShare = F("digit_share");
    private static readonly int UnspacedShare = F("unspaced_share");
    private static readonly int OwnerTag = Range("owner_tag", OwnerKinds);
    private static readonly int Path = Range("path", PathBits);
    private static readonly int OwnerPositive = F("owner_positive_name");
    private static readonly int OwnerNegative = F("owner_negative_name");
    private static readonly int OwnerUnlikely = F("owner_unlikely_name");
    private static readonly int AncestorPositive = F("ancestor_positive_name");
    private static readonly int AncestorNegative = F("ancestor_negative_name");
    private static readonly int AncestorUnlikely = F("ancestor_unlikely_name");
    private static readonly int AncestorComments = F("ancestor_comments_name");
    private static readonly int DepthF = F("depth");

    /// <summary>Index of the feature that says the block lies in a comment section outside the density pass's article.</summary>
    public static int InCommentSection => AncestorComments;
    private static readonly int PositionBlock = F("position_block");
    private static readonly int PositionChars = F("position_chars");
    private static readonly int PositionBucket = Range("position_bucket", 5);
    private static readonly int DensityShare = F("density_share");
    private static readonly int DensityPageFound = F("density_page_found");
    private static readonly int DensityPageShare = F("density_page_share");
    private static readonly int DensityBefore = F("density_before_article");
    private static readonly int DensityAfter = F("density_after_article");
    private static readonly int DensityGap = F("density_gap_blocks");
    private static readonly int PageLogChars = F("page_log_chars");
    private static readonly int BlockShare = F("block_share");
    private static readonly int RankChars = F("rank_chars");
    private static readonly int CharsOverMax = F("chars_over_page_max");
    private static readonly int CharsOverMedian = F("log_chars_over_page_median");
    private static readonly int RankLinkPoor = F("rank_chars_linkpoor");
    private static readonly int Prev1 = Range("prev1", 5);
    private static readonly int Next1 = Range("next1", 5);
    private static readonly int Prev2 = Range("prev2", 3);
    private static readonly int Next2 = Range("next2", 3);
    private static readonly int WindowLinkDensity = F("window_link_density");
    private static readonly int WindowDensityShare = F("window_density_share");
    private static readonly int Container = Range("container", 3);
    private static readonly int GrandContainer = Range("grand_container", 2);
    private static readonly int ClassWord = Range("class_word", ClassWords);

    /// <summary>The features before the hashed class/id words: the boosted trees read these (the words reach them through the first stage's logit).</summary>
    public static readonly int DenseCount = ClassWord;

    public static readonly int Count = NameList.Count;

    public static IReadOnlyList<string> Names => NameList;

    /// <summary>Generic words that mark a readers' discussion below an article.</summary>
    private static readonly System.Buffers.SearchValues<string> CommentWords =
        System.Buffers.SearchValues.Create(["comment", "reply", "replies", "respond", "discussion", "disqus"], StringComparison.OrdinalIgnoreCase);

    private static int Bucket(int chars)
    {
        int k = 0;
        while (k < CharBuckets.Length && chars >= CharBuckets[k]) k++;
        return k;
    }

    private static int LinkBucketOf(float ld) => ld <= 0 ? 0 : ld <= 0.2f ? 1 : ld <= 0.5f ? 2 : ld <= 0.8f ? 3 : 4;

    private static int OwnerKind(HtmlTag tag) => tag switch
    {
        HtmlTag.P => 0,
        HtmlTag.Div => 1,
        HtmlTag.Td => 2,
        HtmlTag.Th => 3,
        HtmlTag.Li => 4,
        HtmlTag.Dd or HtmlTag.Dt => 5,
        HtmlTag.H1 => 6,
        HtmlTag.H2 or HtmlTag.H3 or HtmlTag.H4 or HtmlTag.H5 or HtmlTag.H6 => 7,
        HtmlTag.Pre => 8,
        HtmlTag.Blockquote => 9,
        HtmlTag.Article or HtmlTag.Section or HtmlTag.Main => 10,
        HtmlTag.Body or HtmlTag.Html or HtmlTag.Document => 11,
        HtmlTag.Center => 12,
        HtmlTag.Form or HtmlTag.Fieldset or HtmlTag.Legend => 13,
        HtmlTag.Table or HtmlTag.Tr or HtmlTag.Tbody or HtmlTag.Thead or HtmlTag.Tfoot or HtmlTag.Caption => 14,
        _ => 15,
    };

    private static float Log(float x, float scale) => MathF.Log(1 + x) / scale;

    /// <summary>Features of every block of <paramref name="blocks"/> into <paramref name="into"/> (BlockCount rows of <see cref="Count"/>).</summary>
    public static void Compute(TextBlocks blocks, int densityChars, Span<float> into)
    {
        var all = blocks.All;
        var nodes = blocks.Doc.Nodes;
        int total = Math.Max(1, blocks.TotalChars);
        into[..(all.Length * Count)].Clear();
        // Nodes come in document order, children after their parent: one backward pass marks every ancestor of the article.
        var subtreeDensity = blocks.SubtreeDensity.AsSpan(0, blocks.NodeCount);
        subtreeDensity.Clear();
        for (int i = blocks.NodeCount - 1; i > 0; i--)
            if ((subtreeDensity[i] || blocks.DensityMark[i]) && nodes[i].Parent >= 0)
            {
                subtreeDensity[i] = true;
                subtreeDensity[nodes[i].Parent] = true;
            }
        ClassifyNames(blocks, subtreeDensity);
        int firstDensity = -1, lastDensity = -1;
        for (int k = 0; k < all.Length; k++)
            if (all[k].DensityChars > 0)
            {
                if (firstDensity < 0) firstDensity = k;
                lastDensity = k;
            }
        PageRanks(all, blocks);
        for (int k = 0; k < all.Length; k++)
        {
            var f = into.Slice(k * Count, Count);
            ref readonly var b = ref all[k];
            float words = b.WordEquivalents;
            float ld = b.LinkDensity;
            int bucket = Bucket(b.Chars);
            f[LogChars] = Log(b.Chars, 8);
            f[LogWords] = Log(words, 7);
            f[CharsBucket + bucket] = 1;
            f[LinkDensityF] = ld;
            f[LinkBucket + LinkBucketOf(ld)] = 1;
            if (ld < 0.3f) f[LinkPoorCharsBucket + bucket] = 1;
            f[CommaRate] = Math.Min(1f, 10f * b.Commas / Math.Max(1f, words));
            f[SentenceRate] = Math.Min(1f, 10f * b.SentenceEnds / Math.Max(1f, words));
            f[EndsSentenceF] = b.EndsSentence ? 1 : 0;
            f[DigitShare] = (float)b.Digits / Math.Max(1, b.Chars);
            f[UnspacedShare] = (float)b.UnspacedChars / Math.Max(1, b.Chars);

            int owner = b.Owner;
            f[OwnerTag + OwnerKind(nodes[owner].Tag)] = 1;
            var flags = blocks.Flags[b.Start];
            for (int bit = 0; bit < PathBits; bit++)
                if (((int)flags & (1 << bit)) != 0) f[Path + bit] = 1;
            var own = (NameFacts)blocks.OwnNames[owner];
            f[OwnerPositive] = (own & NameFacts.Positive) != 0 ? 1 : 0;
            f[OwnerNegative] = (own & NameFacts.Negative) != 0 ? 1 : 0;
            f[OwnerUnlikely] = (own & NameFacts.Unlikely) != 0 ? 1 : 0;
            var above = (NameFacts)blocks.AncestorNames[owner];
            f[AncestorPositive] = (above & NameFacts.Positive) != 0 ? 1 : 0;
            f[AncestorNegative] = (above & NameFacts.Negative) != 0 ? 1 : 0;
            f[AncestorUnlikely] = (above & NameFacts.Unlikely) != 0 ? 1 : 0;
            f[AncestorComments] = (above & NameFacts.CommentsOutsideArticle) != 0 ? 1 : 0;
            f[DepthF] = Math.Min(40, blocks.Depth[b.Start]) / 40f;
            f[PositionBlock] = all.Length <= 1 ? 0 : (float)k / (all.Length - 1);
            float pos = (float)b.Offset / total;
            f[PositionChars] = pos;
            f[PositionBucket + Math.Min(4, (int)(pos * 5))] = 1;
            f[DensityShare] = (float)b.DensityChars / Math.Max(1, b.Chars);
            f[DensityPageFound] = densityChars >= DensityExtractor.MinArticleChars ? 1 : 0;
            f[DensityPageShare] = Math.Min(1f, (float)densityChars / total);
            if (firstDensity >= 0)
            {
                f[DensityBefore] = k < firstDensity ? 1 : 0;
                f[DensityAfter] = k > lastDensity ? 1 : 0;
                int gap = k < firstDensity ? firstDensity - k : k > lastDensity ? k - lastDensity : 0;
                f[DensityGap] = Math.Min(1f, gap / 10f);
            }
            f[PageLogChars] = Log(total, 12);
            f[BlockShare] = (float)b.Chars / total;
            f[RankChars] = blocks.RankScratch[k];
            f[CharsOverMax] = (float)b.Chars / Math.Max(1, blocks.PageMaxChars);
            f[CharsOverMedian] = Math.Clamp(MathF.Log((1f + b.Chars) / (1f + blocks.PageMedianChars)) / 4f, -1f, 1f);
            f[RankLinkPoor] = b.LinkDensity < 0.3f ? blocks.RankScratch[k] : 0;

            Neighbour(blocks, k - 1, f, Prev1, full: true);
            Neighbour(blocks, k + 1, f, Next1, full: true);
            Neighbour(blocks, k - 2, f, Prev2, full: false);
            Neighbour(blocks, k + 2, f, Next2, full: false);
            float wl = 0, wd = 0;
            int wn = 0;
            for (int j = Math.Max(0, k - 3); j <= Math.Min(all.Length - 1, k + 3); j++)
            {
                wl += all[j].LinkDensity;
                wd += (float)all[j].DensityChars / Math.Max(1, all[j].Chars);
                wn++;
            }
            f[WindowLinkDensity] = wl / wn;
            f[WindowDensityShare] = wd / wn;

            int container = nodes[owner].Parent;
            if (container > 0)
            {
                int cc = blocks.SubtreeChars[container];
                f[Container] = Log(cc, 10);
                f[Container + 1] = cc == 0 ? 0 : Math.Min(1f, (float)blocks.SubtreeLinkChars[container] / cc);
                f[Container + 2] = cc == 0 ? 0 : Math.Min(1f, (float)b.Chars / cc);
                int grand = nodes[container].Parent;
                if (grand > 0)
                {
                    int gc = blocks.SubtreeChars[grand];
                    f[GrandContainer] = Log(gc, 10);
                    f[GrandContainer + 1] = gc == 0 ? 0 : Math.Min(1f, (float)blocks.SubtreeLinkChars[grand] / gc);
                }
            }

            // Class/id words of the three nearest named elements from the text's parent up.
            int named = 0;
            ulong low = 0, high = 0;
            for (int e = nodes[b.Start].Parent; e > 0 && named < 3; e = nodes[e].Parent)
            {
                if (nodes[e].ClassAndId is null) continue;
                named++;
                low |= blocks.NameWords[2 * e];
                high |= blocks.NameWords[2 * e + 1];
            }
            for (; low != 0; low &= low - 1) f[ClassWord + System.Numerics.BitOperations.TrailingZeroCount(low)] = 1;
            for (; high != 0; high &= high - 1) f[ClassWord + 64 + System.Numerics.BitOperations.TrailingZeroCount(high)] = 1;
        }
    }

    [Flags]
    private enum NameFacts : byte
    {
        None = 0, Positive = TextBlocks.OwnNamePositive, Negative = TextBlocks.OwnNameNegative, Unlikely = TextBlocks.OwnNameUnlikely,
        /// <summary>Named for comments, and not holding the density pass's article (a wrapper such as "post comments-open" around the article is no comment section).</summary>
        CommentsOutsideArticle = 8,
    }

    /// <summary>
    /// What each element's class/id says (<see cref="TextBlocks.OwnNames"/>), and the union of that over its ancestors
    /// below the document (<see cref="TextBlocks.AncestorNames"/>): a comment thread or a sidebar is often named far
    /// above its paragraphs. One pass over the elements, parents before children, so each name is read once a page.
    /// </summary>
    private static void ClassifyNames(TextBlocks blocks, ReadOnlySpan<bool> subtreeDensity)
    {
        var nodes = blocks.Doc.Nodes;
        int count = blocks.NodeCount;
        for (int i = 0; i < count; i++)
        {
            // Positive, negative and unlikely were read by TextBlocks.Load, with the same bits.
            var facts = (NameFacts)blocks.OwnNames[i];
            if (nodes[i].ClassAndId is { } names)
            {
                if (!subtreeDensity[i] && names.AsSpan().ContainsAny(CommentWords)) facts |= NameFacts.CommentsOutsideArticle;
                (blocks.NameWords[2 * i], blocks.NameWords[2 * i + 1]) = HashWords(names);
            }
            blocks.OwnNames[i] = (byte)facts;
            int parent = nodes[i].Parent;
            blocks.AncestorNames[i] = parent > 0 ? (byte)(blocks.AncestorNames[parent] | blocks.OwnNames[parent]) : (byte)0;
        }
    }

    /// <summary>
    /// Per-page normalisation of block length: each block's rank by characters among the page's blocks (0 shortest,
    /// 1 longest; ties share the lower rank), the longest and the median block's characters. A 300-character block is
    /// the article on a page of captions and the footer on a page of long paragraphs; absolute length cannot tell.
    /// </summary>
    private static void PageRanks(ReadOnlySpan<TextBlock> all, TextBlocks blocks)
    {
        int n = all.Length;
        if (blocks.RankScratch.Length < n) blocks.RankScratch = new float[Math.Max(n, blocks.RankScratch.Length * 2)];
        if (blocks.SortScratch.Length < n) blocks.SortScratch = new int[Math.Max(n, blocks.SortScratch.Length * 2)];
        blocks.PageMaxChars = blocks.PageMedianChars = 0;
        if (n == 0) return;
        var sorted = blocks.SortScratch.AsSpan(0, n);
        for (int k = 0; k < n; k++) sorted[k] = all[k].Chars;
        sorted.Sort();
        blocks.PageMaxChars = sorted[n - 1];
        blocks.PageMedianChars = sorted[n / 2];
        for (int k = 0; k < n; k++)
        {
            // Lower bound: how many blocks are strictly shorter.
            int lo = 0, hi = n, c = all[k].Chars;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (sorted[mid] < c) lo = mid + 1; else hi = mid;
            }
            blocks.RankScratch[k] = n <= 1 ? 1 : (float)lo / (n - 1);
        }
    }

    private static void Neighbour(TextBlocks blocks, int j, Span<float> f, int at, bool full)
    {
        if (j < 0 || j >= blocks.BlockCount) return;
        ref readonly var n = ref blocks.Blocks[j];
        f[at] = Log(n.Chars, 8);
        f[at + 1] = n.LinkDensity;
        f[at + 2] = (float)n.DensityChars / Math.Max(1, n.Chars);
        if (!full) return;
        f[at + 3] = (blocks.Flags[n.Start] & PathFlags.Heading) != 0 ? 1 : 0;
        f[at + 4] = n.EndsSentence ? 1 : 0;
    }

    /// <summary>Words of ASCII letters (3 or more) of a class/id string, hashed (FNV-1a) to <see cref="ClassWords"/> bits.</summary>
    internal static (ulong Low, ulong High) HashWords(string names)
    {
        ulong low = 0, high = 0;
        int i = 0;
        while (i < names.Length)
        {
            while (i < names.Length && names[i] is not (>= 'a' and <= 'z')) i++;
            int start = i;
            uint h = 2166136261;
            while (i < names.Length && names[i] is >= 'a' and <= 'z')
            {
                h = (h ^ names[i]) * 16777619;
                i++;
            }
            if (i - start < 3) continue;
            int bit = (int)(h % ClassWords);
            if (bit < 64) low |= 1UL << bit;
            else high |= 1UL << (bit - 64);
        }
        return (low, high);
    }
}

/// <summary>
/// Second-stage features: what the first stage said about the block's neighbourhood. Main text comes in runs (a
/// paragraph between two kept paragraphs is almost always kept; a lone prose block among menus rarely is), as
/// boilerpipe's rules and Dragnet's smoothing use; a linear model cannot see that from one block's features, so the
/// first stage's probabilities of the nearby blocks, and the votes of the blocks sharing the container and the
/// grand-container (weighted by characters), are the input of a second logistic model.
/// </summary>
internal static class Stage2Features
{
    public static readonly string[] Names =
    [
        "s2.logit", "s2.p", "s2.prev1", "s2.next1", "s2.prev2", "s2.next2", "s2.mean3", "s2.mean8", "s2.max_before3", "s2.max_after3",
        "s2.sandwich5", "s2.page_max", "s2.relative_to_max", "s2.inside_span", "s2.page_kept_share", "s2.log_chars", "s2.link_density",
        "s2.density_share", "s2.chars_mean8", "s2.container_vote", "s2.grand_container_vote", "s2.heading_before_kept",
        "s2.gap_before", "s2.gap_after", "s2.short_between_kept", "s2.heading_before_kept2",
    ];

    public static int Count => Names.Length;

    /// <summary>What the second stage reads of a block besides the probabilities: container ids index the vote arrays.</summary>
    internal readonly record struct Input(int Container, int Grand, int Chars, float LinkDensity, float DensityShare, bool Heading);

    /// <summary>The second stage's inputs of the blocks of <paramref name="blocks"/> (containers are node indexes).</summary>
    public static void Inputs(TextBlocks blocks, Span<Input> into)
    {
        var all = blocks.All;
        var nodes = blocks.Doc.Nodes;
        for (int k = 0; k < all.Length; k++)
        {
            ref readonly var b = ref all[k];
            // The document node's parent is -1: text with no block ancestor votes in container 0.
            int c = b.Owner > 0 ? Math.Max(0, nodes[b.Owner].Parent) : 0, g = c > 0 ? Math.Max(0, nodes[c].Parent) : 0;
            into[k] = new Input(c, g, b.Chars, b.LinkDensity, (float)b.DensityChars / Math.Max(1, b.Chars), (blocks.Flags[b.Start] & PathFlags.Heading) != 0);
        }
    }

    /// <summary>
    /// Stage-2 features of every block from the first stage's probabilities <paramref name="p1"/>;
    /// <paramref name="sum"/> and <paramref name="chars"/> are scratch longer than any container id.
    /// </summary>
    public static void Compute(ReadOnlySpan<Input> all, ReadOnlySpan<float> p1, Span<float> into, float[] sum, float[] chars)
    {
        int n = all.Length, d = Count;
        into[..(n * d)].Clear();
        if (n == 0) return;
        float pageMax = 0, keptChars = 0, totalChars = 0;
        int first = -1, last = -1;
        for (int k = 0; k < n; k++)
        {
            pageMax = Math.Max(pageMax, p1[k]);
            totalChars += all[k].Chars;
            if (p1[k] >= 0.5f)
            {
                keptChars += all[k].Chars;
                if (first < 0) first = k;
                last = k;
            }
        }
        // Character-weighted votes per container (the owner's parent) and grand-container.
        for (int k = 0; k < n; k++)
        {
            int c = all[k].Container, g = all[k].Grand;
            sum[c] = chars[c] = sum[g] = chars[g] = 0;
        }
        for (int k = 0; k < n; k++)
        {
            int c = all[k].Container, g = all[k].Grand;
            sum[c] += p1[k] * all[k].Chars;
            chars[c] += all[k].Chars;
            if (g != c)
            {
                sum[g] += p1[k] * all[k].Chars;
                chars[g] += all[k].Chars;
            }
        }
        for (int k = 0; k < n; k++)
        {
            var f = into.Slice(k * d, d);
            float p = p1[k];
            f[0] = Math.Clamp(MathF.Log(Math.Max(p, 1e-6f) / Math.Max(1 - p, 1e-6f)), -8, 8) / 8;
            f[1] = p;
            f[2] = k >= 1 ? p1[k - 1] : 0;
            f[3] = k + 1 < n ? p1[k + 1] : 0;
            f[4] = k >= 2 ? p1[k - 2] : 0;
            f[5] = k + 2 < n ? p1[k + 2] : 0;
            f[6] = WindowMean(p1, k, 3);
            f[7] = WindowMean(p1, k, 8);
            float before3 = 0, after3 = 0, before5 = 0, after5 = 0;
            for (int j = Math.Max(0, k - 5); j < k; j++)
            {
                before5 = Math.Max(before5, p1[j]);
                if (j >= k - 3) before3 = Math.Max(before3, p1[j]);
            }
            for (int j = k + 1; j <= Math.Min(n - 1, k + 5); j++)
            {
                after5 = Math.Max(after5, p1[j]);
                if (j <= k + 3) after3 = Math.Max(after3, p1[j]);
            }
            f[8] = before3;
            f[9] = after3;
            f[10] = Math.Min(before5, after5);
            f[11] = pageMax;
            f[12] = pageMax <= 0 ? 0 : p / pageMax;
            f[13] = first >= 0 && k >= first && k <= last ? 1 : 0;
            f[14] = totalChars <= 0 ? 0 : keptChars / totalChars;
            f[15] = MathF.Log(1 + all[k].Chars) / 8;
            f[16] = all[k].LinkDensity;
            f[17] = all[k].DensityShare;
            float ws = 0, wc = 0;
            for (int j = Math.Max(0, k - 8); j <= Math.Min(n - 1, k + 8); j++)
            {
                if (j == k) continue;
                ws += p1[j] * all[j].Chars;
                wc += all[j].Chars;
            }
            f[18] = wc <= 0 ? 0 : ws / wc;
            f[19] = Vote(sum[all[k].Container], chars[all[k].Container], p, all[k].Chars);
            f[20] = Vote(sum[all[k].Grand], chars[all[k].Grand], p, all[k].Chars);
            f[21] = all[k].Heading && k + 1 < n && p1[k + 1] >= 0.5f ? 1 : 0;
            // How far the nearest likely main-text block is, before and after (6: none within 5 blocks): main text
            // comes in runs, and a short line (a byline, a caption, a one-sentence paragraph) or a heading right
            // beside such a run usually belongs to it.
            int before = 6, after = 6;
            for (int j = k - 1; j >= Math.Max(0, k - 5); j--)
                if (p1[j] >= 0.5f)
                {
                    before = k - j;
                    break;
                }
            for (int j = k + 1; j <= Math.Min(n - 1, k + 5); j++)
                if (p1[j] >= 0.5f)
                {
                    after = j - k;
                    break;
                }
            f[22] = before / 6f;
            f[23] = after / 6f;
            f[24] = all[k].Chars < 100 && before <= 2 && after <= 2 ? 1 : 0;
            f[25] = all[k].Heading && after <= 2 ? 1 : 0;
        }
    }

    /// <summary>The character-weighted mean probability of the other blocks of a container; the block's own when it is alone.</summary>
    private static float Vote(float sum, float chars, float own, int ownChars)
    {
        float others = chars - ownChars;
        return others <= 0 ? own : (sum - own * ownChars) / others;
    }

    private static float WindowMean(ReadOnlySpan<float> p, int k, int radius)
    {
        float s = 0;
        int c = 0;
        for (int j = Math.Max(0, k - radius); j <= Math.Min(p.Length - 1, k + radius); j++)
        {
            if (j == k) continue;
            s += p[j];
            c++;
        }
        return c == 0 ? 0 : s / c;
    }
}
