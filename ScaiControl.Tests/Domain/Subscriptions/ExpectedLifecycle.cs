using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>
/// The subscription lifecycle written out by hand (spec 000: pending → trialing → active → past_due/cancelling →
/// cancelled/expired/suspended, with the topics of spec 002). Deliberately NOT read from
/// <see cref="SubscriptionStateMachine.Transitions"/>: the tests compare the code against this list.
/// </summary>
internal static class ExpectedLifecycle
{
    public static readonly IReadOnlyList<(SubscriptionStatus From, SubscriptionAction Action, SubscriptionStatus To, string Topic)> Allowed =
    [
        (SubscriptionStatus.Pending, SubscriptionAction.StartTrial, SubscriptionStatus.Trialing, "subscription.activated.v1"),
        (SubscriptionStatus.Pending, SubscriptionAction.Activate, SubscriptionStatus.Active, "subscription.activated.v1"),
        (SubscriptionStatus.Trialing, SubscriptionAction.Activate, SubscriptionStatus.Active, "subscription.activated.v1"),
        (SubscriptionStatus.Active, SubscriptionAction.MarkPastDue, SubscriptionStatus.PastDue, "subscription.payment_failed.v1"),
        (SubscriptionStatus.PastDue, SubscriptionAction.SettlePayment, SubscriptionStatus.Active, "subscription.resumed.v1"),
        (SubscriptionStatus.Trialing, SubscriptionAction.ScheduleCancellation, SubscriptionStatus.Cancelling, "subscription.changed.v1"),
        (SubscriptionStatus.Active, SubscriptionAction.ScheduleCancellation, SubscriptionStatus.Cancelling, "subscription.changed.v1"),
        (SubscriptionStatus.PastDue, SubscriptionAction.ScheduleCancellation, SubscriptionStatus.Cancelling, "subscription.changed.v1"),
        (SubscriptionStatus.Cancelling, SubscriptionAction.Resume, SubscriptionStatus.Active, "subscription.resumed.v1"),
        (SubscriptionStatus.Pending, SubscriptionAction.Cancel, SubscriptionStatus.Cancelled, "subscription.cancelled.v1"),
        (SubscriptionStatus.Trialing, SubscriptionAction.Cancel, SubscriptionStatus.Cancelled, "subscription.cancelled.v1"),
        (SubscriptionStatus.Active, SubscriptionAction.Cancel, SubscriptionStatus.Cancelled, "subscription.cancelled.v1"),
        (SubscriptionStatus.PastDue, SubscriptionAction.Cancel, SubscriptionStatus.Cancelled, "subscription.cancelled.v1"),
        (SubscriptionStatus.Cancelling, SubscriptionAction.Cancel, SubscriptionStatus.Cancelled, "subscription.cancelled.v1"),
        (SubscriptionStatus.Suspended, SubscriptionAction.Cancel, SubscriptionStatus.Cancelled, "subscription.cancelled.v1"),
        (SubscriptionStatus.Trialing, SubscriptionAction.Expire, SubscriptionStatus.Expired, "subscription.changed.v1"),
        (SubscriptionStatus.Active, SubscriptionAction.Expire, SubscriptionStatus.Expired, "subscription.changed.v1"),
        (SubscriptionStatus.PastDue, SubscriptionAction.Expire, SubscriptionStatus.Expired, "subscription.changed.v1"),
        (SubscriptionStatus.Cancelling, SubscriptionAction.Expire, SubscriptionStatus.Expired, "subscription.changed.v1"),
        (SubscriptionStatus.Active, SubscriptionAction.Suspend, SubscriptionStatus.Suspended, "subscription.suspended.v1"),
        (SubscriptionStatus.PastDue, SubscriptionAction.Suspend, SubscriptionStatus.Suspended, "subscription.suspended.v1"),
        (SubscriptionStatus.Cancelling, SubscriptionAction.Suspend, SubscriptionStatus.Suspended, "subscription.suspended.v1"),
        (SubscriptionStatus.Suspended, SubscriptionAction.Unsuspend, SubscriptionStatus.Active, "subscription.resumed.v1"),
        (SubscriptionStatus.Trialing, SubscriptionAction.ChangePlan, SubscriptionStatus.Trialing, "subscription.changed.v1"),
        (SubscriptionStatus.Active, SubscriptionAction.ChangePlan, SubscriptionStatus.Active, "subscription.changed.v1"),
    ];

    /// <summary>The spec's snake_case status names.</summary>
    public static readonly IReadOnlyDictionary<SubscriptionStatus, string> StatusWire = new Dictionary<SubscriptionStatus, string>
    {
        [SubscriptionStatus.Pending] = "pending",
        [SubscriptionStatus.Trialing] = "trialing",
        [SubscriptionStatus.Active] = "active",
        [SubscriptionStatus.PastDue] = "past_due",
        [SubscriptionStatus.Cancelling] = "cancelling",
        [SubscriptionStatus.Cancelled] = "cancelled",
        [SubscriptionStatus.Expired] = "expired",
        [SubscriptionStatus.Suspended] = "suspended",
    };

    /// <summary>The spec's snake_case action names.</summary>
    public static readonly IReadOnlyDictionary<SubscriptionAction, string> ActionWire = new Dictionary<SubscriptionAction, string>
    {
        [SubscriptionAction.StartTrial] = "start_trial",
        [SubscriptionAction.Activate] = "activate",
        [SubscriptionAction.MarkPastDue] = "mark_past_due",
        [SubscriptionAction.SettlePayment] = "settle_payment",
        [SubscriptionAction.ScheduleCancellation] = "schedule_cancellation",
        [SubscriptionAction.Resume] = "resume",
        [SubscriptionAction.Cancel] = "cancel",
        [SubscriptionAction.Expire] = "expire",
        [SubscriptionAction.Suspend] = "suspend",
        [SubscriptionAction.Unsuspend] = "unsuspend",
        [SubscriptionAction.ChangePlan] = "change_plan",
    };

    public static bool IsAllowed(SubscriptionStatus from, SubscriptionAction action) =>
        Allowed.Any(t => t.From == from && t.Action == action);

    /// <summary>Wire names of the actions allowed in <paramref name="status"/>, sorted ordinally.</summary>
    public static IReadOnlyList<string> AllowedActionNames(SubscriptionStatus status) =>
        Allowed.Where(t => t.From == status).Select(t => ActionWire[t.Action]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every (status, action) pair, split by the hand-written table.</summary>
    public static TheoryData<SubscriptionStatus, SubscriptionAction> Pairs(bool allowed)
    {
        var data = new TheoryData<SubscriptionStatus, SubscriptionAction>();
        foreach (var status in Enum.GetValues<SubscriptionStatus>())
        {
            foreach (var action in Enum.GetValues<SubscriptionAction>())
            {
                if (IsAllowed(status, action) == allowed)
                {
                    data.Add(status, action);
                }
            }
        }

        return data;
    }
}
