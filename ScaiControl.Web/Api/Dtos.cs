using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Subscriptions;

namespace ScaiControl.Web.Api;

// The JSON shapes of /api/v1. Property names become snake_case; amounts are integer minor units (cents) with the
// ISO 4217 currency beside them; times are RFC 3339 UTC; ids are the spec's prefixed alphanumerics.

/// <summary>A list page: {"items": [...], "next_cursor": "..." | null}.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>A catalog service.</summary>
public sealed record ServiceDto(string Id, string Slug, string Name, string Description, string? ParentSlug)
{
    public static ServiceDto From(Service s) => new(s.Id, s.Slug, s.Name, s.Description, s.ParentSlug);
}

/// <summary>
/// A plan: price in cents per interval ("month" | "year"), trial days, what the trial ends in ("activate" | "expire"),
/// the fixed term in periods (null = open-ended), and for pricing_model "cost_plus" the unit cost (cents), the margin
/// in basis points and when the price was last computed.
/// </summary>
public sealed record PlanDto(string Id, string ServiceId, string Code, string Name, long Price, string Currency, string Interval, int TrialDays,
    string TrialEndBehavior, int? TermPeriods, string PricingModel, long? UnitCost, int? MarginBps, DateTimeOffset? PriceRefreshedAt, bool Active)
{
    public static PlanDto From(Plan p) => new(p.Id, p.ServiceId, p.Code, p.Name, p.PriceMinor, p.Currency, p.Interval.WireName(), p.TrialDays,
        p.TrialEndBehavior.WireName(), p.TermPeriods, p.PricingModel.WireName(), p.UnitCostMinor, p.MarginBasisPoints, p.PriceRefreshedAt, p.IsActive);
}

/// <summary>A subscription with its lifecycle state and the actions its state allows.</summary>
public sealed record SubscriptionDto(
    string Id, string PartnerId, string TenantId, string TenantName, string ServiceId, string ServiceSlug, string ServiceName, string PlanId,
    string PlanCode, string PlanName, long Price, string Currency, string Status, IReadOnlyList<string> AllowedActions,
    DateTimeOffset CurrentPeriodStart, DateTimeOffset CurrentPeriodEnd, DateTimeOffset? TrialEnd, string? CancellationReason,
    DateTimeOffset? CancelledAt, DateTimeOffset CreatedAt, string? PackSubscriptionId = null, long Rate = 0, DateTimeOffset? TermEnd = null,
    string? ScheduledPlanId = null, DateTimeOffset? ScheduledPlanAt = null)
{
    /// <summary>
    /// From a view; a pack child allows no action of its own (it moves with its pack_subscription_id). rate: the
    /// billable rate in force (cents per period, inherited from the plan); price: the plan's current price.
    /// </summary>
    public static SubscriptionDto From(SubscriptionView v)
    {
        var s = v.Subscription;
        return new(s.Id, s.PartnerId, s.TenantId, v.TenantName, s.ServiceId, v.ServiceSlug, v.ServiceName, s.PlanId, v.PlanCode, v.PlanName,
            v.PriceMinor, v.Currency, s.Status.WireName(), s.IsPackChild ? [] : SubscriptionStateMachine.AllowedActions(s.Status).Select(a => a.WireName()).ToArray(),
            s.CurrentPeriodStart, s.CurrentPeriodEnd, s.TrialEnd, s.CancellationReason, s.CancelledAt, s.CreatedAt, s.PackSubscriptionId,
            s.RateMinor, s.TermEnd, s.ScheduledPlanId, s.ScheduledPlanAt);
    }
}

/// <summary>POST /api/v1/subscriptions body.</summary>
public sealed record CreateSubscriptionRequest(string? PlanId, string? TenantId);

/// <summary>POST /api/v1/subscriptions/{id}/cancel body (optional; default: cancel now).</summary>
public sealed record CancelSubscriptionRequest(bool? AtPeriodEnd, string? Reason);

/// <summary>A party frozen on a finalised invoice (EN 16931 BG-4 seller / BG-7 buyer).</summary>
public sealed record PartyDto(string LegalName, string AddressLine1, string? AddressLine2, string PostalCode, string City, string Country, string? VatId, string Email)
{
    public static PartyDto? From(PartySnapshot? p) => p is null ? null
        : new(p.LegalName, p.Address.Line1, p.Address.Line2, p.Address.PostalCode, p.Address.City, p.Address.Country, p.VatId, p.Email);
}

/// <summary>An invoice line (BG-25): amounts in cents, VAT category code and rate as "21.00".</summary>
public sealed record InvoiceLineDto(string Id, int Position, string Description, long Quantity, long UnitPrice, long NetAmount, string VatCategory, string VatRate, string? SubscriptionId, DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd);

/// <summary>A VAT breakdown group (BG-23).</summary>
public sealed record VatBreakdownDto(string Category, string Rate, long TaxableAmount, long TaxAmount, string? ExemptionReasonCode, string? ExemptionReason);

/// <summary>The PDF state of an invoice: "pending" | "ready" | "failed", the reason when not ready, and its URL.</summary>
public sealed record PdfStateDto(string Status, string? Reason, string Url);

/// <summary>An invoice or credit note.</summary>
public sealed record InvoiceDto(
    string Id, string? Number, string DocumentType, string Status, string Currency, DateOnly? IssueDate, DateOnly? DueDate, string PartnerId, string TenantId,
    IReadOnlyList<InvoiceLineDto> Lines, long NetTotal, long VatTotal, long GrossTotal, IReadOnlyList<VatBreakdownDto> VatBreakdown, IReadOnlyList<string> Notes,
    string? VatRule, PartyDto? Seller, PartyDto? Buyer, string? BuyerReference, string? ReferencedInvoiceId, string? ReferencedInvoiceNumber, string? CreditReason,
    DateTimeOffset CreatedAt, DateTimeOffset? FinalisedAt, PdfStateDto? Pdf)
{
    /// <summary>The payment state of a finalised invoice (issue 16): status, amount due and, on a single read, the history; null for drafts and credit notes.</summary>
    public InvoicePaymentDto? Payment { get; init; }

    public static InvoiceDto From(Invoice i, InvoiceDocument? document = null) => new(
        i.Id, i.Number, i.DocumentType == Domain.Invoicing.DocumentType.CreditNote ? "credit_note" : "invoice", i.Status == InvoiceStatus.Finalised ? "finalised" : "draft",
        i.Currency, i.IssueDate, i.DueDate, i.PartnerId, i.TenantId,
        i.Lines.OrderBy(l => l.Position).Select(l => new InvoiceLineDto(l.Id, l.Position, l.Description, l.Quantity, l.UnitPriceMinor, l.NetAmountMinor,
            l.VatCategory.ToString(), new VatRate(l.VatRateBasisPoints).Percent, l.SubscriptionId, l.PeriodStart, l.PeriodEnd)).ToArray(),
        i.NetTotalMinor, i.VatTotalMinor, i.GrossTotalMinor,
        i.VatBreakdown().Select(b => new VatBreakdownDto(b.Category.ToString(), b.Rate.Percent, b.TaxableMinor, b.TaxMinor, b.ExemptionReasonCode, b.ExemptionReason)).ToArray(),
        i.NoteList, i.VatRule?.WireName(), PartyDto.From(i.Seller), PartyDto.From(i.Buyer), i.BuyerReference, i.ReferencedInvoiceId, i.ReferencedInvoiceNumber, i.CreditReason, i.CreatedAt, i.FinalisedAt,
        document is null ? null : new PdfStateDto(document.Status.ToString().ToLowerInvariant(), document.Reason, $"/api/v1/invoices/{i.Id}/pdf"));
}

/// <summary>One line of a credit-note request: quantity OR amount (minor units) of an invoice line.</summary>
public sealed record CreditLineRequest(string? InvoiceLineId, long? Quantity, long? Amount);

/// <summary>POST /api/v1/invoices/{id}/credit-notes body; no lines = credit everything still uncredited.</summary>
public sealed record CreditNoteRequest(string? Reason, IReadOnlyList<CreditLineRequest>? Lines);

/// <summary>POST /api/v1/admin/billing-runs body: {"period": "YYYY-MM"}.</summary>
public sealed record BillingRunRequest(string? Period);

/// <summary>A billing run and its progress.</summary>
public sealed record BillingRunDto(string Id, string Period, string Status, int TenantsTotal, int TenantsProcessed, int InvoicesCreated, int InvoicesFinalised,
    IReadOnlyList<string> Errors, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? ClaimedBy, DateTimeOffset? LeaseUntil)
{
    public static BillingRunDto From(BillingRun r) => new(r.Id, r.Period, r.Status.ToString().ToLowerInvariant(), r.TenantsTotal, r.TenantsProcessed,
        r.InvoicesCreated, r.InvoicesFinalised, r.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), r.RequestedBy, r.CreatedAt, r.StartedAt, r.CompletedAt, r.ClaimedBy, r.LeaseUntil);
}

/// <summary>A tenant billing profile (buyer), GET/PUT /api/v1/tenants/{id}/billing-profile.</summary>
/// <remarks>vat_id_status is "unchecked" | "valid" | "invalid" | "unavailable": the VIES evidence; reverse charge needs "valid".
/// document_language is the buyer's choice (null = the default of its country), effective_document_language the one documents use;
/// registration_id / registration_scheme are BT-47 and its ISO 6523 ICD.</remarks>
public sealed record BillingProfileDto(string TenantId, string LegalName, string AddressLine1, string? AddressLine2, string PostalCode, string City, string Country, string? VatId,
    string VatIdStatus, DateTimeOffset? VatIdCheckedAt, string? VatIdConsultationNumber, string? VatIdRegisteredName, string Email, string? BuyerReference,
    string? PreferredEinvoiceFormat, DateTimeOffset UpdatedAt, string? DocumentLanguage, string EffectiveDocumentLanguage, string? RegistrationId, string? RegistrationScheme)
{
    public static BillingProfileDto From(TenantBillingProfile p) => new(p.TenantId, p.LegalName, p.AddressLine1, p.AddressLine2, p.PostalCode, p.City, p.Country, p.VatId,
        p.VatIdStatus.ToString().ToLowerInvariant(), p.VatIdCheckedAt, p.VatIdConsultationNumber, p.VatIdRegisteredName, p.Email, p.BuyerReference, p.PreferredEInvoiceFormat, p.UpdatedAt,
        p.DocumentLanguage, p.EffectiveDocumentLanguage, p.RegistrationId, p.RegistrationScheme);
}

/// <summary>POST /api/v1/admin/webhook-subscriptions: the endpoint URL, topic patterns (exact, "family.*" or "*"), an optional description and owner partner.</summary>
public sealed record WebhookSubscriptionRequest(string? Url, IReadOnlyList<string?>? Topics, string? Description, string? PartnerId);

/// <summary>A webhook subscriber (never its secret).</summary>
public sealed record WebhookSubscriptionDto(
    string Id, string PartnerId, string Url, IReadOnlyList<string> Topics, string? Description, bool Enabled, string? DisabledReason,
    DateTimeOffset CreatedAt, DateTimeOffset? ConsecutiveFailureSince, DateTimeOffset? DisabledAt = null, DateTimeOffset? UpdatedAt = null,
    DateTimeOffset? PreviousSecretExpiresAt = null)
{
    public static WebhookSubscriptionDto From(ScaiControl.Domain.Webhooks.WebhookSubscription s) =>
        new(s.Id, s.PartnerId, s.Url, s.Topics.Split(' ', StringSplitOptions.RemoveEmptyEntries), s.Description, s.Enabled, s.DisabledReason, s.CreatedAt,
            s.ConsecutiveFailureSince, s.DisabledAt, s.UpdatedAt, s.PreviousSecretPath is null ? null : s.PreviousSecretExpiresAt);
}

/// <summary>The answer to a create: the subscriber's fields plus its signing secret (whsec_...), shown this once.</summary>
public sealed record WebhookSubscriptionCreatedDto(
    string Id, string PartnerId, string Url, IReadOnlyList<string> Topics, string? Description, bool Enabled, DateTimeOffset CreatedAt, string Secret)
{
    /// <summary>Combines a subscriber and its secret.</summary>
    public WebhookSubscriptionCreatedDto(WebhookSubscriptionDto s, string secret)
        : this(s.Id, s.PartnerId, s.Url, s.Topics, s.Description, s.Enabled, s.CreatedAt, secret)
    {
    }
}
