using System.Globalization;
using System.Text;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// A plain-text table for summaries read in a terminal and in a log file alike: fixed columns sized to their widest
/// cell, one line per row, no box characters, no wrapping of cells but the last column's when it would pass
/// <see cref="TextWrap.Columns"/> (see <see cref="Lines"/>); and note rows, free
/// text indented under the row they belong to (a step's drop reasons, each on its own line), word-wrapped at
/// <see cref="TextWrap.Columns"/> when longer (a failed task's error and log).
/// </summary>
public sealed class TextTable
{
    private readonly List<(string Header, bool Right)> _columns = [];
    private readonly List<string[]?> _rows = [];
    private readonly List<string?> _notes = [];

    /// <summary>Adds a column; numbers read best right-aligned.</summary>
    public TextTable Column(string header, bool right = false)
    {
        _columns.Add((header, right));
        return this;
    }

    public TextTable Row(params string[] cells)
    {
        if (cells.Length != _columns.Count) throw new ArgumentException($"{cells.Length} cells for {_columns.Count} columns", nameof(cells));
        _rows.Add(cells);
        _notes.Add(null);
        return this;
    }

    /// <summary>A line of its own under the last row, indented by four spaces.</summary>
    public TextTable Note(string text)
    {
        _rows.Add(null);
        _notes.Add(text);
        return this;
    }

    /// <summary>
    /// The table as lines of at most <see cref="TextWrap.Columns"/> characters, provided the columns before the last fit
    /// (callers keep those cells short: names, counts). The last column takes the room that is left: a longer cell is
    /// word-wrapped inside that column when it is left-aligned and the room is at least <see cref="MinWrapRoom"/>
    /// (a sample row's text), else it goes on the lines under its row, indented, as a note would.
    /// </summary>
    public IReadOnlyList<string> Lines()
    {
        int n = _columns.Count;
        var widths = _columns.Select(c => c.Header.Length).ToArray();
        foreach (var row in _rows.OfType<string[]>())
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        // The room the last column has; it is as wide as its widest cell that fits there.
        int before = widths.Take(n - 1).Sum() + 2 * (n - 1);
        int room = Math.Max(TextWrap.Columns - before, _columns[n - 1].Header.Length);
        widths[n - 1] = _rows.OfType<string[]>().Select(row => row[n - 1].Length).Where(w => w <= room).Append(_columns[n - 1].Header.Length).Max();
        bool wrapInside = !_columns[n - 1].Right && room >= MinWrapRoom;
        string Format(IReadOnlyList<string> cells)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < cells.Count; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append(_columns[i].Right ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
            }
            return sb.ToString().TrimEnd();
        }
        var lines = new List<string> { Format([.. _columns.Select(c => c.Header)]) };
        lines.Add(new string('-', lines[0].Length));
        for (int r = 0; r < _rows.Count; r++)
        {
            if (_rows[r] is not { } cells)
            {
                lines.AddRange(TextWrap.Wrap(_notes[r]!, TextWrap.Columns, indent: "    "));
                continue;
            }
            string last = cells[n - 1];
            if (last.Length <= room)
            {
                lines.Add(Format(cells));
                continue;
            }
            var head = cells.Take(n - 1).Append("").ToArray();
            if (wrapInside)
            {
                var parts = TextWrap.Wrap(last, room, hanging: 0);
                head[n - 1] = parts[0];
                lines.Add(Format(head));
                lines.AddRange(parts.Skip(1).Select(p => (new string(' ', before) + p).TrimEnd()));
            }
            else
            {
                lines.Add(Format(head));
                lines.AddRange(TextWrap.Wrap(last, TextWrap.Columns, indent: "    "));
            }
        }
        return lines;
    }

    /// <summary>The least room in which the last column's long cells are wrapped in place rather than put under their row.</summary>
    public const int MinWrapRoom = 24;

    /// <summary>
    /// A count in a cell: exact below ten million (at most 9 characters, "9,999,999"), else four significant digits and
    /// M, G (10⁹) or T (10¹²), so a crawl-sized row still fits 80 columns; the records keep the exact numbers.
    /// </summary>
    public static string Count(long v)
    {
        if (Math.Abs(v) < 10_000_000) return v.ToString("N0", CultureInfo.InvariantCulture);
        var (scale, unit) = Math.Abs(v) switch { < 1_000_000_000 => (1e6, "M"), < 1_000_000_000_000 => (1e9, "G"), _ => (1e12, "T") };
        double x = v / scale;
        string digits = Math.Abs(x) >= 100 ? "F1" : Math.Abs(x) >= 10 ? "F2" : "F3";
        return x.ToString(digits, CultureInfo.InvariantCulture) + " " + unit;
    }

    /// <summary>Seconds in a cell: tenths below 10,000 s, whole seconds above.</summary>
    public static string Seconds(double s) => s.ToString(s < 10_000 ? "F1" : "F0", CultureInfo.InvariantCulture);

    public void WriteTo(TextWriter writer)
    {
        foreach (var line in Lines()) writer.WriteLine(line);
    }
}
