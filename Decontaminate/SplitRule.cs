namespace DataPipe.Decontaminate;

/// <summary>Why the split rule removed a whole document.</summary>
public enum SplitDrop
{
    None,

    /// <summary>The cuts left more than <see cref="SplitRule.MaxPieces"/> pieces: the document is contaminated throughout.</summary>
    TooManyPieces,

    /// <summary>No piece reached <see cref="SplitRule.MinPieceChars"/>.</summary>
    NoPieceLongEnough,
}

/// <summary>What the split rule keeps of one document: the pieces (character ranges) long enough to keep, or a drop reason.</summary>
public sealed record SplitResult(IReadOnlyList<(int Start, int Length)> Kept, int Pieces, int PiecesBelowFloor, SplitDrop Drop);

/// <summary>
/// GPT-3's rule for a document that shares n-grams with a benchmark (Brown et al. 2020, appendix C; the values OpenAI
/// used, as the EleutherAI evaluation harness's janitor records them): remove each matched span and
/// <see cref="WindowChars"/> = 200 characters on either side, which splits the document into pieces; discard pieces
/// shorter than <see cref="MinPieceChars"/> = 200 characters; a document split into more than <see cref="MaxPieces"/> = 10
/// pieces is contaminated throughout and removed whole. Pieces are counted after the cut and before the short ones are
/// discarded, and a piece is the text between two removed regions exactly as it stands (not trimmed).
/// </summary>
public sealed record SplitRule
{
    public int WindowChars { get; init; } = 200;

    public int MinPieceChars { get; init; } = 200;

    public int MaxPieces { get; init; } = 10;

    public SplitResult Apply(int textLength, IReadOnlyList<(int Start, int End)> spans)
    {
        var pieces = new List<(int Start, int Length)>();
        int cursor = 0;
        int i = 0;
        while (i < spans.Count)
        {
            int cutStart = Math.Max(0, spans[i].Start - WindowChars);
            int cutEnd = Math.Min(textLength, spans[i].End + WindowChars);
            // Spans whose windows overlap make one removed region.
            for (i++; i < spans.Count && spans[i].Start - WindowChars <= cutEnd; i++)
                cutEnd = Math.Max(cutEnd, Math.Min(textLength, spans[i].End + WindowChars));
            if (cutStart > cursor) pieces.Add((cursor, cutStart - cursor));
            cursor = Math.Max(cursor, cutEnd);
        }
        if (cursor < textLength) pieces.Add((cursor, textLength - cursor));
        if (pieces.Count > MaxPieces) return new SplitResult([], pieces.Count, 0, SplitDrop.TooManyPieces);
        var kept = pieces.Where(p => p.Length >= MinPieceChars).ToList();
        int below = pieces.Count - kept.Count;
        return new SplitResult(kept, pieces.Count, below, kept.Count == 0 ? SplitDrop.NoPieceLongEnough : SplitDrop.None);
    }
}
