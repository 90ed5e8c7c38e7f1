using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Web.Components.Pages.Portal.Invoices;

/// <summary>An invoice as the invoice lists show it (serialisable: carried from the prerender into the circuit).</summary>
/// <param name="Id">inv_...</param>
/// <param name="Number">BT-1; null on a draft.</param>
/// <param name="CreditNote">True for a credit note (BT-3 381).</param>
/// <param name="IssueDate">BT-2; null on a draft.</param>
/// <param name="Status">"draft" | "finalised".</param>
/// <param name="GrossMinor">BT-112 in minor units, signed as the buyer's account sees it: negative for a credit note (the amount credited).</param>
/// <param name="Currency">BT-5, ISO 4217.</param>
/// <param name="TenantName">The buyer tenant's name (admin list); empty on the tenant's own list.</param>
/// <param name="PaymentStatus">The finalised invoice's payment state wire name (open, partially_paid, paid, overdue, uncollectible, void); null for drafts and credit notes.</param>
public sealed record InvoiceRow(string Id, string? Number, bool CreditNote, DateOnly? IssueDate, string Status, long GrossMinor, string Currency, string TenantName, string? PaymentStatus = null)
{
    /// <summary>The row of <paramref name="invoice"/> with its payment state (<paramref name="paymentStatus"/>, wire name) when it has one.</summary>
    public static InvoiceRow From(Invoice invoice, string tenantName, string? paymentStatus = null) =>
        new(invoice.Id, invoice.Number, invoice.DocumentType == DocumentType.CreditNote, invoice.IssueDate, InvoiceText.Status(invoice.Status),
            invoice.DocumentType == DocumentType.CreditNote ? -invoice.GrossTotalMinor : invoice.GrossTotalMinor, invoice.Currency, tenantName, paymentStatus);
}
