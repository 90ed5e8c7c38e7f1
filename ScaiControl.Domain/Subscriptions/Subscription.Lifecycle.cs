using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>When a plan change takes effect: at once (prorated) or at the end of the current period.</summary>
public enum PlanChangeEffective
{
    Now,
    PeriodEnd,
}

/// <summary>
/// What a plan change costs, computed without changing anything (the preview, and the basis of the change itself).
/// <see cref="CreditMinor"/> is the unused part of the old rate (including periods already invoiced ahead),
/// <see cref="ChargeMinor"/> the new rate for the same span (same interval) or a new full period (interval change);
/// both are whole minor units of <see cref="Currency"/>, rounded half away from zero by <see cref="Proration"/>.
/// <see cref="CatchUp"/> lists periods at the old rate that were not invoiced yet: they become pending charges too, so
/// the credit always refers to money that is on an invoice. <see cref="PeriodStart"/>–<see cref="PeriodEnd"/> is the
/// span the credit and charge cover. <see cref="Rule"/> is null during a trial (nothing to prorate).
/// </summary>
public sealed record PlanChangeQuote(
    string OldPlanId, string NewPlanId, PlanChangeEffective Effective, ProrationRule? Rule, DateTimeOffset At,
    long CreditMinor, long ChargeMinor, string Currency, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd,
    IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> CatchUp)
{
    /// <summary>Charge minus credit (minor units): positive is due on the next invoice, negative is a credit.</summary>
    public long NetMinor => ChargeMinor - CreditMinor;
}

/// <summary>Plan changes, fixed terms, trial notices and rate refreshes (issue 4). See docs/lifecycle.md.</summary>
public sealed partial class Subscription
{
    /// <summary>True when periods starting at <paramref name="start"/> are not billed: past the fixed term, or at/after a pending scheduled plan change (billed once the reaper applied it, at the new rate).</summary>
    private bool EndsBefore(DateTimeOffset start) =>
        (TermEnd is { } termEnd && start >= termEnd) || (ScheduledPlanId is not null && ScheduledPlanAt is { } at && start >= at);

    /// <summary>Starts the fixed term at activation: <paramref name="termPeriods"/> intervals from the billing anchor (null = open-ended).</summary>
    public void StartTerm(int? termPeriods) =>
        TermEnd = termPeriods is { } n && n > 0 ? (Interval == BillingInterval.Month ? BillingAnchor.AddMonths(n) : BillingAnchor.AddYears(n)) : null;

    /// <summary>
    /// The trial ends (reaper, at <see cref="TrialEnd"/>): trialing → active (billed from then, fixed term starts) or
    /// trialing → expired, as <paramref name="plan"/>'s <see cref="Plan.TrialEndBehavior"/> says.
    /// </summary>
    /// <exception cref="SubscriptionTransitionException">Not trialing.</exception>
    public void EndTrial(Plan plan, DateTimeOffset at)
    {
        if (Status != SubscriptionStatus.Trialing)
        {
            throw new SubscriptionTransitionException(Status, plan.TrialEndBehavior == TrialEndBehavior.Expire ? SubscriptionAction.Expire : SubscriptionAction.Activate);
        }

        if (plan.TrialEndBehavior == TrialEndBehavior.Expire)
        {
            Move(SubscriptionAction.Expire, at, ("reason", "trial_ended"), ("trial_end", TrialEnd));
            return;
        }

        Activate(at);
        StartTerm(plan.TermPeriods);
    }

    /// <summary>The fixed term ran out (reaper, at <see cref="TermEnd"/>): → expired.</summary>
    public void ExpireTerm(DateTimeOffset at) => Move(SubscriptionAction.Expire, at, ("reason", "term_ended"), ("term_end", TermEnd));

    /// <summary>
    /// The subscription.trial_ending.v1 event at <paramref name="now"/> (trial end, days left). Changes nothing: the
    /// notifier sets <see cref="TrialEndingNotifiedAt"/> with a conditional UPDATE and writes this event beside it, so
    /// it is emitted once per subscription.
    /// </summary>
    /// <exception cref="DomainConflictException">Not trialing.</exception>
    public DomainEvent TrialEndingEvent(DateTimeOffset now)
    {
        if (Status != SubscriptionStatus.Trialing || TrialEnd is null)
        {
            throw new DomainConflictException($"Subscription {Id} has no trial ending to announce.", Status.WireName(), SubscriptionStateMachine.AllowedActions(Status).Select(a => a.WireName()).ToArray());
        }

        return new DomainEvent(EventTopics.SubscriptionTrialEnding, PartnerId, TenantId, Id, now, new Dictionary<string, object?>
        {
            ["subscription_id"] = Id,
            ["tenant_id"] = TenantId,
            ["partner_id"] = PartnerId,
            ["service_id"] = ServiceId,
            ["plan_id"] = PlanId,
            ["status"] = Status.WireName(),
            ["trial_end"] = TrialEnd,
            ["days_left"] = (int)Math.Ceiling((TrialEnd.Value - now).TotalDays),
        });
    }

    /// <summary>
    /// A cost-based plan was refreshed: the billable rate of periods invoiced from now on becomes
    /// <paramref name="rateMinor"/> (lines already on invoices keep theirs). Ignored for ended subscriptions.
    /// </summary>
    public bool RefreshRate(long rateMinor, DateTimeOffset now)
    {
        if (SubscriptionStateMachine.IsTerminal(Status) || RateMinor == rateMinor)
        {
            return false;
        }

        RateMinor = rateMinor;
        UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// Computes a change to <paramref name="target"/> at <paramref name="at"/> without changing anything: "now" is
    /// prorated by the second over the period containing <paramref name="at"/> (<see cref="Proration.Calculate"/>)
    /// at the rate in force (<see cref="RateMinor"/>); "period_end" has no money (the new rate applies from the next
    /// period). In a trial nothing is billed yet, so the amounts are zero either way.
    /// </summary>
    /// <exception cref="SubscriptionTransitionException">The state does not allow a plan change (only trialing and active do).</exception>
    /// <exception cref="DomainConflictException">Pack child, same plan, plan of another service, retired plan or another currency.</exception>
    public PlanChangeQuote QuotePlanChange(Plan current, Plan target, PlanChangeEffective effective, DateTimeOffset at) =>
        Quote(current, target, effective, at, allowRetired: false);

    private PlanChangeQuote Quote(Plan current, Plan target, PlanChangeEffective effective, DateTimeOffset at, bool allowRetired)
    {
        Ensure(SubscriptionAction.ChangePlan);
        string[] allowed = SubscriptionStateMachine.AllowedActions(Status).Select(a => a.WireName()).ToArray();
        DomainConflictException Refuse(string why) => new(why, Status.WireName(), allowed);
        if (PackSubscriptionId is not null)
        {
            throw new DomainConflictException($"Subscription {Id} belongs to pack subscription {PackSubscriptionId}; change the pack instead.", Status.WireName(), []);
        }

        if (target.Id == PlanId)
        {
            throw Refuse($"Subscription {Id} is already on plan {target.Code}.");
        }

        if (target.ServiceId != ServiceId)
        {
            throw Refuse($"Plan {target.Code} belongs to another service; a plan change stays within the service.");
        }

        if (!target.IsActive && !allowRetired)
        {
            throw Refuse($"Plan {target.Code} is retired and takes no new subscribers.");
        }

        if (target.Currency != current.Currency)
        {
            throw Refuse($"Plan {target.Code} is priced in {target.Currency}, the subscription in {current.Currency}.");
        }

        if (Status == SubscriptionStatus.Trialing)
        {
            var trialEnd = TrialEnd ?? CurrentPeriodEnd;
            return new PlanChangeQuote(PlanId, target.Id, effective, null, effective == PlanChangeEffective.Now ? at : trialEnd, 0, 0, current.Currency, at, trialEnd, []);
        }

        var (periodStart, periodEnd) = PeriodContaining(at);
        if (effective == PlanChangeEffective.PeriodEnd)
        {
            return new PlanChangeQuote(PlanId, target.Id, effective, target.Interval == Interval ? ProrationRule.SamePeriod : ProrationRule.NewPeriod,
                periodEnd, 0, 0, current.Currency, periodEnd, target.Interval.PeriodEnd(periodEnd), []);
        }

        var oldRate = new Money(RateMinor, current.Currency);
        var billedThrough = BilledThrough ?? BillingAnchor;
        var catchUp = new List<(DateTimeOffset, DateTimeOffset)>();
        if (billedThrough == periodStart && at == periodStart)
        {
            // Nothing of the current period is used or invoiced: the new plan simply starts here.
            return new PlanChangeQuote(PlanId, target.Id, effective, target.Interval == Interval ? ProrationRule.SamePeriod : ProrationRule.NewPeriod,
                at, 0, 0, current.Currency, at, target.Interval == Interval ? periodEnd : target.Interval.PeriodEnd(at), []);
        }

        for (var s = billedThrough; s < periodEnd; s = Interval.PeriodEnd(BillingAnchor, s))
        {
            catchUp.Add((s, Interval.PeriodEnd(BillingAnchor, s)));
        }

        var result = Proration.Calculate(oldRate, Interval, target.Price, target.Interval, periodStart, periodEnd, at);
        var credit = result.CreditMinor;
        var charge = result.ChargeMinor;
        var spanEnd = result.PeriodEnd;
        // Periods after the current one already invoiced (billing in advance) are credited in full; with the same
        // interval they are charged in full at the new rate too.
        var extra = 0L;
        for (var s = periodEnd; s < billedThrough; s = Interval.PeriodEnd(BillingAnchor, s))
        {
            extra++;
        }

        credit = checked(credit + (RateMinor * extra));
        if (result.Rule == ProrationRule.SamePeriod)
        {
            charge = checked(charge + (target.PriceMinor * extra));
            spanEnd = billedThrough > periodEnd ? billedThrough : periodEnd;
        }

        return new PlanChangeQuote(PlanId, target.Id, effective, result.Rule, at, credit, charge, current.Currency, at, spanEnd, catchUp);
    }

    /// <summary>
    /// Applies a quote made by <see cref="QuotePlanChange"/> for this subscription. "now": switches plan, rate and
    /// (interval change) interval and period, and returns the pending charges to invoice (catch-up periods at the
    /// old rate, the credit as a negative amount, the charge). "period_end": only schedules the change
    /// (<see cref="ScheduledPlanId"/>, applied by the reaper) and returns nothing. Raises subscription.changed.v1
    /// with old and new plan, effective time and amounts.
    /// </summary>
    /// <exception cref="SubscriptionTransitionException">The state does not allow a plan change.</exception>
    public IReadOnlyList<SubscriptionCharge> ApplyPlanChange(PlanChangeQuote quote, Plan current, Plan target, DateTimeOffset now)
    {
        Ensure(SubscriptionAction.ChangePlan);
        if (quote.NewPlanId != target.Id || quote.OldPlanId != PlanId || current.Id != PlanId)
        {
            throw new DomainConflictException($"The plan change quote does not match subscription {Id}; quote again.", Status.WireName(), []);
        }

        var payload = new List<(string, object?)>
        {
            ("old_plan_id", current.Id), ("old_plan_code", current.Code), ("new_plan_id", target.Id), ("new_plan_code", target.Code),
            ("effective", quote.Effective == PlanChangeEffective.Now ? "now" : "period_end"), ("effective_at", quote.At),
            ("credit", quote.CreditMinor), ("charge", quote.ChargeMinor), ("net", quote.NetMinor), ("currency", quote.Currency),
            ("proration_rule", quote.Rule is null ? "trial" : quote.Rule == ProrationRule.SamePeriod ? "same_period" : "new_period"),
        };
        if (quote.Effective == PlanChangeEffective.PeriodEnd)
        {
            ScheduledPlanId = target.Id;
            ScheduledPlanAt = quote.At;
            payload.Add(("phase", "scheduled"));
            Move(SubscriptionAction.ChangePlan, now, [.. payload]);
            return [];
        }

        var (_, currentEnd) = PeriodContaining(quote.At);
        var billedOld = quote.CatchUp.Count > 0 ? quote.CatchUp[^1].End : BilledThrough ?? BillingAnchor;
        var creditEnd = billedOld > currentEnd ? billedOld : currentEnd;
        var charges = new List<SubscriptionCharge>();
        var changeId = Ids.New("pch");
        foreach (var (start, end) in quote.CatchUp)
        {
            charges.Add(new SubscriptionCharge(this, SubscriptionChargeKind.PeriodCharge, $"{current.Name} ({start:yyyy-MM-dd} – {end:yyyy-MM-dd})",
                RateMinor, quote.Currency, start, end, changeId, now));
        }

        if (quote.CreditMinor != 0)
        {
            charges.Add(new SubscriptionCharge(this, SubscriptionChargeKind.ProrationCredit, $"Credit: unused {current.Name} from {quote.At:yyyy-MM-dd HH:mm} UTC",
                -quote.CreditMinor, quote.Currency, quote.At, creditEnd, changeId, now));
        }

        if (quote.ChargeMinor != 0)
        {
            charges.Add(new SubscriptionCharge(this, SubscriptionChargeKind.ProrationCharge, $"{target.Name} from {quote.At:yyyy-MM-dd HH:mm} UTC",
                quote.ChargeMinor, quote.Currency, quote.PeriodStart, quote.PeriodEnd, changeId, now));
        }

        PlanId = target.Id;
        RateMinor = target.PriceMinor;
        ScheduledPlanId = null;
        ScheduledPlanAt = null;
        if (quote.Rule == ProrationRule.NewPeriod)
        {
            Interval = target.Interval;
            BillingAnchor = quote.At;
            CurrentPeriodStart = quote.At;
            CurrentPeriodEnd = target.Interval.PeriodEnd(quote.At);
            // The new period is charged in full by the pending charge (or, when nothing of the old one was used, billed by the run).
            BilledThrough = quote.ChargeMinor != 0 ? CurrentPeriodEnd : quote.At;
        }
        else if (quote.Rule == ProrationRule.SamePeriod)
        {
            var (start, end) = PeriodContaining(quote.At);
            CurrentPeriodStart = start;
            CurrentPeriodEnd = end;
            BilledThrough = quote.CatchUp.Count > 0 ? billedOld : BilledThrough;
        }
        else
        {
            Interval = target.Interval;
        }

        if (quote.Rule is not null)
        {
            StartTerm(target.TermPeriods);
        }

        payload.Add(("phase", "applied"));
        payload.Add(("pending_charge_ids", charges.Select(c => c.Id).ToArray()));
        Move(SubscriptionAction.ChangePlan, now, [.. payload]);
        return charges;
    }

    /// <summary>
    /// The reaper applies a scheduled change at <see cref="ScheduledPlanAt"/>: the same as a change "now" at that
    /// moment (usually the first second of a period not invoiced yet, so no money moves). Returns the pending charges.
    /// </summary>
    /// <exception cref="DomainConflictException">Nothing scheduled, or the target no longer fits (then the schedule is dropped by the caller).</exception>
    public IReadOnlyList<SubscriptionCharge> ApplyScheduledPlanChange(Plan current, Plan target, DateTimeOffset now)
    {
        if (ScheduledPlanId != target.Id || ScheduledPlanAt is not { } at)
        {
            throw new DomainConflictException($"Subscription {Id} has no change to plan {target.Code} scheduled.");
        }

        // Retirement after scheduling does not undo an agreed change; the other checks still apply.
        ScheduledPlanId = null;
        ScheduledPlanAt = null;
        var quote = Quote(current, target, PlanChangeEffective.Now, at, allowRetired: true);
        return ApplyPlanChange(quote, current, target, now);
    }

    /// <summary>Drops a scheduled change (e.g. its target became impossible), recording why.</summary>
    public void DropScheduledPlanChange(DateTimeOffset now)
    {
        ScheduledPlanId = null;
        ScheduledPlanAt = null;
        UpdatedAt = now;
    }

    /// <summary>
    /// Moves the stored current period of an active or past_due subscription on to the anniversary period that
    /// contains <paramref name="now"/> once the stored one has ended (billing in advance records a period before it
    /// starts, so nothing else moves it). Not a transition: no event, and UpdatedAt is left alone (the dunning grace
    /// counts from it). Returns true when the period moved.
    /// </summary>
    public bool RollCurrentPeriod(DateTimeOffset now)
    {
        if (Status is not (SubscriptionStatus.Active or SubscriptionStatus.PastDue) || PackSubscriptionId is not null || now < BillingAnchor || CurrentPeriodEnd > now)
        {
            return false;
        }

        (CurrentPeriodStart, CurrentPeriodEnd) = PeriodContaining(now);
        return true;
    }

    /// <summary>The period of the anniversary schedule that contains <paramref name="at"/> (start inclusive, end exclusive).</summary>
    public (DateTimeOffset Start, DateTimeOffset End) PeriodContaining(DateTimeOffset at)
    {
        var start = CurrentPeriodStart < BillingAnchor ? BillingAnchor : CurrentPeriodStart;
        var end = Interval.PeriodEnd(BillingAnchor, start);
        while (end <= at)
        {
            start = end;
            end = Interval.PeriodEnd(BillingAnchor, start);
        }

        return (start, end);
    }
}
