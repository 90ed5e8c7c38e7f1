using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using ScaiControl.Infrastructure.Pdf;

namespace ScaiControl.Tests.Infrastructure.Pdf;

/// <summary>The PDF pipeline inlines the shipped fonts: nothing is fetched, and the PDF embeds DejaVu Sans.</summary>
public sealed class EmbeddedFontsTests
{
    [Fact]
    public void Inline_AddsRegularAndBoldFaces_ServedFromTheRenderersOwnOrigin()
    {
        var html = EmbeddedFonts.Inline("<html><head><title>x</title></head><body>x</body></html>");
        Assert.StartsWith("<html><head><style data-scai-fonts>@font-face", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("@font-face").Length - 1);
        Assert.Contains("font-weight:700", html, StringComparison.Ordinal);
        var font = EmbeddedFonts.Resolve(EmbeddedFonts.Origin + "DejaVuSans-Bold.ttf");
        Assert.NotNull(font);
        Assert.Equal(new byte[] { 0, 1, 0, 0 }, font[..4]); // TrueType magic 0x00010000
        Assert.Null(EmbeddedFonts.Resolve(EmbeddedFonts.Origin + "../secrets"));
        Assert.Null(EmbeddedFonts.Resolve("https://example.com/DejaVuSans.ttf"));
    }

    [Fact]
    public async Task ADocumentReferringToTheNetwork_IsPrintedWithoutFetchingIt()
    {
        var chromium = Environment.GetEnvironmentVariable("SCAI_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"chromium is needed at {chromium}: run scripts/test.sh, which installs it");
        var requests = 0;
        var (server, baseUrl) = await ScaiControl.Tests.Integration.LoopbackServer.StartAsync(app =>
            app.MapGet("/pixel.png", () => { Interlocked.Increment(ref requests); return Microsoft.AspNetCore.Http.Results.Bytes([], "image/png"); }));
        await using (server)
        {
            await using var renderer = new ChromiumPdfRenderer(new PdfOptions { ChromiumPath = chromium }, NullLogger<ChromiumPdfRenderer>.Instance);
            var pdf = await renderer.RenderAsync($"<html><head></head><body><img src=\"{baseUrl}/pixel.png\"><p>Invoice</p></body></html>");
            Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(pdf[..4]), StringComparison.Ordinal);
            Assert.Equal(0, requests);
        }
    }

    [Fact]
    public async Task APrintedDocument_EmbedsDejaVuSans()
    {
        var chromium = Environment.GetEnvironmentVariable("SCAI_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"chromium is needed at {chromium}: run scripts/test.sh, which installs it");
        await using var renderer = new ChromiumPdfRenderer(new PdfOptions { ChromiumPath = chromium }, NullLogger<ChromiumPdfRenderer>.Instance);
        var pdf = await renderer.RenderAsync("<html><head><style>body{font-family:\"DejaVu Sans\"}</style></head><body><p>Invoice SCAI-2026-000001</p><b>Total due</b></body></html>");
        var path = Path.Combine(Path.GetTempPath(), $"fonts-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var fonts = await Run("pdffonts", path);
            var dejavu = fonts.Split('\n').Where(l => l.Contains("DejaVuSans", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(dejavu);
            Assert.All(dejavu, line => Assert.Contains(" yes ", line, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<string> Run(string tool, string argument)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, [argument]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
