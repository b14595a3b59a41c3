using DataPipe.Core.Documents;
using DataPipe.Tests.Support;

namespace DataPipe.Tests.Filter;

/// <summary>Hand-written texts for the rule tests: ordinary prose, and ways to break it one rule at a time.</summary>
internal static class CraftedText
{
    /// <summary>Four paragraphs of plain English prose (about 190 words) that every rule keeps.</summary>
    public const string Prose =
        "The river town grew slowly around the old stone bridge. Farmers brought their grain to the market on Saturdays, and the miller kept a ledger of every sack that passed through his doors.\n\n" +
        "In the spring of that year the water rose higher than anyone could remember. The bridge held, but the lower streets were flooded for a week, and the families who lived there moved to the church on the hill.\n\n" +
        "When the water went down, the town council met to decide what to do. Some wanted to build a wall along the bank; others thought the money would be better spent on a second bridge upstream.\n\n" +
        "In the end they chose the wall. It took three summers to finish, and the stones came from the same quarry that had supplied the bridge a century before. Children still walk along it on warm evenings.";

    public static Document Doc(string text, string lang = "en", float langScore = 0.95f)
    {
        var d = TestDocuments.Make(1, text);
        d.Lang = lang;
        d.LangScore = langScore;
        return d;
    }

    /// <summary><paramref name="count"/> different made-up words of five or six letters ("wbaca", "wbacb", ...).</summary>
    public static IEnumerable<string> DistinctWords(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var chars = new char[5];
            chars[0] = 'w';
            int x = i;
            for (int k = 4; k >= 1; k--)
            {
                chars[k] = (char)('a' + x % 26);
                x /= 26;
            }
            yield return new string(chars);
        }
    }
}
