using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>
/// Exports a finalised invoice or credit note as an e-invoice (<see cref="EInvoiceFormats.All"/>), from its frozen
/// snapshots only: BT-10 buyer reference and the seller's contact and registration as they were at finalisation,
/// BT-25/BT-26 for credit notes. With no format given, the buyer's preferred format, else UBL. "facturx" embeds the
/// "cii" XML into the stored invoice PDF (<see cref="InvoiceService.GetPdfAsync"/>) with <see cref="FacturXWriter"/>.
/// </summary>
public sealed class EInvoiceService(ScaiDbFactory factory, InvoiceService invoices, FacturXWriter facturX)
{
    /// <summary>The e-invoice file.</summary>
    /// <exception cref="NotFoundException">Unknown or invisible invoice.</exception>
    /// <exception cref="DomainConflictException">A draft.</exception>
    /// <exception cref="DomainValidationException">Unknown format (field "format"), or data the format requires is missing (field "format", naming the business terms).</exception>
    /// <exception cref="EInvoiceUnavailableException">Factur-X only: qpdf is missing or failed, or the invoice PDF is not rendered yet (HTTP 503).</exception>
    public async Task<EInvoiceFile> ExportAsync(Actor actor, string invoiceId, string? format, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.InvoicesRead);
        Invoice invoice;
        string? preferred;
        await using (var db = await factory.OpenAsync(actor, "export e-invoice", ct))
        {
            invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == invoiceId, ct) ?? throw new NotFoundException("invoice", invoiceId);
            preferred = await db.TenantBillingProfiles.AsNoTracking().Where(p => p.TenantId == invoice.TenantId).Select(p => p.PreferredEInvoiceFormat).SingleOrDefaultAsync(ct);
        }

        if (invoice.Status != InvoiceStatus.Finalised)
        {
            throw new DomainConflictException($"Invoice {invoiceId} is a draft; only finalised documents are exported.", "draft", ["finalize"]);
        }

        var chosen = format ?? preferred ?? "ubl";
        if (!EInvoiceFormats.All.Contains(chosen))
        {
            throw new DomainValidationException("format", $"format must be one of {string.Join(", ", EInvoiceFormats.All)}.");
        }

        var seller = invoice.Seller!;
        var context = new EInvoiceContext(
            BuyerReference: invoice.BuyerReference,
            PrecedingInvoiceNumber: invoice.ReferencedInvoiceNumber,
            PrecedingInvoiceIssueDate: invoice.ReferencedInvoiceIssueDate,
            SellerContactName: seller.ContactName,
            SellerContactPhone: seller.ContactPhone,
            SellerLegalRegistrationId: seller.RegistrationId is null ? null : new EInvoiceIdentifier(seller.RegistrationId, seller.RegistrationScheme));
        EInvoiceFile file;
        try
        {
            file = EInvoiceFormats.Write(EInvoiceDocument.From(invoice, context), chosen == EInvoiceFormats.FacturX ? "cii" : chosen);
        }
        catch (EInvoiceDataMissingException e)
        {
            throw new DomainValidationException("format", e.Message);
        }

        return chosen == EInvoiceFormats.FacturX ? await FacturXAsync(actor, invoice, file.Content, ct) : file;
    }

    private async Task<EInvoiceFile> FacturXAsync(Actor actor, Invoice invoice, byte[] cii, CancellationToken ct)
    {
        if (facturX.UnavailableReason is { } reason)
        {
            throw new EInvoiceUnavailableException("Factur-X unavailable", reason);
        }

        var pdf = await invoices.GetPdfAsync(actor, invoice.Id, ct);
        if (pdf.Content is null)
        {
            throw new EInvoiceUnavailableException("PDF not ready yet", pdf.NotReadyReason ?? "The PDF has not been rendered yet.", retryAfterSeconds: 60);
        }

        var title = $"{(invoice.DocumentType == DocumentType.CreditNote ? "Credit note" : "Invoice")} {invoice.Number}";
        var bytes = await facturX.WriteAsync(pdf.Content, cii, new FacturXMetadata(invoice.Number!, invoice.IssueDate!.Value, title), ct);
        return new EInvoiceFile(bytes, "application/pdf", $"{invoice.Number}.pdf");
    }
}
