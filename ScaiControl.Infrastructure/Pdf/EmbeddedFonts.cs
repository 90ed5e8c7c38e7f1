namespace ScaiControl.Infrastructure.Pdf;

/// <summary>
/// The document fonts shipped inside the app (DejaVu Sans regular and bold, Bitstream Vera derived licence in
/// Pdf/Fonts/LICENSE-DejaVu.txt). Before printing, @font-face rules are inserted that name them under
/// <see cref="Origin"/>, an address the PDF renderer answers itself from these bytes (request interception; every
/// other request is refused), so a PDF looks the same on every machine and rendering never fetches anything (issue
/// 3). The stored HTML snapshot stays small: fonts are added at print time by the one PDF pipeline, and the browser
/// caches them across documents.
/// </summary>
public static class EmbeddedFonts
{
    /// <summary>The family name the templates use.</summary>
    public const string Family = "DejaVu Sans";

    /// <summary>The in-process origin the fonts are served from (.invalid: never resolvable, RFC 2606).</summary>
    public const string Origin = "https://fonts.scaicontrol.invalid/";

    private static readonly Dictionary<string, byte[]> Files = new[] { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" }.ToDictionary(f => f, Load, StringComparer.Ordinal);

    private static readonly string Style =
        $"<style data-scai-fonts>{Face("DejaVuSans.ttf", 400)}{Face("DejaVuSans-Bold.ttf", 700)}</style>";

    /// <summary>The bytes of a shipped font by its URL under <see cref="Origin"/>, or null.</summary>
    public static byte[]? Resolve(string url) =>
        url.StartsWith(Origin, StringComparison.Ordinal) && Files.TryGetValue(url[Origin.Length..], out var bytes) ? bytes : null;

    /// <summary>Returns <paramref name="html"/> with the @font-face rules inserted at the start of its head (or of the document when it has none).</summary>
    public static string Inline(string html)
    {
        var head = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        return head >= 0 ? html.Insert(head + "<head>".Length, Style) : Style + html;
    }

    private static string Face(string file, int weight) =>
        $"@font-face{{font-family:\"{Family}\";font-weight:{weight};font-style:normal;src:url({Origin}{file}) format(\"truetype\");}}";

    private static byte[] Load(string file)
    {
        using var stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream($"ScaiControl.Infrastructure.Pdf.Fonts.{file}")
            ?? throw new InvalidOperationException($"The font {file} is not embedded.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
