using System.Globalization;
using HandlebarsDotNet;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Templates;

namespace ScaiControl.Infrastructure.Invoicing;

/// <summary>
/// Renders a finalised invoice or credit note to a self-contained HTML document with a Handlebars template: the one
/// in force for the seller, document type and language (<see cref="InvoiceTemplateResolver"/>, see docs/invoicing.md
/// "Templates"), or the built-in Invoicing/Templates/invoice.hbs when none is stored. Values are HTML-escaped by
/// Handlebars. Only snapshot data is used (<see cref="Model"/>), so a reprint shows what was finalised. Amounts are
/// printed as "EUR 1234.56"; dates as ISO 8601. The template preview and the publish check render through the same
/// <see cref="Render(Invoice, HandlebarsTemplate{object, object}, string?)"/>.
/// </summary>
public sealed class InvoiceHtmlRenderer
{
    private readonly HandlebarsTemplate<object, object> _builtIn;
    private readonly InvoiceTemplateResolver _resolver;

    /// <summary>Compiles the built-in template once.</summary>
    public InvoiceHtmlRenderer(InvoiceTemplateResolver resolver)
    {
        _resolver = resolver;
        _builtIn = Handlebars.Create().Compile(BuiltInSource);
    }

    /// <summary>The Handlebars source of the built-in template (used when no template is stored; the seed of the designer).</summary>
    public static string BuiltInSource { get; } = ReadEmbedded();

    /// <summary>The HTML of a finalised invoice with the built-in template.</summary>
    /// <exception cref="InvalidOperationException">The invoice is still a draft (no number, no snapshots).</exception>
    public string Render(Invoice invoice) => Render(invoice, _builtIn);

    /// <summary>The HTML of a finalised invoice with the built-in template, texts in <paramref name="language"/> (BCP 47; null = "en").</summary>
    /// <exception cref="InvalidOperationException">The invoice is still a draft (no number, no snapshots).</exception>
    public string Render(Invoice invoice, string? language) => Render(invoice, _builtIn, language);

    /// <summary>The HTML of a finalised invoice with <paramref name="template"/>, texts in <paramref name="language"/> (BCP 47; null = "en").</summary>
    /// <exception cref="InvalidOperationException">The invoice is still a draft (no number, no snapshots).</exception>
    public static string Render(Invoice invoice, HandlebarsTemplate<object, object> template, string? language = null) => template(Model(invoice, language));

    /// <summary>
    /// The renderer for a document of <paramref name="partnerId"/> (the seller) of <paramref name="documentType"/> in
    /// <paramref name="language"/> (null: "en"): the stored template in force, else the built-in one. Reads in
    /// <paramref name="db"/>; pass the result to <see cref="Invoice.Finalise"/>.
    /// </summary>
    /// <exception cref="DomainConflictException">The template in force does not compile (possible only for a version that was stored
    /// without publishing's check); the document stays a draft until a corrected version is published.</exception>
    public async Task<Func<Invoice, string>> ForAsync(ScaiDbContext db, string partnerId, DocumentType documentType, string? language, CancellationToken ct)
    {
        ResolvedTemplate? resolved;
        try
        {
            resolved = await _resolver.ResolveAsync(db, partnerId, documentType, language, ct);
        }
        catch (Domain.Templates.TemplateValidationException e)
        {
            throw new DomainConflictException($"The invoice template in force for this document does not compile ({e.Message}); publish a corrected version, then finalise.", "draft", ["finalize"]);
        }

        return resolved is null ? invoice => Render(invoice, _builtIn, language) : invoice => Render(invoice, resolved.Compiled, language);
    }

    /// <summary>
    /// The data a template sees (snake_case keys): title, document_type ("invoice" | "credit_note"), is_credit_note,
    /// language (the one whose texts apply), t (the texts of <see cref="InvoiceTexts"/>: labels in that language),
    /// number, number_label ("Invoice number" / "Credit note number"), issue_date, due_date, currency, buyer_reference
    /// (BT-10), seller / buyer (legal_name, line1, line2, postal_code, city, country, country_name, vat_id,
    /// registration_id, registration_scheme, email, iban, bic), lines (position, description, period (inclusive dates,
    /// <see cref="DocumentPeriods"/>), quantity, unit_price, vat_category, vat_category_text, vat_rate, net_amount),
    /// vat_breakdown (category, category_text, rate, taxable, tax, exemption_reason_code, exemption_reason), net_total,
    /// vat_total, gross_total, total_label ("Total due" / "Amount credited"), payment_instruction (invoices only, null
    /// on credit notes), credit_settlement (credit notes only: the amount credited, the invoice and how it is settled),
    /// notes (list or null), referenced_invoice_number, referenced_invoice_issue_date.
    /// </summary>
    /// <exception cref="InvalidOperationException">The invoice is still a draft (no number, no snapshots).</exception>
    public static Dictionary<string, object?> Model(Invoice invoice, string? language = null)
    {
        if (invoice.Status != InvoiceStatus.Finalised || invoice.Buyer is not { } buyer || invoice.Seller is not { } seller)
        {
            throw new InvalidOperationException($"Invoice {invoice.Id} is not finalised; only finalised invoices are rendered.");
        }

        string M(long minor) => new Money(minor, invoice.Currency).ToString();
        string D(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty;
        var creditNote = invoice.DocumentType == DocumentType.CreditNote;
        var t = InvoiceTexts.For(language);
        var gross = M(invoice.GrossTotalMinor);
        return new Dictionary<string, object?>
        {
            ["title"] = creditNote ? t["credit_note_title"] : t["invoice_title"],
            ["document_type"] = creditNote ? "credit_note" : "invoice",
            ["is_credit_note"] = creditNote,
            ["language"] = InvoiceTexts.Resolve(language),
            ["t"] = t,
            ["number"] = invoice.Number,
            ["number_label"] = creditNote ? t["credit_note_number_label"] : t["invoice_number_label"],
            ["issue_date"] = D(invoice.IssueDate),
            ["due_date"] = D(invoice.DueDate),
            ["currency"] = invoice.Currency,
            ["buyer_reference"] = invoice.BuyerReference,
            ["seller"] = Party(seller, language),
            ["buyer"] = Party(buyer, language),
            ["lines"] = invoice.Lines.OrderBy(l => l.Position).Select(l => new Dictionary<string, object?>
            {
                ["position"] = l.Position,
                ["description"] = l.Description,
                ["period"] = l.PeriodStart is { } s && l.PeriodEnd is { } e ? DocumentPeriods.Iso(s, e) : string.Empty,
                ["quantity"] = l.Quantity,
                ["unit_price"] = M(l.UnitPriceMinor),
                ["vat_category"] = l.VatCategory.ToString(),
                ["vat_category_text"] = InvoiceTexts.Category(l.VatCategory, language),
                ["vat_rate"] = new Domain.Vat.VatRate(l.VatRateBasisPoints).Percent,
                ["net_amount"] = M(l.NetAmountMinor),
            }).ToList(),
            ["vat_breakdown"] = invoice.VatBreakdown().Select(b => new Dictionary<string, object?>
            {
                ["category"] = b.Category.ToString(),
                ["category_text"] = InvoiceTexts.Category(b.Category, language),
                ["rate"] = b.Rate.Percent,
                ["taxable"] = M(b.TaxableMinor),
                ["tax"] = M(b.TaxMinor),
                ["exemption_reason_code"] = b.ExemptionReasonCode,
                ["exemption_reason"] = b.ExemptionReason,
            }).ToList(),
            ["net_total"] = M(invoice.NetTotalMinor),
            ["vat_total"] = M(invoice.VatTotalMinor),
            ["gross_total"] = gross,
            ["total_label"] = creditNote ? t["total_credited_label"] : t["total_due_label"],
            ["payment_instruction"] = creditNote ? null : string.Format(CultureInfo.InvariantCulture, t["payment_instruction"], gross, D(invoice.DueDate), seller.Iban, seller.Bic, invoice.Number),
            ["credit_settlement"] = creditNote ? string.Format(CultureInfo.InvariantCulture, t["credit_settlement"], gross, invoice.ReferencedInvoiceNumber) : null,
            ["notes"] = invoice.NoteList.Count == 0 ? null : invoice.NoteList,
            ["referenced_invoice_number"] = invoice.ReferencedInvoiceNumber,
            ["referenced_invoice_issue_date"] = invoice.ReferencedInvoiceIssueDate is null ? null : D(invoice.ReferencedInvoiceIssueDate),
        };
    }

    private static Dictionary<string, object?> Party(PartySnapshot p, string? language) => new()
    {
        ["legal_name"] = p.LegalName,
        ["line1"] = p.Address.Line1,
        ["line2"] = p.Address.Line2,
        ["postal_code"] = p.Address.PostalCode,
        ["city"] = p.Address.City,
        ["country"] = p.Address.Country,
        ["country_name"] = InvoiceTexts.CountryName(p.Address.Country, language),
        ["vat_id"] = p.VatId,
        ["registration_id"] = p.RegistrationId,
        ["registration_scheme"] = p.RegistrationScheme,
        ["email"] = p.Email,
        ["iban"] = p.Iban,
        ["bic"] = p.Bic,
    };

    private static string ReadEmbedded()
    {
        using var stream = typeof(InvoiceHtmlRenderer).Assembly.GetManifestResourceStream("ScaiControl.Infrastructure.Invoicing.Templates.invoice.hbs")
            ?? throw new InvalidOperationException("The invoice template is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
