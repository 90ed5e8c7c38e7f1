using ScaiControl.Domain.Catalog;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>
/// The pack-child side of a subscription (spec 002 migration 014). A child is created with its parent
/// <see cref="PackSubscription"/> and moves only with it: every transition method of <see cref="Subscription"/>
/// refuses a child (<see cref="PackChildTransitionException"/>, HTTP 409), and a transition the parent drives raises
/// no subscription.* event (the pack's event replaces it).
/// </summary>
public sealed partial class Subscription
{
    // True while the parent drives a transition of this child: the guard lets it through and no event is raised.
    private bool _packDriven;

    /// <summary>True for a pack child (it bills and moves with its parent only).</summary>
    public bool IsPackChild => PackSubscriptionId is not null;

    /// <summary>
    /// A pending child of <paramref name="parent"/> on the parent's period; the parent's activation activates it
    /// (without an event of its own). Pack children have no trial (the pack has none).
    /// </summary>
    internal static Subscription StartPackChild(PackSubscription parent, Service service, Plan plan, DateTimeOffset now)
    {
        var child = new Subscription(parent.PartnerId, parent.TenantId, service, plan, now) { PackSubscriptionId = parent.Id };
        child.CurrentPeriodStart = parent.CurrentPeriodStart;
        child.CurrentPeriodEnd = parent.CurrentPeriodEnd;
        child.BillingAnchor = parent.BillingAnchor;
        return child;
    }

    /// <summary>Applies a transition the parent drives (no event; the table still decides whether it is allowed).</summary>
    /// <exception cref="SubscriptionTransitionException">The child's state forbids it.</exception>
    internal void ApplyPackAction(SubscriptionAction action, DateTimeOffset now, string? reason)
    {
        _packDriven = true;
        try
        {
            switch (action)
            {
                case SubscriptionAction.Activate: Activate(now); break;
                case SubscriptionAction.ScheduleCancellation: ScheduleCancellation(now, reason); break;
                case SubscriptionAction.Resume: Resume(now); break;
                case SubscriptionAction.Cancel: Cancel(now, reason); break;
                case SubscriptionAction.Suspend: Suspend(now, reason); break;
                case SubscriptionAction.Unsuspend: Unsuspend(now); break;
                default: throw new SubscriptionTransitionException(Status, action);
            }
        }
        finally
        {
            _packDriven = false;
        }
    }

    /// <summary>Keeps a child's current period on its parent's (the parent is what is billed).</summary>
    internal void FollowPackPeriod(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        if (CurrentPeriodStart == start && CurrentPeriodEnd == end)
        {
            return;
        }

        CurrentPeriodStart = start;
        CurrentPeriodEnd = end;
        UpdatedAt = now;
    }

    /// <summary>
    /// Refuses <paramref name="action"/> on a pack child unless its parent drives it. Public so that every other
    /// path that changes a subscription (e.g. a plan change) can ask the same question first.
    /// </summary>
    /// <exception cref="PackChildTransitionException">This is a pack child and the parent is not driving.</exception>
    public void EnsureNotPackChild(SubscriptionAction action)
    {
        if (PackSubscriptionId is not null && !_packDriven)
        {
            throw new PackChildTransitionException(Id, PackSubscriptionId, Status, action.WireName());
        }
    }

    /// <summary>As <see cref="EnsureNotPackChild(SubscriptionAction)"/> for actions outside the state table ("change_plan").</summary>
    /// <exception cref="PackChildTransitionException">This is a pack child.</exception>
    public void EnsureNotPackChild(string action)
    {
        if (PackSubscriptionId is not null && !_packDriven)
        {
            throw new PackChildTransitionException(Id, PackSubscriptionId, Status, action);
        }
    }
}

/// <summary>
/// A lifecycle action on a pack child alone (HTTP 409): names the child's state and, as the allowed actions, what
/// can be done on the parent instead (e.g. "cancel the pack subscription psb_…"). Nothing changes.
/// </summary>
public sealed class PackChildTransitionException(string subscriptionId, string packSubscriptionId, SubscriptionStatus current, string action)
    : Common.DomainConflictException(
        $"Subscription {subscriptionId} is part of pack subscription {packSubscriptionId}: it cannot {action.Replace('_', ' ')} alone. Act on the pack subscription (POST /api/v1/pack-subscriptions/{packSubscriptionId}/...).",
        current.WireName(),
        PackSubscription.DescribeActions(packSubscriptionId, current))
{
    /// <summary>The parent the action must go to.</summary>
    public string PackSubscriptionId { get; } = packSubscriptionId;
}
