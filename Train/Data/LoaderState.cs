namespace DataPipe.Train.Data;

/// <summary>
/// Where a <see cref="BatchLoader"/> stands in its token stream: the epoch, the index into that epoch's order of row
/// groups, the document (in the row group's shuffled order) and the token within it of the next unread token, and the
/// token carried over from the previous window (windows overlap by one token: the last target of a window is the first
/// input of the next; -1 before the first window). Part of every checkpoint.
/// </summary>
public sealed record LoaderState(int Epoch, int Unit, int Document, int Offset, int Carry)
{
    public static readonly LoaderState Start = new(0, 0, 0, 0, -1);
}
