using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace ScaiControl.Infrastructure.Pdf;

/// <summary>Turns an HTML document into PDF bytes (A4).</summary>
public interface IPdfRenderer
{
    /// <summary>Null when the renderer can work, else the plain reason it cannot (e.g. Chromium is not installed).</summary>
    string? UnavailableReason { get; }

    /// <summary>Renders <paramref name="html"/> (a whole document, no external resources) to PDF.</summary>
    /// <exception cref="PdfRendererUnavailableException">No renderer on this machine.</exception>
    Task<byte[]> RenderAsync(string html, CancellationToken ct = default);
}

/// <summary>The renderer is missing; the message says why and what to install.</summary>
public sealed class PdfRendererUnavailableException(string reason) : Exception(reason);

/// <summary>Pdf:ChromiumPath (default /usr/bin/chromium, Debian's package) and Pdf:MaxPages (pages kept open for reuse).</summary>
public sealed class PdfOptions
{
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";
    public int MaxPages { get; set; } = 2;
}

/// <summary>
/// Headless Chromium through Microsoft.Playwright with the system browser: one long-lived browser, pages reused
/// (about 75 ms per one-page invoice here, against ~500 ms with a new page each time; ../shared/STACK.md).
/// Nothing is downloaded; if the executable is missing the renderer says so and finalisation goes on without PDFs.
/// The document fonts are inlined first (<see cref="EmbeddedFonts"/>), so no font is looked up or fetched.
/// </summary>
public sealed class ChromiumPdfRenderer(PdfOptions options, ILogger<ChromiumPdfRenderer> logger) : IPdfRenderer, IAsyncDisposable
{
    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly SemaphoreSlim _slots = new(options.MaxPages, options.MaxPages);
    private readonly System.Collections.Concurrent.ConcurrentBag<IPage> _idle = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <inheritdoc/>
    public string? UnavailableReason => File.Exists(options.ChromiumPath)
        ? null
        : $"The PDF renderer is not available: Chromium was not found at {options.ChromiumPath}. Install Debian's chromium package (scripts/run.sh does) and the PDF is rendered automatically.";

    /// <inheritdoc/>
    public async Task<byte[]> RenderAsync(string html, CancellationToken ct = default)
    {
        if (UnavailableReason is { } reason)
        {
            throw new PdfRendererUnavailableException(reason);
        }

        await _slots.WaitAsync(ct);
        IPage? page = null;
        try
        {
            page = _idle.TryTake(out var idle) && !idle.IsClosed ? idle : await NewPageAsync(ct);
            await page.SetContentAsync(EmbeddedFonts.Inline(html), new PageSetContentOptions { WaitUntil = WaitUntilState.Load });
            var pdf = await page.PdfAsync(new PagePdfOptions { Format = "A4", PrintBackground = true, PreferCSSPageSize = true });
            _idle.Add(page);
            page = null;
            return pdf;
        }
        finally
        {
            if (page is not null)
            {
                await page.CloseAsync();
            }

            _slots.Release();
        }
    }

    private async Task<IPage> NewPageAsync(CancellationToken ct)
    {
        var page = await (await BrowserAsync(ct)).NewPageAsync();
        // The page answers font requests itself and refuses every other request: printing never touches the network.
        await page.RouteAsync("**/*", route => EmbeddedFonts.Resolve(route.Request.Url) is { } font
            ? route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 200,
                BodyBytes = font,
                ContentType = "font/ttf",
                Headers = new Dictionary<string, string> { ["Cache-Control"] = "public, max-age=31536000, immutable", ["Access-Control-Allow-Origin"] = "*" },
            })
            : route.AbortAsync("blockedbyclient"));
        return page;
    }

    private async Task<IBrowser> BrowserAsync(CancellationToken ct)
    {
        if (_browser is { IsConnected: true })
        {
            return _browser;
        }

        await _start.WaitAsync(ct);
        try
        {
            if (_browser is { IsConnected: true })
            {
                return _browser;
            }

            _playwright ??= await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = options.ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            logger.LogInformation("Started Chromium at {Path} for PDF rendering", options.ChromiumPath);
            return _browser;
        }
        finally
        {
            _start.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        _start.Dispose();
        _slots.Dispose();
    }
}
