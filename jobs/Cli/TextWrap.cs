using System.Text;

namespace DataPipe.Jobs.Cli;

/// <summary>
/// Word wrapping for what the CLI prints, so a line reads whole in an 80-column terminal and in a log file alike.
/// A sentence breaks at spaces; its continuation lines are indented under its first word. A single word wider than
/// the line (a long path) is never cut: it gets a line of its own, so it can still be copied.
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
                line.Append(word);
            }
            lines.Add(line.ToString().TrimEnd());
        }
        return lines;
    }

    /// <summary><paramref name="text"/> itself when at most <paramref name="max"/> characters, else its start and end around "...".</summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max) return text;
        int head = (max - 3) / 2;
        return text[..head] + "..." + text[^(max - 3 - head)..];
    }
}
