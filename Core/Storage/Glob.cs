using System.Text;
using System.Text.RegularExpressions;

namespace DataPipe.Core.Storage;

/// <summary>Glob patterns: <c>*</c> and <c>?</c> within one path segment, <c>**</c> across segments, <c>[abc]</c> classes.</summary>
public static class Glob
{
    public static bool HasWildcards(string s) => s.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>The part of a pattern before its first wildcard segment: the folder (or key prefix) to list from.</summary>
    public static string FixedPrefix(string pattern)
    {
        int w = pattern.AsSpan().IndexOfAny("*?[");
        if (w < 0) return pattern;
        int slash = pattern.LastIndexOf('/', w);
        return slash < 0 ? "" : pattern[..(slash + 1)];
    }

    public static Regex ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" matches zero or more whole segments; a trailing "**" matches anything.
                bool slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                sb.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else if (c == '[')
            {
                int end = pattern.IndexOf(']', i + 1);
                if (end < 0) sb.Append(@"\[");
                else
                {
                    string body = pattern[(i + 1)..end];
                    if (body.StartsWith('!')) body = "^" + body[1..];
                    sb.Append('[').Append(body.Replace(@"\", @"\\")).Append(']');
                    i = end;
                }
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
