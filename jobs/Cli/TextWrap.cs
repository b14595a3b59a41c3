using System.Text;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// Word wrapping for what the CLI prints, so a line reads whole in an 80-column terminal and in a log file alike.
/// A sentence breaks at spaces; its continuation lines are indented under its first word. A single word wider than
/// the line (a long path or URL) gets a line of its own and, only when it is still too wide there, is shortened in the
/// middle by <see cref="ShortenPath"/>: its root and its file name stay, whole folders in between become "...". The
/// records (summary.json, _SUCCESS.json, the kinds' reports) keep every path whole.
/// </summary>
public static class TextWrap
{
    /// <summary>The width every summary and table is written for.</summary>
    public const int Columns = 80;

    /// <summary>
    /// <paramref name="text"/> as lines of at most <paramref name="width"/> characters: the first starts with
    /// <paramref name="indent"/>, the rest with <paramref name="indent"/> and <paramref name="hanging"/> more spaces.
    /// Line breaks in the text are kept. A line that fits is left as it is; in one that is wrapped, runs of spaces
    /// between words become one.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, int width = Columns, string indent = "", int hanging = 2)
    {
        var lines = new List<string>();
        string next = indent + new string(' ', hanging);
        foreach (string paragraph in text.ReplaceLineEndings("\n").Split('\n'))
        {
            string first = lines.Count == 0 ? indent : next;
            if (first.Length + paragraph.Length <= width)
            {
                // A line that fits is printed as it is, its spacing (aligned numbers) kept.
                lines.Add((first + paragraph).TrimEnd());
                continue;
            }
            // Leading spaces stay (they align the text); runs of spaces between words become one.
            var line = new StringBuilder(first).Append(paragraph[..(paragraph.Length - paragraph.TrimStart(' ').Length)]);
            int start = line.Length;
            foreach (string word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > start && line.Length + 1 + word.Length > width)
                {
                    lines.Add(line.ToString());
                    line.Clear().Append(next);
                    start = line.Length;
                }
                if (line.Length > start) line.Append(' ');
                line.Append(ShortenPath(word, Math.Max(1, width - line.Length)));
            }
            lines.Add(line.ToString().TrimEnd());
        }
        return lines;
    }

    /// <summary>Writes <paramref name="text"/> to the console wrapped by <see cref="Wrap"/>: a command's log lines.</summary>
    public static void Print(string text)
    {
        foreach (var line in Wrap(text)) Console.WriteLine(line);
    }

    /// <summary>
    /// <paramref name="path"/> itself when at most <paramref name="max"/> characters; else its first folder, as many of
    /// its last folders and its file name as fit, and as many more leading folders as then fit, around "..."
    /// ("/srv/datapipe/.../filter/documents/_SUCCESS.json"). A URL keeps its host as its first folder. Text without a separator, or
    /// whose file name alone does not fit, is cut in the middle by <see cref="Shorten"/>.
    /// </summary>
    public static string ShortenPath(string path, int max)
    {
        const string Gap = "...";
        if (path.Length <= max) return path;
        char[] separators = ['/', '\\'];
        int name = path.LastIndexOfAny(separators);
        // The head ends just after a separator: at least the first folder ("/srv/", "C:\\"), or a URL's host
        // ("https://www.example.org/").
        int scheme = path.IndexOf("://", StringComparison.Ordinal);
        int headEnd = (scheme > 0 ? path.IndexOf('/', scheme + 3) : path.IndexOfAny(separators, 1)) + 1;
        while (headEnd > 0 && headEnd < path.Length && separators.Contains(path[headEnd])) headEnd++;
        if (name <= 0 || headEnd <= 0 || headEnd > name || headEnd + Gap.Length + (path.Length - name) > max) return Shorten(path, max);
        // Grow the tail leftwards by whole folders, then the head rightwards, while the result fits.
        int tail = name;
        while (tail > headEnd)
        {
            int prev = path.LastIndexOfAny(separators, tail - 1);
            if (prev < headEnd - 1 || headEnd + Gap.Length + (path.Length - prev) > max) break;
            tail = prev;
        }
        while (true)
        {
            int nextEnd = path.IndexOfAny(separators, headEnd) + 1;
            if (nextEnd <= 0 || nextEnd > tail || nextEnd + Gap.Length + (path.Length - tail) > max) break;
            headEnd = nextEnd;
        }
        return path[..headEnd] + Gap + path[tail..];
    }

    /// <summary><paramref name="text"/> itself when at most <paramref name="max"/> characters, else its start and end around "...".</summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max) return text;
        if (max <= 3) return text[..Math.Max(0, max)];
        int head = (max - 3) / 2;
        return text[..head] + "..." + text[^(max - 3 - head)..];
    }
}
