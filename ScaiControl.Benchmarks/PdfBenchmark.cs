using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Pdf;

namespace ScaiControl.Benchmarks;

/// <summary>
/// PDF benchmark: ms per invoice PDF through ScaiControl's renderer (one long-lived Chromium, pages reused), side by
/// side with a plain `chromium --headless --print-to-pdf` of the same HTML, in the same run.
/// </summary>
internal static class PdfBenchmark
{
    /// <summary>Runs <paramref name="count"/> renders (and count/4, at least 5, plain prints); returns the Markdown table.</summary>
    /// <exception cref="FileNotFoundException">No chromium at <paramref name="chromium"/>.</exception>
    public static async Task<string> RunAsync(int count, string chromium)
    {
        if (!File.Exists(chromium))
        {
            throw new FileNotFoundException($"chromium not found at {chromium}", chromium);
        }

        var html = new InvoiceHtmlRenderer(new ScaiControl.Infrastructure.Templates.InvoiceTemplateResolver(new ScaiControl.Infrastructure.Templates.TemplateCompiler())).Render(SampleInvoice());
        var work = Directory.CreateTempSubdirectory("scai-bench-").FullName;
        var htmlPath = Path.Combine(work, "invoice.html");
        await File.WriteAllTextAsync(htmlPath, html);

        await using var renderer = new ChromiumPdfRenderer(new PdfOptions { ChromiumPath = chromium, MaxPages = 1 }, NullLogger<ChromiumPdfRenderer>.Instance);
        await renderer.RenderAsync(html); // warm-up: starts the browser once, as the app does
        var ours = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var sw = Stopwatch.StartNew();
            var pdf = await renderer.RenderAsync(html);
            ours.Add(sw.Elapsed.TotalMilliseconds);
            if (pdf.Length < 1000)
            {
                throw new InvalidOperationException("The renderer produced no PDF.");
            }
        }

        var plain = new List<double>();
        var plainCount = Math.Max(5, count / 4);
        for (var i = 0; i < plainCount; i++)
        {
            var target = Path.Combine(work, $"plain-{i}.pdf");
            var psi = new ProcessStartInfo(chromium)
            {
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", $"--user-data-dir={Path.Combine(work, "profile")}", "--no-pdf-header-footer", $"--print-to-pdf={target}", htmlPath,
                },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var sw = Stopwatch.StartNew();
            using var process = Process.Start(psi)!;
            await process.WaitForExitAsync();
            plain.Add(sw.Elapsed.TotalMilliseconds);
            if (!File.Exists(target))
            {
                throw new InvalidOperationException($"plain chromium print failed: {await process.StandardError.ReadToEndAsync()}");
            }
        }

        var report = string.Create(CultureInfo.InvariantCulture, $"""
        | renderer | PDFs | mean ms | p50 ms | p95 ms |
        |---|---|---|---|---|
        | ScaiControl (Playwright, one browser, page reused) | {ours.Count} | {ours.Average():F1} | {Stats.Percentile(ours, 0.5):F1} | {Stats.Percentile(ours, 0.95):F1} |
        | plain `chromium --headless --print-to-pdf` (process per PDF) | {plain.Count} | {plain.Average():F1} | {Stats.Percentile(plain, 0.5):F1} | {Stats.Percentile(plain, 0.95):F1} |

        Same one-page invoice HTML ({html.Length} characters), same machine, same run ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores).
        """);
        Directory.Delete(work, recursive: true);
        return report;
    }

    private static Invoice SampleInvoice()
    {
        var now = new DateTimeOffset(2026, 11, 22, 9, 30, 0, TimeSpan.Zero);
        var invoice = new Invoice("ptr_BENCH", "tnt_BENCH", "EUR", null, now);
        var vat = VatDetermination.Determine("NL", "DE", "DE811907980", DateOnly.FromDateTime(now.UtcDateTime));
        invoice.AddLine("ScaiCRM – Team", 1, Money.Of(2900, "EUR"), vat, "sub_1", now, now.AddMonths(1));
        invoice.AddLine("ScaiCMS – Pro", 1, Money.Of(4900, "EUR"), vat, "sub_2", now, now.AddMonths(1));
        invoice.AddLine("ScaiDrive – Starter (yearly)", 1, Money.Of(9900, "EUR"), vat, "sub_3", now, now.AddYears(1));
        var seller = new PartySnapshot("ScaiLabs B.V.", PostalAddress.Create("Keizersgracht 123", null, "1015 CJ", "Amsterdam", "NL"), "NL862637223B01", "billing@scailabs.example", "NL91ABNA0417164300", "ABNANL2A");
        var buyer = new PartySnapshot("Bergmann Software GmbH", PostalAddress.Create("Friedrichstraße 68", null, "10117", "Berlin", "DE"), "DE811907980", "jonas@bergmann-de.example");
        invoice.Finalise("SCAI-2026-000042", DateOnly.FromDateTime(now.UtcDateTime), buyer, seller, vat, now);
        return invoice;
    }
}
