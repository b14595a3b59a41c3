using DataPipe.Decontaminate;

namespace DataPipe.Tests.Decontaminate;

/// <summary>GPT-3's cut-and-split rule at its edges: 200 characters either side, pieces under 200 dropped, more than 10 pieces drops the document.</summary>
public class SplitRuleTests
{
    private static readonly SplitRule Gpt3 = new();

    /// <summary>Spans of 13 characters, one every <paramref name="every"/> characters starting at <paramref name="first"/>.</summary>
    private static List<(int Start, int End)> Spans(int count, int first, int every) =>
        [.. Enumerable.Range(0, count).Select(i => (first + i * every, first + i * every + 13))];

    [Fact]
    public void A_document_cut_into_exactly_ten_long_pieces_keeps_all_ten()
    {
        // Each cut removes 200 + 13 + 200 = 413 chars; a gap of 300 chars between cuts leaves 300-char pieces.
        var spans = Spans(9, first: 500, every: 413 + 300);
        int length = spans[^1].End + 200 + 300;
        var r = Gpt3.Apply(length, spans);
        Assert.Equal(SplitDrop.None, r.Drop);
        Assert.Equal(10, r.Pieces);
        Assert.Equal(10, r.Kept.Count);
        Assert.Equal((0, 300), r.Kept[0]);
        Assert.All(r.Kept, p => Assert.Equal(300, p.Length));
    }

    [Fact]
    public void A_document_cut_into_eleven_pieces_is_dropped_whole()
    {
        var spans = Spans(10, first: 500, every: 413 + 300);
        int length = spans[^1].End + 200 + 300;
        var r = Gpt3.Apply(length, spans);
        Assert.Equal(11, r.Pieces);
        Assert.Equal(SplitDrop.TooManyPieces, r.Drop);
        Assert.Empty(r.Kept);
    }

    [Fact]
    public void Eleven_pieces_count_even_when_short_ones_would_be_discarded()
    {
        // Pieces of 50 chars between cuts: GPT-3 counts the pieces the split makes, before discarding short ones.
        var spans = Spans(10, first: 500, every: 413 + 50);
        var r = Gpt3.Apply(spans[^1].End + 200 + 500, spans);
        Assert.Equal(SplitDrop.TooManyPieces, r.Drop);
    }

    [Fact]
    public void A_piece_of_exactly_the_floor_is_kept_and_one_char_shorter_is_discarded()
    {
        // Span at [400, 413): the cut is [200, 613); the piece before it is [0, 200) = 200 chars.
        var atFloor = Gpt3.Apply(613 + 199, [(400, 413)]);
        Assert.Equal(new[] { (0, 200) }, atFloor.Kept);
        Assert.Equal(1, atFloor.PiecesBelowFloor);
        var below = Gpt3.Apply(612 + 200, [(399, 412)]);
        Assert.Equal(new[] { (612, 200) }, below.Kept);
        Assert.Equal(1, below.PiecesBelowFloor);
    }

    [Fact]
    public void A_document_whose_pieces_are_all_below_the_floor_is_dropped()
    {
        var r = Gpt3.Apply(1000, [(350, 650)]);
        Assert.Equal(2, r.Pieces);
        Assert.Equal(SplitDrop.NoPieceLongEnough, r.Drop);
    }

    [Fact]
    public void Spans_whose_windows_overlap_make_one_cut()
    {
        // 300 chars apart: their 200-char windows overlap, so one region [300, 1213) is removed.
        var r = Gpt3.Apply(2000, [(500, 513), (800, 813), (1000, 1013)]);
        Assert.Equal(2, r.Pieces);
        Assert.Equal(new[] { (0, 300), (1213, 787) }, r.Kept);
    }

    [Fact]
    public void A_match_at_the_start_of_the_document_leaves_one_piece_after_it()
    {
        var r = Gpt3.Apply(1000, [(0, 13)]);
        Assert.Equal(new[] { (213, 787) }, r.Kept);
        Assert.Equal(1, r.Pieces);
    }
}
