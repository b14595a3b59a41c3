using System.Text;

namespace DataPipe.Ingest.Extraction;

/// <summary>
/// Writes extracted text the way the document schema wants it: paragraphs (and headings, list items, table rows)
/// separated by one blank line, whitespace inside a paragraph collapsed to single spaces, line breaks from
/// <c>br</c> kept as single newlines, and <c>pre</c> text kept verbatim. Separators are only written between two
/// pieces of text, so empty blocks leave no trace and the result has no leading or trailing whitespace.
/// </summary>
public sealed class BlockTextWriter
{
    private readonly StringBuilder _out;
    private int _pendingBreak; // 0 none, 1 newline, 2 blank line
    private bool _pendingSpace;

    public BlockTextWriter(int capacity = 1024) => _out = new StringBuilder(capacity);

    /// <summary>A writer over <paramref name="reuse"/>, cleared first (its capacity is kept).</summary>
    public BlockTextWriter(StringBuilder reuse) => _out = reuse.Clear();

    /// <summary>Characters written so far (separators included).</summary>
    public int Length => _out.Length;

    /// <summary>Ends the current paragraph: the next text starts after a blank line.</summary>
    public void EndBlock() => _pendingBreak = 2;

    /// <summary>A line break inside a block (<c>br</c>, a list item or a table row).</summary>
    public void LineBreak()
    {
        if (_pendingBreak < 1) _pendingBreak = 1;
    }

    /// <summary>A word boundary (between table cells, around inline images).</summary>
    public void Space() => _pendingSpace = true;

    /// <summary>Inline text: runs of whitespace (any Unicode space, no-break space included) become one space.</summary>
    public void Text(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                _pendingSpace = true;
                i++;
                continue;
            }
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '\0') i++;
            if (i == start)
            {
                i++; // NUL is dropped
                continue;
            }
            FlushSeparator();
            _out.Append(text[start..i]);
        }
    }

    /// <summary>Preformatted text: kept as is, with CR LF and CR turned into LF; line breaks at the start of a block dropped.</summary>
    public void Preformatted(ReadOnlySpan<char> text)
    {
        if (_pendingBreak > 0 || _out.Length == 0) text = text.TrimStart("\r\n");
        if (text.IsEmpty) return;
        if (text.IsWhiteSpace() && (_pendingBreak > 0 || _out.Length == 0)) return;
        FlushSeparator();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r')
            {
                _out.Append('\n');
                if (i + 1 < text.Length && text[i + 1] == '\n') i++;
            }
            else if (c != '\0') _out.Append(c);
        }
    }

    private void FlushSeparator()
    {
        if (_out.Length > 0)
        {
            if (_pendingBreak > 0)
            {
                int end = _out.Length;
                while (end > 0 && char.IsWhiteSpace(_out[end - 1])) end--;
                _out.Length = end;
            }
            if (_pendingBreak == 2) _out.Append("\n\n");
            else if (_pendingBreak == 1) _out.Append('\n');
            else if (_pendingSpace && !char.IsWhiteSpace(_out[^1])) _out.Append(' ');
        }
        _pendingBreak = 0;
        _pendingSpace = false;
    }

    public override string ToString()
    {
        int end = _out.Length;
        while (end > 0 && char.IsWhiteSpace(_out[end - 1])) end--;
        return _out.ToString(0, end);
    }
}
