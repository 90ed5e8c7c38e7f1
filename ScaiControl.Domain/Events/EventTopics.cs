namespace ScaiControl.Domain.Events;

/// <summary>
/// The 14 v1 outbound event topics exactly as the spec's changelog lists them (spec 002, migration 022).
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

    /// <summary>All 14 topics, in the changelog's order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TenantBillingLinked, TenantBillingUpdated, PartnerBillingLinked, PartnerBillingUpdated, SubscriptionActivated,
        SubscriptionChanged, SubscriptionCancelled, SubscriptionSuspended, SubscriptionResumed, SubscriptionTrialEnding,
        SubscriptionPaymentFailed, PackSubscriptionActivated, PackSubscriptionChanged, PackSubscriptionCancelled,
    ];
}
