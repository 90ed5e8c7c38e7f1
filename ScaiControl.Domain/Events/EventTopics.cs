namespace ScaiControl.Domain.Events;

/// <summary>
/// The 14 v1 outbound event topics exactly as the spec's changelog lists them (spec 002, migration 022), then the
/// additive v1 topics of the forward-looking list (invoice events and dunning escalation, issue 16; usage quotas, issue 15).
/// pack_subscription.changed.v1 is reserved: listed, never emitted.
/// </summary>
public static class EventTopics
{
    public const string TenantBillingLinked = "tenant.billing_linked.v1";
    public const string TenantBillingUpdated = "tenant.billing_updated.v1";
    public const string PartnerBillingLinked = "partner.billing_linked.v1";
    public const string PartnerBillingUpdated = "partner.billing_updated.v1";
    public const string SubscriptionActivated = "subscription.activated.v1";
    public const string SubscriptionChanged = "subscription.changed.v1";
    public const string SubscriptionCancelled = "subscription.cancelled.v1";
    public const string SubscriptionSuspended = "subscription.suspended.v1";
    public const string SubscriptionResumed = "subscription.resumed.v1";
    public const string SubscriptionTrialEnding = "subscription.trial_ending.v1";
    public const string SubscriptionPaymentFailed = "subscription.payment_failed.v1";
    public const string PackSubscriptionActivated = "pack_subscription.activated.v1";
    public const string PackSubscriptionChanged = "pack_subscription.changed.v1";
    public const string PackSubscriptionCancelled = "pack_subscription.cancelled.v1";
    public const string InvoiceIssued = "invoice.issued.v1";
    public const string InvoicePaid = "invoice.paid.v1";
    public const string InvoiceOverdue = "invoice.overdue.v1";
    public const string InvoicePaymentFailed = "invoice.payment_failed.v1";
    public const string DunningStep = "dunning.step.v1";

    /// <summary>A tenant's usage of a meter reached its plan's soft quota (issue 15); once per period per subscription and meter.</summary>
    public const string UsageQuotaReached = "usage.quota_reached.v1";

    /// <summary>A subscription period's usage was closed and billed (issue 15); once per subscription and period, with totals.</summary>
    public const string UsagePeriodClosed = "usage.period_closed.v1";

    /// <summary>All topics: the changelog's 14 in its order, then the issue 16 and issue 15 additions.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TenantBillingLinked, TenantBillingUpdated, PartnerBillingLinked, PartnerBillingUpdated, SubscriptionActivated,
        SubscriptionChanged, SubscriptionCancelled, SubscriptionSuspended, SubscriptionResumed, SubscriptionTrialEnding,
        SubscriptionPaymentFailed, PackSubscriptionActivated, PackSubscriptionChanged, PackSubscriptionCancelled,
        InvoiceIssued, InvoicePaid, InvoiceOverdue, InvoicePaymentFailed, DunningStep, UsageQuotaReached, UsagePeriodClosed,
    ];
}
