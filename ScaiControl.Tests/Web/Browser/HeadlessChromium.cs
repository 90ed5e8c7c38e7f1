using Microsoft.Playwright;

namespace ScaiControl.Tests.Web.Browser;

/// <summary>
/// Debian's chromium (<see cref="ChromiumFactAttribute.ChromiumPath"/>, never a downloaded browser) driven by
/// Playwright, headless and without background traffic: the one browser launch of the browser tests.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The browser; tests open their own contexts (base URL, viewport, downloads) on it.</summary>
    public IBrowser Browser { get; }

    /// <summary>Starts Playwright and launches chromium.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Closes the browser and stops Playwright.</summary>
    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
