using System.Globalization;
using HandlebarsDotNet;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>
/// Renders a finalised invoice to a self-contained HTML document from the Handlebars template
/// Invoicing/Templates/invoice.hbs (values HTML-escaped by Handlebars). Only snapshot data is used, so a reprint
/// shows what was finalised. Amounts are printed as "EUR 1234.56"; dates as ISO 8601.
/// </summary>
public sealed class InvoiceHtmlRenderer
{
    private readonly HandlebarsTemplate<object, object> _template;

    /// <summary>Compiles the embedded template once.</summary>
    public InvoiceHtmlRenderer()
    {
        using var stream = typeof(InvoiceHtmlRenderer).Assembly.GetManifestResourceStream("ScaiControl.Infrastructure.Invoicing.Templates.invoice.hbs")
            ?? throw new InvalidOperationException("The invoice template is not embedded.");
        using var reader = new StreamReader(stream);
        _template = Handlebars.Create().Compile(reader.ReadToEnd());
    }

    /// <summary>The HTML of a finalised invoice.</summary>
    /// <exception cref="InvalidOperationException">The invoice is still a draft (no number, no snapshots).</exception>
    public string Render(Invoice invoice)
    {
        if (invoice.Status != InvoiceStatus.Finalised || invoice.Buyer is not { } buyer || invoice.Seller is not { } seller)
        {
            throw new InvalidOperationException($"Invoice {invoice.Id} is not finalised; only finalised invoices are rendered.");
        }

        string M(long minor) => new Money(minor, invoice.Currency).ToString();
        var model = new Dictionary<string, object?>
        {
            ["title"] = invoice.DocumentType == DocumentType.CreditNote ? "Credit note" : "Invoice",
            ["number"] = invoice.Number,
            ["issue_date"] = invoice.IssueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["due_date"] = invoice.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["currency"] = invoice.Currency,
            ["seller"] = Party(seller),
            ["buyer"] = Party(buyer),
            ["lines"] = invoice.Lines.OrderBy(l => l.Position).Select(l => new Dictionary<string, object?>
            {
                ["position"] = l.Position,
                ["description"] = l.Description,
                ["period"] = l.PeriodStart is { } s && l.PeriodEnd is { } e ? $"{s:yyyy-MM-dd} – {e.AddDays(-1):yyyy-MM-dd}" : string.Empty,
                ["quantity"] = l.Quantity,
                ["unit_price"] = M(l.UnitPriceMinor),
                ["vat_category"] = l.VatCategory.ToString(),
                ["vat_rate"] = new Domain.Vat.VatRate(l.VatRateBasisPoints).Percent,
                ["net_amount"] = M(l.NetAmountMinor),
            }).ToList(),
            ["vat_breakdown"] = invoice.VatBreakdown().Select(b => new Dictionary<string, object?>
            {
                ["category"] = b.Category.ToString(),
                ["rate"] = b.Rate.Percent,
                ["taxable"] = M(b.TaxableMinor),
                ["tax"] = M(b.TaxMinor),
                ["exemption_reason_code"] = b.ExemptionReasonCode,
            }).ToList(),
            ["net_total"] = M(invoice.NetTotalMinor),
            ["vat_total"] = M(invoice.VatTotalMinor),
            ["gross_total"] = M(invoice.GrossTotalMinor),
            ["notes"] = invoice.NoteList.Count == 0 ? null : invoice.NoteList,
        };
        return _template(model);
    }

    private static Dictionary<string, object?> Party(PartySnapshot p) => new()
    {
        ["legal_name"] = p.LegalName,
        ["line1"] = p.Address.Line1,
        ["line2"] = p.Address.Line2,
        ["postal_code"] = p.Address.PostalCode,
        ["city"] = p.Address.City,
        ["country"] = p.Address.Country,
        ["vat_id"] = p.VatId,
        ["email"] = p.Email,
        ["iban"] = p.Iban,
        ["bic"] = p.Bic,
    };
}
