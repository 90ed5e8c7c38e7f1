using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>
/// The parent of a pack's child subscriptions (spec 002 migration 014): one billable line at the pack price, one
/// lifecycle that propagates to every child in the same transaction. Uses the subscription states and
/// <see cref="SubscriptionStateMachine"/>. Times are UTC; money in minor units.
/// </summary>
public sealed class PackSubscription : AggregateRoot, ITenantOwned
{
    private PackSubscription() { }

    /// <summary>A pending pack subscription at <paramref name="priceMinor"/> (the pack's quote at subscription time).</summary>
    private PackSubscription(string partnerId, string tenantId, ServicePack pack, long priceMinor, DateTimeOffset now)
    {
        Id = Ids.New("psb");
        PartnerId = partnerId;
        TenantId = tenantId;
        PackId = pack.Id;
        PriceMinor = priceMinor;
        Currency = pack.Currency;
        Interval = pack.Interval;
        Status = SubscriptionStatus.Pending;
        CurrentPeriodStart = now;
        CurrentPeriodEnd = pack.Interval.PeriodEnd(now);
        BillingAnchor = now;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string PackId { get; private set; } = default!;

    /// <summary>The pack price per interval in minor units, fixed at subscription time.</summary>
    public long PriceMinor { get; private set; }

    /// <summary>ISO 4217 code of <see cref="PriceMinor"/>.</summary>
    public string Currency { get; private set; } = default!;
    public BillingInterval Interval { get; private set; }
    public SubscriptionStatus Status { get; private set; }
    public DateTimeOffset CurrentPeriodStart { get; private set; }
    public DateTimeOffset CurrentPeriodEnd { get; private set; }
    public DateTimeOffset BillingAnchor { get; private set; }
    public DateTimeOffset? BilledThrough { get; private set; }
    public string? CancellationReason { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The lifecycle actions a pack subscription offers (activation happens only at subscription time).</summary>
    public static IReadOnlyList<SubscriptionAction> PackActions { get; } =
        [SubscriptionAction.ScheduleCancellation, SubscriptionAction.Resume, SubscriptionAction.Cancel, SubscriptionAction.Suspend, SubscriptionAction.Unsuspend];

    /// <summary>The actions <see cref="SubscriptionStateMachine"/> allows a pack subscription in <paramref name="status"/>, in table order.</summary>
    public static IReadOnlyList<SubscriptionAction> AllowedActions(SubscriptionStatus status) =>
        SubscriptionStateMachine.AllowedActions(status).Where(PackActions.Contains).ToArray();

    /// <summary>What a user can do on the parent instead of acting on a child, in words ("cancel the pack subscription psb_…").</summary>
    public static IReadOnlyList<string> DescribeActions(string packSubscriptionId, SubscriptionStatus status) =>
        AllowedActions(status).Select(a => a switch
        {
            SubscriptionAction.ScheduleCancellation => $"cancel the pack subscription {packSubscriptionId} at period end",
            SubscriptionAction.Cancel => $"cancel the pack subscription {packSubscriptionId}",
            _ => $"{a.WireName()} the pack subscription {packSubscriptionId}",
        }).ToArray();

    /// <summary>
    /// Subscribes a tenant to a pack: the parent at the pack's current quote and one active child per item, the
    /// parent active at once; raises pack_subscription.activated.v1 (listing the children) and no child events.
    /// The caller saves parent and children in one transaction.
    /// </summary>
    /// <remarks><paramref name="items"/> are the pack's items resolved to their service and plan, in item order.</remarks>
    /// <exception cref="DomainValidationException">The pack is retired, or one of its plans is no longer on sale (field "pack_id").</exception>
    public static (PackSubscription Parent, IReadOnlyList<Subscription> Children) Start(string partnerId, string tenantId, ServicePack pack, IReadOnlyList<(Service Service, Plan Plan)> items, DateTimeOffset now)
    {
        if (!pack.IsActive)
        {
            throw new DomainValidationException("pack_id", $"Pack {pack.Code} is no longer on sale.");
        }

        var ordered = pack.Items.OrderBy(i => i.Position).ToList();
        if (items.Count != ordered.Count || items.Count == 0 || items.Where((p, i) => p.Plan.Id != ordered[i].PlanId || p.Service.Id != ordered[i].ServiceId).Any())
        {
            throw new ArgumentException("The resolved items must be the pack's items in order.", nameof(items));
        }

        if (items.FirstOrDefault(p => !p.Plan.IsActive || !p.Service.IsActive) is { Plan: not null } retired)
        {
            throw new DomainValidationException("pack_id", $"Pack {pack.Code} includes {retired.Service.Slug} {retired.Plan.Code}, which is no longer on sale.");
        }

        var parent = new PackSubscription(partnerId, tenantId, pack, pack.Quote(items.Select(p => p.Plan)).PriceMinor, now);
        var children = items.Select(p => Subscription.StartPackChild(parent, p.Service, p.Plan, now)).ToList();
        parent.Move(SubscriptionAction.Activate, children, now, null);
        return (parent, children);
    }

    /// <summary>→ cancelling, with every child: all run to the end of the current period, then the reaper cancels them together.</summary>
    /// <exception cref="SubscriptionTransitionException">The state forbids it (HTTP 409); nothing changes.</exception>
    public void ScheduleCancellation(IReadOnlyList<Subscription> children, DateTimeOffset now, string? reason)
    {
        Ensure(SubscriptionAction.ScheduleCancellation, children);
        var kept = Guard.OptionalText(reason, "reason", 500, multiline: true);
        CancellationReason = kept;
        Move(SubscriptionAction.ScheduleCancellation, children, now, kept);
    }

    /// <summary>cancelling → active, with every child.</summary>
    /// <exception cref="SubscriptionTransitionException">Not cancelling (HTTP 409).</exception>
    public void Resume(IReadOnlyList<Subscription> children, DateTimeOffset now)
    {
        Ensure(SubscriptionAction.Resume, children);
        Move(SubscriptionAction.Resume, children, now, null);
        CancellationReason = null;
    }

    /// <summary>→ cancelled now, with every child; raises pack_subscription.cancelled.v1.</summary>
    /// <exception cref="SubscriptionTransitionException">Already cancelled or expired (HTTP 409).</exception>
    public void Cancel(IReadOnlyList<Subscription> children, DateTimeOffset now, string? reason)
    {
        Ensure(SubscriptionAction.Cancel, children);
        CancellationReason = Guard.OptionalText(reason, "reason", 500, multiline: true) ?? CancellationReason;
        CancelledAt = now;
        Move(SubscriptionAction.Cancel, children, now, CancellationReason);
    }

    /// <summary>→ suspended, with every child (operator action).</summary>
    /// <exception cref="SubscriptionTransitionException">The state forbids it (HTTP 409).</exception>
    public void Suspend(IReadOnlyList<Subscription> children, DateTimeOffset now, string? reason)
    {
        Ensure(SubscriptionAction.Suspend, children);
        Move(SubscriptionAction.Suspend, children, now, Guard.OptionalText(reason, "reason", 500, multiline: true));
    }

    /// <summary>suspended → active, with every child (operator action).</summary>
    /// <exception cref="SubscriptionTransitionException">Not suspended (HTTP 409).</exception>
    public void Unsuspend(IReadOnlyList<Subscription> children, DateTimeOffset now)
    {
        Ensure(SubscriptionAction.Unsuspend, children);
        Move(SubscriptionAction.Unsuspend, children, now, null);
    }

    /// <summary>True when the billing run bills it (active, past_due, cancelling), as for subscriptions.</summary>
    public bool IsBillable => Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue or SubscriptionStatus.Cancelling;

    /// <summary>
    /// The next period to invoice (in advance) when it starts before <paramref name="cutoff"/>, else null; a
    /// cancelling pack is not billed past its cancellation (same rule as <see cref="Subscription.NextUnbilledPeriod"/>).
    /// </summary>
    public (DateTimeOffset Start, DateTimeOffset End)? NextUnbilledPeriod(DateTimeOffset cutoff)
    {
        if (!IsBillable)
        {
            return null;
        }

        var start = BilledThrough ?? BillingAnchor;
        if (start >= cutoff || (Status == SubscriptionStatus.Cancelling && start >= CurrentPeriodEnd))
        {
            return null;
        }

        return (start, Interval.PeriodEnd(BillingAnchor, start));
    }

    /// <summary>
    /// Records that [start, end) is on an invoice and, once it has begun, makes it the current period of the pack
    /// and of its live children. No event: the invoice is the record.
    /// </summary>
    /// <exception cref="DomainConflictException">The period is not the next unbilled one.</exception>
    public void MarkBilled(DateTimeOffset start, DateTimeOffset end, IReadOnlyList<Subscription> children, DateTimeOffset now)
    {
        if (start != (BilledThrough ?? BillingAnchor))
        {
            throw new DomainConflictException($"Period starting {start:O} is not the next unbilled period of {Id}.");
        }

        BilledThrough = end;
        if (start <= now && Status != SubscriptionStatus.Cancelling)
        {
            CurrentPeriodStart = start;
            CurrentPeriodEnd = end;
            foreach (var child in OwnChildren(children).Where(c => !SubscriptionStateMachine.IsTerminal(c.Status)))
            {
                child.FollowPackPeriod(start, end, now);
            }
        }

        UpdatedAt = now;
    }

    private void Ensure(SubscriptionAction action, IReadOnlyList<Subscription> children)
    {
        if (SubscriptionStateMachine.Find(Status, action) is null)
        {
            throw new SubscriptionTransitionException(Status, action);
        }

        _ = OwnChildren(children);
    }

    private IEnumerable<Subscription> OwnChildren(IReadOnlyList<Subscription> children)
    {
        if (children.FirstOrDefault(c => c.PackSubscriptionId != Id) is { } stranger)
        {
            throw new ArgumentException($"Subscription {stranger.Id} is not a child of {Id}.", nameof(children));
        }

        return children;
    }

    /// <summary>Moves the parent, then every child that is not already terminal, in memory; raises the pack event when the action has one.</summary>
    private void Move(SubscriptionAction action, IReadOnlyList<Subscription> children, DateTimeOffset now, string? reason)
    {
        var transition = SubscriptionStateMachine.Find(Status, action) ?? throw new SubscriptionTransitionException(Status, action);
        var previous = Status;
        Status = transition.To;
        UpdatedAt = now;
        foreach (var child in OwnChildren(children).Where(c => !SubscriptionStateMachine.IsTerminal(c.Status)))
        {
            child.ApplyPackAction(action, now, reason);
        }

        var topic = action switch
        {
            SubscriptionAction.Activate => EventTopics.PackSubscriptionActivated,
            SubscriptionAction.Cancel => EventTopics.PackSubscriptionCancelled,
            _ => null, // no pack topic for these in v1; pack_subscription.changed.v1 is reserved, never emitted (spec 002)
        };
        if (topic is null)
        {
            return;
        }

        Raise(new DomainEvent(topic, PartnerId, TenantId, Id, now, new Dictionary<string, object?>
        {
            ["pack_subscription_id"] = Id,
            ["pack_id"] = PackId,
            ["tenant_id"] = TenantId,
            ["partner_id"] = PartnerId,
            ["previous_status"] = previous.WireName(),
            ["status"] = Status.WireName(),
            ["action"] = action.WireName(),
            ["price"] = PriceMinor,
            ["currency"] = Currency,
            ["interval"] = Interval.WireName(),
            ["current_period_start"] = CurrentPeriodStart,
            ["current_period_end"] = CurrentPeriodEnd,
            ["reason"] = reason,
            ["children"] = children.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => new Dictionary<string, object?>
            {
                ["subscription_id"] = c.Id,
                ["service_id"] = c.ServiceId,
                ["plan_id"] = c.PlanId,
                ["status"] = c.Status.WireName(),
            }).ToArray(),
        }));
    }
}
