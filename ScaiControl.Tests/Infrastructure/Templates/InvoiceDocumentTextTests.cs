using System.Globalization;
using System.Text.RegularExpressions;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Templates;

namespace ScaiControl.Tests.Infrastructure.Templates;

/// <summary>
/// Issue 16, invoice documents read as a buyer and a tax auditor would: credit notes read as credit notes in every
/// template and language, German documents in German, periods with inclusive end dates, the default template's
/// seller registration, country names, buyer reference and VAT categories in words.
/// </summary>
public sealed partial class InvoiceDocumentTextTests
{
    public static TheoryData<string, string> TemplatesAndLanguages()
    {
        var data = new TheoryData<string, string>();
        foreach (var template in new[] { "built-in", "platform-invoice-de.hbs", "nordic-cloud-invoice-en.hbs" })
        {
            foreach (var language in new[] { "en", "de" })
            {
                data.Add(template, language);
            }
        }

        return data;
    }

    [Theory, MemberData(nameof(TemplatesAndLanguages))]
    public void ACreditNote_ReadsAsACreditNote(string template, string language)
    {
        var note = TemplateSampleData.For(DocumentType.CreditNote);

        var text = Text(InvoiceHtmlRenderer.Render(note, Compile(template), language));

        foreach (var wrong in new[] { "Invoice number", "Please pay", "Total due", "Due date", "Rechnungsnummer", "Bitte überweisen", "Zahlbetrag", "Fällig am" })
        {
            Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
        }

        Assert.Contains("SCAI-CN-2026-000007", text, StringComparison.Ordinal);
        Assert.Contains("SCAI-2026-000042", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-02", text, StringComparison.Ordinal); // the corrected invoice's date
        Assert.Contains(new Money(note.GrossTotalMinor, "EUR").ToString(), text, StringComparison.Ordinal);
        var german = language == "de" || template == "platform-invoice-de.hbs";
        Assert.Contains(german ? "Gutschriftsnummer" : "Credit note number", text, StringComparison.Ordinal);
        Assert.Contains(german ? "gutgeschrieben" : "is credited to you", text, StringComparison.Ordinal);
        Assert.Contains(german ? "verrechnet" : "set off against", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBuiltInTemplate_InGerman_IsGerman()
    {
        var text = Text(InvoiceHtmlRenderer.Render(TemplateSampleData.For(DocumentType.Invoice), Compile("built-in"), "de-AT"));

        Assert.Contains("Rechnungsnummer", text, StringComparison.Ordinal);
        Assert.Contains("Bitte überweisen Sie", text, StringComparison.Ordinal);
        Assert.Contains("Niederlande", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Please pay", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultTemplate_ShowsRegistrationCountryNamesBuyerReferenceAndVatInWords()
    {
        var seller = new PartySnapshot("ScaiLabs B.V.", new PostalAddress("Keizersgracht 123", null, "1015 CJ", "Amsterdam", "NL"), "NL862637223B01",
            "billing@scailabs.example", "NL91ABNA0417164300", "ABNANL2A", RegistrationId: "12345678", RegistrationScheme: "0106");
        var buyer = new PartySnapshot("Bergmann Software GmbH", new PostalAddress("Friedrichstraße 68", null, "10117", "Berlin", "DE"), "DE811907980", "jonas@bergmann-de.example");
        var now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var vat = VatDetermination.Determine(new VatContext("NL", "DE", "DE811907980", true, new DateOnly(2026, 12, 1), OssMode.UnionScheme, 0));
        var invoice = new Invoice("ptr_X", "tnt_X", "EUR", null, now);
        invoice.AddLine("ScaiCMS · Pro", 1, Money.Of(4900, "EUR"), vat, "sub_X", now, new DateTimeOffset(2026, 12, 29, 0, 0, 0, TimeSpan.Zero));
        invoice.Finalise("SCAI-2026-000100", new DateOnly(2026, 12, 1), buyer, seller, vat, now, buyerReference: "04011000-12345-34");

        var text = Text(InvoiceHtmlRenderer.Render(invoice, Compile("built-in"), "en"));

        Assert.Contains("Company registration: 12345678", text, StringComparison.Ordinal);
        Assert.Contains("Netherlands", text, StringComparison.Ordinal);
        Assert.Contains("Germany", text, StringComparison.Ordinal);
        Assert.Contains("Your reference 04011000-12345-34", text, StringComparison.Ordinal);
        Assert.Contains("Reverse charge", text, StringComparison.Ordinal);
        // The stored period ends (exclusively) at 2026-12-29T00:00Z: the document shows the last day included.
        Assert.Contains("2026-12-01 – 2026-12-28", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2026-12-29", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExportInvoice_ExplainsOutsideTheScopeOfEuVat()
    {
        var seller = new PartySnapshot("ScaiLabs B.V.", new PostalAddress("Keizersgracht 123", null, "1015 CJ", "Amsterdam", "NL"), "NL862637223B01",
            "billing@scailabs.example", "NL91ABNA0417164300", "ABNANL2A");
        var buyer = new PartySnapshot("Redwood Analytics Inc.", new PostalAddress("500 Market Street", null, "94105", "San Francisco", "US"), null, "sam@redwood-us.example");
        var now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var vat = VatDetermination.Determine("NL", "US", null, new DateOnly(2026, 12, 1));
        var invoice = new Invoice("ptr_X", "tnt_X", "EUR", null, now);
        invoice.AddLine("ScaiCRM · Team", 1, Money.Of(2900, "EUR"), vat);
        invoice.Finalise("SCAI-2026-000101", new DateOnly(2026, 12, 1), buyer, seller, vat, now);

        Assert.Contains("Outside the scope of EU VAT", Text(InvoiceHtmlRenderer.Render(invoice, Compile("built-in"), "en")), StringComparison.Ordinal);
        Assert.Contains("Vereinigte Staaten", Text(InvoiceHtmlRenderer.Render(invoice, Compile("built-in"), "de")), StringComparison.Ordinal);
    }

    [Fact]
    public void ThePortalAndTheDocument_ShowTheSamePeriod()
    {
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var end = new DateTimeOffset(2026, 12, 29, 0, 0, 0, TimeSpan.Zero);
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("01.12.2026 – 28.12.2026", ScaiControl.Web.Components.Shared.Ui.Period(start, end));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal("2026-12-01 – 2026-12-28", DocumentPeriods.Iso(start, end));
    }

    private static HandlebarsDotNet.HandlebarsTemplate<object, object> Compile(string template)
    {
        if (template == "built-in")
        {
            return TemplateCompiler.Compile(InvoiceHtmlRenderer.BuiltInSource);
        }

        using var stream = typeof(InvoiceHtmlRenderer).Assembly.GetManifestResourceStream($"ScaiControl.Infrastructure.Demo.Templates.{template}")!;
        using var reader = new StreamReader(stream);
        return TemplateCompiler.Compile(reader.ReadToEnd());
    }

    // The visible text: tags removed, entities of the templates decoded, whitespace collapsed.
    private static string Text(string html) =>
        Whitespace().Replace(System.Net.WebUtility.HtmlDecode(Tags().Replace(html[html.IndexOf("<body", StringComparison.Ordinal)..], " ")), " ");

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
