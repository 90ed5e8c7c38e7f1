using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>
/// The link between a tenant and a (service, plan), with its current period and the lifecycle state machine of
/// <see cref="SubscriptionStateMachine"/>. Every transition is one method; a forbidden one raises
/// <see cref="SubscriptionTransitionException"/>. Each transition raises its outbox event. Times are UTC.
/// </summary>
public sealed partial class Subscription : AggregateRoot, ITenantOwned
{
    private Subscription() { }

    private Subscription(string partnerId, string tenantId, Service service, Plan plan, DateTimeOffset now)
    {
        Id = Ids.New("sub");
        PartnerId = partnerId;
        TenantId = tenantId;
        ServiceId = service.Id;
        PlanId = plan.Id;
        Interval = plan.Interval;
        Status = SubscriptionStatus.Pending;
        CurrentPeriodStart = now;
        CurrentPeriodEnd = plan.Interval.PeriodEnd(now);
        BillingAnchor = now;
        RateMinor = plan.PriceMinor;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public string ServiceId { get; private set; } = default!;
    public string PlanId { get; private set; } = default!;

    /// <summary>The plan's interval at subscription time (periods follow it).</summary>
    public BillingInterval Interval { get; private set; }
    public SubscriptionStatus Status { get; private set; }

    /// <summary>Start of the current period (inclusive, UTC).</summary>
    public DateTimeOffset CurrentPeriodStart { get; private set; }

    /// <summary>End of the current period (exclusive, UTC).</summary>
    public DateTimeOffset CurrentPeriodEnd { get; private set; }

    /// <summary>End of the trial (UTC), when the plan has trial days.</summary>
    public DateTimeOffset? TrialEnd { get; private set; }

    /// <summary>Start of the first paid period: the subscription time, or the trial end.</summary>
    public DateTimeOffset BillingAnchor { get; private set; }

    /// <summary>End of the last period invoiced (exclusive, UTC); null before the first invoice.</summary>
    public DateTimeOffset? BilledThrough { get; private set; }
    public string? CancellationReason { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }

    /// <summary>The billable rate per period in minor units, inherited from the plan and refreshed when the plan is (spec 002 migration 007).</summary>
    public long RateMinor { get; private set; }

    /// <summary>Fixed-term plans: when the term ends and the reaper expires the subscription (UTC); null = open-ended.</summary>
    public DateTimeOffset? TermEnd { get; private set; }

    /// <summary>When subscription.trial_ending.v1 was emitted (once per subscription); null before.</summary>
    public DateTimeOffset? TrialEndingNotifiedAt { get; private set; }

    /// <summary>The parent pack subscription when this is a pack child; a child is never cancelled alone.</summary>
    public string? PackSubscriptionId { get; private set; }

    /// <summary>A plan change scheduled for the period end ("effective": "period_end"); null when none.</summary>
    public string? ScheduledPlanId { get; private set; }

    /// <summary>When <see cref="ScheduledPlanId"/> takes effect (UTC).</summary>
    public DateTimeOffset? ScheduledPlanAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>
    /// Subscribes a tenant to a plan: pending, then at once trialing (plan has trial days) or active, as nothing
    /// needs provisioning yet. Raises subscription.activated.v1.
    /// </summary>
    /// <exception cref="DomainValidationException">The plan is retired or belongs to another service.</exception>
    public static Subscription Start(string partnerId, string tenantId, Service service, Plan plan, DateTimeOffset now)
    {
        if (plan.ServiceId != service.Id)
        {
            throw new DomainValidationException("plan_id", "The plan does not belong to this service.");
        }

        if (!plan.IsActive || !service.IsActive)
        {
            throw new DomainValidationException("plan_id", "The plan is not available for new subscriptions.");
        }

        var subscription = new Subscription(partnerId, tenantId, service, plan, now);
        if (plan.TrialDays > 0)
        {
            subscription.StartTrial(now, plan.TrialDays);
        }
        else
        {
            subscription.Activate(now);
            subscription.StartTerm(plan.TermPeriods);
        }

        return subscription;
    }

    /// <summary>pending → trialing for <paramref name="trialDays"/> days; the first paid period starts at the trial end.</summary>
    public void StartTrial(DateTimeOffset now, int trialDays)
    {
        Ensure(SubscriptionAction.StartTrial);
        TrialEnd = now.AddDays(trialDays);
        CurrentPeriodStart = now;
        CurrentPeriodEnd = TrialEnd.Value;
        BillingAnchor = TrialEnd.Value;
        Move(SubscriptionAction.StartTrial, now, ("trial_end", TrialEnd));
    }

    /// <summary>pending | trialing → active. From a trial, the first paid period starts now.</summary>
    public void Activate(DateTimeOffset now)
    {
        Ensure(SubscriptionAction.Activate);
        if (Status == SubscriptionStatus.Trialing)
        {
            BillingAnchor = now;
            CurrentPeriodStart = now;
            CurrentPeriodEnd = Interval.PeriodEnd(now);
        }

        Move(SubscriptionAction.Activate, now);
    }

    /// <summary>active → past_due (a payment failed).</summary>
    public void MarkPastDue(DateTimeOffset now) => Move(SubscriptionAction.MarkPastDue, now);

    /// <summary>past_due → active (the payment arrived).</summary>
    public void SettlePayment(DateTimeOffset now) => Move(SubscriptionAction.SettlePayment, now);

    /// <summary>
    /// → cancelling: runs to the end of the current period, then the reaper cancels it. The current period is taken
    /// from the anniversary schedule at <paramref name="now"/> (the stored one can lag when nothing was billed since),
    /// and never ends before the time already invoiced: a period paid in advance is not forfeited. A trial runs to
    /// its trial end.
    /// </summary>
    public void ScheduleCancellation(DateTimeOffset now, string? reason)
    {
        Ensure(SubscriptionAction.ScheduleCancellation);
        CancellationReason = Guard.OptionalText(reason, "reason", 500, multiline: true);
        if (Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue && now >= BillingAnchor)
        {
            var (start, end) = PeriodContaining(now);
            CurrentPeriodStart = start;
            CurrentPeriodEnd = BilledThrough is { } paid && paid > end ? paid : end;
        }

        Move(SubscriptionAction.ScheduleCancellation, now, ("cancel_at", CurrentPeriodEnd), ("reason", CancellationReason));
    }

    /// <summary>cancelling → active: the scheduled cancellation is withdrawn.</summary>
    public void Resume(DateTimeOffset now)
    {
        Move(SubscriptionAction.Resume, now);
        CancellationReason = null;
    }

    /// <summary>→ cancelled, effective now.</summary>
    public void Cancel(DateTimeOffset now, string? reason)
    {
        Ensure(SubscriptionAction.Cancel);
        CancellationReason = Guard.OptionalText(reason, "reason", 500, multiline: true) ?? CancellationReason;
        CancelledAt = now;
        Move(SubscriptionAction.Cancel, now, ("reason", CancellationReason));
    }

    /// <summary>→ expired (trial not converted or fixed term ended).</summary>
    public void Expire(DateTimeOffset now) => Move(SubscriptionAction.Expire, now);

    /// <summary>→ suspended (operator action or dunning).</summary>
    public void Suspend(DateTimeOffset now, string? reason) =>
        Move(SubscriptionAction.Suspend, now, ("reason", Guard.OptionalText(reason, "reason", 500, multiline: true)));

    /// <summary>suspended → active.</summary>
    public void Unsuspend(DateTimeOffset now) => Move(SubscriptionAction.Unsuspend, now);

    /// <summary>True when the state is billed by the billing run (active, past_due, cancelling).</summary>
    public bool IsBillable => Status is SubscriptionStatus.Active or SubscriptionStatus.PastDue or SubscriptionStatus.Cancelling;

    /// <summary>
    /// The next period to invoice (in advance) when it starts before <paramref name="cutoff"/>, else null. A
    /// subscription that is cancelling is not billed for periods after its cancellation takes effect.
    /// </summary>
    public (DateTimeOffset Start, DateTimeOffset End)? NextUnbilledPeriod(DateTimeOffset cutoff)
    {
        if (!IsBillable)
        {
            return null;
        }

        var start = BilledThrough ?? BillingAnchor;
        if (start >= cutoff || (Status == SubscriptionStatus.Cancelling && start >= CurrentPeriodEnd) || EndsBefore(start))
        {
            return null;
        }

        return (start, Interval.PeriodEnd(BillingAnchor, start));
    }

    /// <summary>
    /// Records that the period [start, end) is on an invoice and advances the current period to it once it has
    /// begun (<paramref name="now"/>). Raises no event: the invoice is the record.
    /// </summary>
    /// <exception cref="DomainConflictException">The period is not the next unbilled one.</exception>
    public void MarkBilled(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
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
        }

        UpdatedAt = now;
    }

    private void Ensure(SubscriptionAction action)
    {
        EnsureNotPackChild(action);
        if (SubscriptionStateMachine.Find(Status, action) is null)
        {
            throw new SubscriptionTransitionException(Status, action);
        }
    }

    private void Move(SubscriptionAction action, DateTimeOffset now, params (string Key, object? Value)[] extra)
    {
        EnsureNotPackChild(action);
        var transition = SubscriptionStateMachine.Find(Status, action) ?? throw new SubscriptionTransitionException(Status, action);
        var previous = Status;
        Status = transition.To;
        UpdatedAt = now;
        var payload = new Dictionary<string, object?>
        {
            ["subscription_id"] = Id,
            ["tenant_id"] = TenantId,
            ["partner_id"] = PartnerId,
            ["service_id"] = ServiceId,
            ["plan_id"] = PlanId,
            ["previous_status"] = previous.WireName(),
            ["status"] = Status.WireName(),
            ["action"] = action.WireName(),
            ["current_period_start"] = CurrentPeriodStart,
            ["current_period_end"] = CurrentPeriodEnd,
        };
        foreach (var (key, value) in extra)
        {
            payload[key] = value;
        }

        if (!_packDriven)
        {
            Raise(new DomainEvent(transition.Topic, PartnerId, TenantId, Id, now, payload));
        }
    }
}
