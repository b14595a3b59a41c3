namespace DataPipe.Ingest.Extraction;

/// <summary>
/// Turns an HTML page into its main text: the article body without navigation, menus, footers, cookie banners,
/// comments or scripts; paragraphs separated by blank lines; headings and list items that belong to the content kept.
/// Implementations never throw on malformed HTML and bound their work on hostile pages.
/// </summary>
public interface IMainTextExtractor
{
    /// <summary>Short name, used by the <c>--extractor</c> option and in stats.</summary>
    string Name { get; }

    /// <summary>The main text of <paramref name="html"/>; empty when the page has none. <paramref name="url"/> may help resolve context.</summary>
    string Extract(string html, string? url = null);

    /// <summary>
    /// The same over characters held elsewhere: ingest decodes each page into one reused buffer, so an extractor that
    /// reads spans needs no string of the whole page. The default makes that string.
    /// </summary>
    string Extract(ReadOnlySpan<char> html, string? url = null) => Extract(html.ToString(), url);
}
