using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Infrastructure.Templates;

/// <summary>
/// The sample documents templates are checked and previewed with, one per document type, built through the domain
/// exactly as real ones are (lines, VAT decision, finalisation with buyer and seller snapshots), so their template
/// data (<see cref="Invoicing.InvoiceHtmlRenderer.Model"/>) has every key a real document has:
/// <list type="bullet">
/// <item>invoice: SCAI-2026-000042, a Dutch seller to a Dutch business (domestic, 21 %), three lines (one with a
/// second address line and a period), so every block of the built-in template is exercised;</item>
/// <item>credit_note: SCAI-CN-2026-000007, a partial credit of that invoice with a reason and the invoice's reference.</item>
/// </list>
/// Fixed dates and ids: the same template always previews to the same HTML.
/// </summary>
public static class TemplateSampleData
{
    private static readonly DateTimeOffset IssuedAt = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A finalised sample document of <paramref name="type"/>.</summary>
    public static Invoice For(DocumentType type) => type switch
    {
        DocumentType.Invoice => SampleInvoice(),
        DocumentType.CreditNote => SampleCreditNote(),
    };

    private static PartySnapshot Seller => new("ScaiLabs B.V.", new PostalAddress("Keizersgracht 123", null, "1015 CJ", "Amsterdam", "NL"), "NL862637223B01",
        "billing@scailabs.example", "NL91ABNA0417164300", "ABNANL2A");

    private static PartySnapshot Buyer => new("Acme Hosting B.V.", new PostalAddress("Stationsplein 1", "Building C, 4th floor", "3511 ED", "Utrecht", "NL"), "NL853746333B01",
        "anna@acme-nl.example");

    private static Invoice SampleInvoice()
    {
        var vat = VatDetermination.Determine("NL", "NL", "NL853746333B01", DateOnly.FromDateTime(IssuedAt.UtcDateTime));
        var invoice = new Invoice("ptr_SAMPLE", "tnt_SAMPLE", "EUR", null, IssuedAt);
        var periodStart = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        invoice.AddLine("ScaiCRM · Team (monthly)", 1, Money.Of(2900, "EUR"), vat, "sub_SAMPLE1", periodStart, periodStart.AddMonths(1));
        invoice.AddLine("ScaiDrive · Starter (yearly)", 1, Money.Of(9900, "EUR"), vat, "sub_SAMPLE2", periodStart, periodStart.AddYears(1));
        invoice.AddLine("Onboarding workshop (hours)", 3, Money.Of(12000, "EUR"), vat);
        invoice.Finalise("SCAI-2026-000042", DateOnly.FromDateTime(IssuedAt.UtcDateTime), Buyer, Seller, vat, IssuedAt);
        return invoice;
    }

    private static Invoice SampleCreditNote()
    {
        var original = SampleInvoice();
        var note = Invoice.CreditNoteFor(original, [new CreditRequest(original.Lines[2].Id, 1, null)], "One workshop hour was not delivered.",
            new Dictionary<string, long>(), IssuedAt.AddDays(5));
        var vat = VatDetermination.Determine("NL", "NL", "NL853746333B01", DateOnly.FromDateTime(IssuedAt.UtcDateTime));
        note.Finalise("SCAI-CN-2026-000007", DateOnly.FromDateTime(IssuedAt.AddDays(5).UtcDateTime), original.Buyer!, original.Seller!, vat, IssuedAt.AddDays(5));
        return note;
    }
}
