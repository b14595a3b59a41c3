using System.Runtime.CompilerServices;
using System.Text;

namespace DataPipe.Tests.Support;

/// <summary>
/// Tests build their own pages in legacy encodings (windows-1252, shift_jis, koi8-r) with Encoding.GetEncoding. The
/// code pages are registered once when the test assembly loads, so no test depends on another one (or on
/// HtmlCharset's static constructor) having registered them first: xunit's order differs between runs.
/// </summary>
internal static class CodePages
{
    [ModuleInitializer]
    internal static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
