using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Web.Components.Pages.Portal.Invoices;

/// <summary>The words the invoice pages use for invoice, PDF and billing run states (the API's wire names).</summary>
public static class InvoiceText
{
    /// <summary>"draft" | "finalised" (the API's wire names).</summary>
    public static string Status(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Draft => "draft",
        InvoiceStatus.Finalised => "finalised",
    };

    /// <summary>The status of a wire name ("draft", "finalised"); null for anything else (the list's "all").</summary>
    public static InvoiceStatus? ParseStatus(string? wireName) => wireName switch
    {
        "draft" => InvoiceStatus.Draft,
        "finalised" => InvoiceStatus.Finalised,
        _ => null,
    };

    /// <summary>"pending" | "ready" | "failed".</summary>
    public static string Status(InvoiceDocumentStatus status) => status switch
    {
        InvoiceDocumentStatus.Pending => "pending",
        InvoiceDocumentStatus.Ready => "ready",
        InvoiceDocumentStatus.Failed => "failed",
    };

    /// <summary>"queued" | "running" | "completed" | "failed".</summary>
    public static string Status(BillingRunStatus status) => status switch
    {
        BillingRunStatus.Queued => "queued",
        BillingRunStatus.Running => "running",
        BillingRunStatus.Completed => "completed",
        BillingRunStatus.Failed => "failed",
    };
}
