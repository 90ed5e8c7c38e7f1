using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ScaiControl.Tests.Web.Browser;

/// <summary>
/// The template designer in Chromium against the real app: GrapesJS loads from the app itself (no other host is ever
/// asked), an edit in the canvas reaches the live preview rendered by the server, the Handlebars blocks are still in
/// place in the HTML the designer gives back, a published version is in force, and a broken one is refused with its line.
/// </summary>
public sealed partial class TemplateDesignerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Operator = "ops@scailabs.example";
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _foreignRequests = [];
    private readonly List<string> _cspViolations = [];
    private PortalApp? _app;
    private HeadlessChromium? _chromium;

    /// <inheritdoc/>
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [ChromiumFact]
    public async Task OperatorEditsNordicsTemplateInTheDesigner_PreviewFollows_BlocksSurvive_PublishPutsItInForce()
    {
        _app = await PortalApp.StartAsync(ChromiumFactAttribute.ChromiumPath, TimeSpan.FromSeconds(120));
        _chromium = await HeadlessChromium.LaunchAsync();
        var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app.BaseAddress.ToString(), ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                output.WriteLine($"browser console error: {message.Text} ({message.Location})");
                if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    _cspViolations.Add(message.Text);
                }
            }
        };
        context.Request += (_, request) =>
        {
            if (request.Url.StartsWith("http", StringComparison.Ordinal) && !request.Url.StartsWith(_app.BaseAddress.ToString(), StringComparison.Ordinal))
            {
                _foreignRequests.Add(request.Url);
            }
        };

        try
        {
            await page.GotoAsync("sign-in");
            await page.ClickAsync($"[data-testid='sign-in-{Operator}']");
            await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveAttributeAsync("data-email", Operator);
            await page.GotoAsync("admin/templates");
            await page.Locator("h1[data-interactive]").WaitForAsync();
            await page.Locator("tr", new() { HasText = "Nordic Cloud AB" }).GetByTestId("template-link").ClickAsync();
            await page.WaitForURLAsync(TemplateUrl());
            await page.Locator("h1[data-interactive]").WaitForAsync();
            await page.Locator("[data-testid='template-designer'] .gjs-frame").WaitForAsync();
            await Assertions.Expect(page.GetByTestId("template-preview")).ToHaveAttributeAsync("srcdoc", new Regex("data-brand=\"nordic-cloud\""));

            // An edit in the canvas (through GrapesJS' own API, as its text editor does) reaches the preview.
            await page.EvaluateAsync("""
                () => {
                  const designer = document.querySelector("[data-testid='template-designer']").__scaiDesigner;
                  designer.editor.getWrapper().find('h1')[0].components('Faktura {{number}}');
                }
                """);
            await Assertions.Expect(page.GetByTestId("template-preview")).ToHaveAttributeAsync("srcdoc", new Regex("Faktura SCAI-2026-000042"));
            await Assertions.Expect(page.FrameLocator("[data-testid='template-preview']").Locator("h1")).ToHaveTextAsync("Faktura SCAI-2026-000042");
            await page.GetByTitle("Blocks").ClickAsync();
            await Assertions.Expect(page.Locator(".gjs-block", new() { HasText = "If buyer VAT id" })).ToBeVisibleAsync();
            await SnapAsync(page, "templates-1-designer");

            // The document the designer gives back still has every block where it was.
            var html = await page.EvaluateAsync<string>("""
                async () => (await import('/js/template-designer.js')).getHtml(document.querySelector("[data-testid='template-designer']"))
                """);
            Assert.Matches(@"<tbody>\s*<!--HB:\{\{#each lines\}\}-->\s*<tr>", html);
            Assert.Matches(@"</tr>\s*<!--HB:\{\{/each\}\}-->\s*</tbody>", html);
            Assert.Matches(@"<!--HB:\{\{#if buyer.vat_id\}\}-->\s*<div>VAT ID: \{\{buyer.vat_id\}\}</div>\s*<!--HB:\{\{/if\}\}-->", html);
            Assert.Matches(@"<td>\{\{category_text\}\} \(\{\{category\}\}\)<!--HB:\{\{#if exemption_reason\}\}--><br ?/?>\{\{exemption_reason\}\}<!--HB:\{\{/if\}\}--></td>", html);
            // No style was touched: the document's CSS comes back as written.
            Assert.Contains("@page { size: A4; margin: 14mm 16mm; }", html, StringComparison.Ordinal);
            Assert.Contains("<title>{{title}} {{number}} · Nordic Cloud AB</title>", html, StringComparison.Ordinal);

            await page.GetByTestId("template-publish").ClickAsync();
            await Assertions.Expect(page.GetByTestId("confirm-message")).ToContainTextAsync("in force");
            await page.GetByTestId("confirm-ok").ClickAsync();
            await Assertions.Expect(page.GetByTestId("template-notice")).ToContainTextAsync("Published version 2");
            await Assertions.Expect(page.GetByTestId("template-version")).ToContainTextAsync("Version 2, published, in force");
            await Assertions.Expect(page.GetByTestId("template-preview")).ToHaveAttributeAsync("srcdoc", new Regex("Onboarding workshop"));

            // The source tab shows the same document; a broken body is refused with its line and nothing is published.
            await page.GetByRole(AriaRole.Tab, new() { Name = "HTML source" }).ClickAsync();
            var source = page.GetByTestId("template-source");
            Assert.Contains("Faktura {{number}}", await source.InputValueAsync(), StringComparison.Ordinal);
            await source.FillAsync("<p>\n{{#if notes}}\n</p>");
            await source.DispatchEventAsync("change");
            await Assertions.Expect(page.GetByTestId("template-preview-error")).ToContainTextAsync("line 2:");
            await page.GetByTestId("template-publish").ClickAsync();
            await Assertions.Expect(page.GetByTestId("confirm-message")).ToContainTextAsync("in force");
            await page.GetByTestId("confirm-ok").ClickAsync();
            await Assertions.Expect(page.GetByTestId("template-error")).ToContainTextAsync("Not published");
            await Assertions.Expect(page.GetByTestId("template-error")).ToContainTextAsync("line 2:");
            await Assertions.Expect(page.GetByTestId("template-version")).ToContainTextAsync("Version 3, draft");
            await SnapAsync(page, "templates-2-refused");

            await page.GotoAsync("admin/templates");
            await page.Locator("h1[data-interactive]").WaitForAsync();
            var nordicRows = page.Locator("tr", new() { HasText = "Nordic Cloud AB" });
            await Assertions.Expect(nordicRows).ToHaveCountAsync(3);
            await Assertions.Expect(nordicRows.Filter(new() { Has = page.GetByTestId("template-in-force") })).ToContainTextAsync("2");

            Assert.Empty(_foreignRequests);
            Assert.Empty(_pageErrors);
            Assert.Empty(_cspViolations); // the designer (GrapesJS canvas, preview frame) works under the app's CSP
        }
        catch
        {
            output.WriteLine($"page: {page.Url}\n{await page.ContentAsync()}");
            output.WriteLine($"app log:\n{_app.Log}");
            throw;
        }
    }

    private static async Task SnapAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SCAI_UI_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
        }
    }

    [GeneratedRegex(@"/admin/templates/tpl_")]
    private static partial Regex TemplateUrl();
}
