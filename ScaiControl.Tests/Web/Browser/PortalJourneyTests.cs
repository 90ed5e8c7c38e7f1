using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ScaiControl.Tests.Web.Browser;

/// <summary>
/// The portal end to end in Chromium against the real app: a tenant subscribes (an interactive click through the
/// Blazor circuit), the operator runs billing for the current month and watches it complete, and the tenant opens
/// the new invoice and downloads its PDF, whose text carries the invoice number and the reverse-charge mention; the
/// operator finds the run in the run history, issues a partial credit note from the invoice page (confirmed in the
/// dialog), and the tenant downloads the credit note's PDF too.
/// </summary>
public sealed partial class PortalJourneyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Jonas = "jonas@bergmann-de.example";
    private const string Operator = "ops@scailabs.example";
    private readonly List<string> _pageErrors = [];
    private readonly string _downloads = Path.Combine(Path.GetTempPath(), "scai-browser-dl-" + Guid.NewGuid().ToString("N"));
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

        if (Directory.Exists(_downloads))
        {
            Directory.Delete(_downloads, recursive: true);
        }
    }

    [ChromiumFact]
    public async Task TenantSubscribes_OperatorBillsTheMonth_TenantDownloadsTheReverseChargeInvoicePdf()
    {
        _app = await PortalApp.StartAsync(ChromiumFactAttribute.ChromiumPath, TimeSpan.FromSeconds(120));
        _chromium = await HeadlessChromium.LaunchAsync();
        var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app.BaseAddress.ToString(), AcceptDownloads = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                output.WriteLine($"browser console error: {message.Text} ({message.Location})");
            }
        };

        try
        {
            // 1. Jonas subscribes to a monthly plan; the click goes through the Blazor circuit.
            await SignInAsync(page, Jonas);
            await OpenInteractiveAsync(page, "catalog");
            await page.ClickAsync("[data-testid='subscribe-crm-team-monthly']");
            await Assertions.Expect(page.GetByTestId("summary-first-amount")).ToBeVisibleAsync(); // the summary comes first
            await page.ClickAsync("[data-testid='summary-confirm']");
            await Assertions.Expect(page.GetByTestId("subscribe-status")).ToHaveTextAsync("aktiv"); // Jonas reads the portal in German
            await SnapAsync(page, "1-catalog-subscribed");
            await SignOutAsync(page);

            // 2. The operator starts the billing run of the current month (UTC) and watches its progress to the end.
            await SignInAsync(page, Operator);
            await OpenInteractiveAsync(page, "admin/invoices");
            var period = DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var periodInput = page.GetByTestId("billing-period");
            await periodInput.FillAsync(period);
            await periodInput.DispatchEventAsync("change");
            await page.ClickAsync("[data-testid='billing-run-start']");
            // The confirm dialog says what the run does; the run starts only when confirmed.
            await Assertions.Expect(page.GetByTestId("confirm-message")).ToContainTextAsync(period);
            await page.ClickAsync("[data-testid='confirm-ok']");
            await Assertions.Expect(page.GetByTestId("billing-run-status")).ToHaveTextAsync("completed", new() { Timeout = 120_000 });
            var counts = await page.GetByTestId("billing-run-counts").InnerTextAsync();
            output.WriteLine($"billing run: {counts}");
            Assert.Matches(@"[1-9]\d* invoices created", counts);
            await SnapAsync(page, "2-admin-invoices-billing-run");

            // 2b. The run is kept in the run history after leaving the page.
            await OpenInteractiveAsync(page, "admin/billing-runs");
            await Assertions.Expect(page.GetByTestId("billing-runs-grid").Locator("a", new() { HasText = period }).First).ToBeVisibleAsync();
            await SignOutAsync(page);

            // 3. Jonas opens his newest invoice and downloads the PDF.
            await SignInAsync(page, Jonas);
            await OpenInteractiveAsync(page, "invoices");
            await page.GetByTestId("invoice-link").First.ClickAsync();
            await page.WaitForURLAsync(InvoiceUrl());
            var number = (await page.GetByTestId("invoice-number").InnerTextAsync()).Trim();
            Assert.Matches(@"^SCAI-\d{4}-\d{6}$", number);
            Assert.Contains("Art. 196", await page.GetByTestId("invoice-notes").InnerTextAsync(), StringComparison.Ordinal);
            await SnapAsync(page, "3-invoice-detail");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-pdf").ClickAsync());
            Directory.CreateDirectory(_downloads);
            var pdf = Path.Combine(_downloads, $"{number}.pdf");
            await download.SaveAsAsync(pdf);
            var text = await PdfToTextAsync(pdf);

            Assert.Contains(number, text, StringComparison.Ordinal);
            Assert.Contains("Reverse charge", text, StringComparison.Ordinal);
            Assert.Contains("Art. 196", text, StringComparison.Ordinal);
            var invoiceUrl = page.Url;
            await SignOutAsync(page);

            // 4. The operator credits part of the first line from the invoice page, confirmed in the dialog.
            await SignInAsync(page, Operator);
            await page.GotoAsync(invoiceUrl);
            await page.GetByTestId("credit-note-form").WaitForAsync();
            await page.Locator("h1[data-interactive]").WaitForAsync();
            await page.GetByTestId("credit-per-line").ClickAsync(new() { Force = true });
            await page.GetByTestId("credit-amount-1").FillAsync("10");
            await page.GetByTestId("credit-reason").FillAsync("Service outage on 3 days");
            await page.GetByTestId("credit-issue").ClickAsync();
            await Assertions.Expect(page.GetByTestId("confirm-message")).ToBeVisibleAsync();
            await page.ClickAsync("[data-testid='confirm-ok']");
            await Assertions.Expect(page.GetByTestId("invoice-number")).ToHaveTextAsync(CreditNoteNumber(), new() { Timeout = 60_000 });
            var creditNumber = (await page.GetByTestId("invoice-number").InnerTextAsync()).Trim();
            var creditUrl = page.Url;
            await SnapAsync(page, "4-credit-note");
            await SignOutAsync(page);

            // 5. Jonas downloads the credit note's PDF: it names the credit note and the invoice it credits.
            await SignInAsync(page, Jonas);
            await page.GotoAsync(creditUrl);
            for (var i = 0; i < 30 && !await page.GetByTestId("download-pdf").IsVisibleAsync(); i++)
            {
                await Task.Delay(1000); // rendered right after finalisation; reload until it is there
                await page.ReloadAsync();
            }

            var creditDownload = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-pdf").ClickAsync());
            var creditPdf = Path.Combine(_downloads, $"{creditNumber}.pdf");
            await creditDownload.SaveAsAsync(creditPdf);
            var creditText = await PdfToTextAsync(creditPdf);
            Assert.Contains(creditNumber, creditText, StringComparison.Ordinal);
            Assert.Contains(number, creditText, StringComparison.Ordinal);
            Assert.Empty(_pageErrors);
        }
        catch
        {
            output.WriteLine($"page: {page.Url}\n{await page.ContentAsync()}");
            output.WriteLine($"app log:\n{_app.Log}");
            throw;
        }
    }

    private static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("sign-in");
        await page.ClickAsync($"[data-testid='sign-in-{email}']");
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveAttributeAsync("data-email", email);
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.ClickAsync("[data-testid='sign-out']");
        // The URL, then the sign-in page's own content: right after a download the "load" event may never come again.
        await page.WaitForURLAsync(SignInUrl(), new() { WaitUntil = WaitUntilState.Commit });
        await page.Locator("[data-testid^='sign-in-']").First.WaitForAsync();
    }

    /// <summary>Opens a page and waits for its circuit: before that, prerendered buttons do nothing.</summary>
    private static async Task OpenInteractiveAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("h1[data-interactive]").WaitForAsync();
    }

    /// <summary>Saves a full-page screenshot when SCAI_UI_SCREENSHOTS names a folder (for looking at the pages).</summary>
    private static async Task SnapAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SCAI_UI_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
        }
    }

    private static async Task<string> PdfToTextAsync(string pdf)
    {
        var start = new ProcessStartInfo("pdftotext") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(pdf);
        start.ArgumentList.Add("-");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftotext (poppler-utils) did not start.");
        var text = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pdftotext failed ({process.ExitCode}): {errors}");
        return text;
    }

    [GeneratedRegex(@"/invoices/inv_")]
    private static partial Regex InvoiceUrl();

    [GeneratedRegex(@"^\s*SCAI-CN-\d{4}-\d{6}\s*$")]
    private static partial Regex CreditNoteNumber();

    [GeneratedRegex(@"/sign-in")]
    private static partial Regex SignInUrl();
}
