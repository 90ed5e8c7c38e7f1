using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>
/// Plan changes on the subscription (issue 4), every cent by hand. A Pro plan at EUR 30.00 a month started on
/// 1 January 2026 (31 days); the change at 16 January 00:00 leaves 16 of 31 days: Pro 3000 × 16/31 = 1548.39 → 1548,
/// Team 6000 × 16/31 = 3096.77 → 3097, Basic 1000 × 16/31 = 516.13 → 516.
/// </summary>
public sealed class PlanChangeTests
{
    private static readonly DateTimeOffset Jan1 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Jan16 = new(2026, 1, 16, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Feb1 = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Mar1 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Service _service = new("llm-gateway", "LLM Gateway", "", null, Jan1);
    private readonly Plan _pro;
    private readonly Plan _team;
    private readonly Plan _basic;
    private readonly Plan _proYearly;

    public PlanChangeTests()
    {
        _pro = new Plan(_service.Id, "pro", "Pro", Money.Of(3000, "EUR"), BillingInterval.Month, 0, Jan1);
        _team = new Plan(_service.Id, "team", "Team", Money.Of(6000, "EUR"), BillingInterval.Month, 0, Jan1);
        _basic = new Plan(_service.Id, "basic", "Basic", Money.Of(1000, "EUR"), BillingInterval.Month, 0, Jan1);
        _proYearly = new Plan(_service.Id, "pro-yearly", "Pro yearly", Money.Of(30000, "EUR"), BillingInterval.Year, 0, Jan1);
    }

    private Subscription StartPro(bool billJanuary = true)
    {
        var s = Subscription.Start("ptr_1", "tnt_1", _service, _pro, Jan1);
        if (billJanuary)
        {
            s.MarkBilled(Jan1, Feb1, Jan1);
        }

        return s;
    }

    [Fact]
    public void Upgrade_Now_CreditsTheUnusedOldRateAndChargesTheNewForTheRestOfThePeriod()
    {
        var s = StartPro();
        var quote = s.QuotePlanChange(_pro, _team, PlanChangeEffective.Now, Jan16);
        Assert.Equal((1548L, 3097L, 1549L), (quote.CreditMinor, quote.ChargeMinor, quote.NetMinor));
        Assert.Equal((Jan16, Feb1, ProrationRule.SamePeriod), (quote.PeriodStart, quote.PeriodEnd, quote.Rule!.Value));
        Assert.Equal(_pro.Id, s.PlanId); // a quote changes nothing

        var charges = s.ApplyPlanChange(quote, _pro, _team, Jan16);

        Assert.Equal([-1548L, 3097L], charges.Select(c => c.AmountMinor));
        Assert.Equal([SubscriptionChargeKind.ProrationCredit, SubscriptionChargeKind.ProrationCharge], charges.Select(c => c.Kind));
        Assert.All(charges, c => Assert.Equal((Jan16, Feb1), (c.PeriodStart, c.PeriodEnd)));
        Assert.Equal((_team.Id, 6000L, Feb1), (s.PlanId, s.RateMinor, s.BilledThrough!.Value));
        Assert.Equal((Feb1, Mar1), s.NextUnbilledPeriod(Mar1));
        var changed = s.PendingEvents[^1];
        Assert.Equal(EventTopics.SubscriptionChanged, changed.Topic);
        Assert.Equal(("pro", "team", "now"), (changed.Payload["old_plan_code"], changed.Payload["new_plan_code"], changed.Payload["effective"]));
        Assert.Equal((1548L, 3097L, 1549L, Jan16), (changed.Payload["credit"], changed.Payload["charge"], changed.Payload["net"], changed.Payload["effective_at"]));
    }

    [Fact]
    public void Downgrade_Now_NetsToACredit()
    {
        var s = StartPro();
        var quote = s.QuotePlanChange(_pro, _basic, PlanChangeEffective.Now, Jan16);
        Assert.Equal((1548L, 516L, -1032L), (quote.CreditMinor, quote.ChargeMinor, quote.NetMinor));
    }

    [Fact]
    public void AChangeInAPeriodNotYetInvoiced_FirstPutsThatPeriodAtTheOldRateOnTheCharges()
    {
        var s = StartPro(billJanuary: false);
        var quote = s.QuotePlanChange(_pro, _team, PlanChangeEffective.Now, Jan16);
        var charges = s.ApplyPlanChange(quote, _pro, _team, Jan16);

        Assert.Equal([3000L, -1548L, 3097L], charges.Select(c => c.AmountMinor));
        Assert.Equal(SubscriptionChargeKind.PeriodCharge, charges[0].Kind);
        Assert.Equal($"{s.Id}@{Jan1.UtcTicks}", charges[0].BillingKey); // the key the billing run would give January
        Assert.Equal(Feb1, s.BilledThrough);
    }

    [Fact]
    public void PeriodsAlreadyInvoicedAhead_AreCreditedAndChargedInFull()
    {
        var s = StartPro();
        s.MarkBilled(Feb1, Mar1, Jan1); // billing in advance: February is on an invoice too
        var quote = s.QuotePlanChange(_pro, _team, PlanChangeEffective.Now, Jan16);
        Assert.Equal((1548L + 3000L, 3097L + 6000L), (quote.CreditMinor, quote.ChargeMinor));
        Assert.Equal((Jan16, Mar1), (quote.PeriodStart, quote.PeriodEnd));
    }

    [Fact]
    public void MonthlyToYearly_StartsAYearAtTheChangeChargedInFull()
    {
        var s = StartPro();
        var quote = s.QuotePlanChange(_pro, _proYearly, PlanChangeEffective.Now, Jan16);
        Assert.Equal((1548L, 30000L, ProrationRule.NewPeriod), (quote.CreditMinor, quote.ChargeMinor, quote.Rule!.Value));
        s.ApplyPlanChange(quote, _pro, _proYearly, Jan16);

        var nextYear = new DateTimeOffset(2027, 1, 16, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal((BillingInterval.Year, Jan16, nextYear, nextYear), (s.Interval, s.CurrentPeriodStart, s.CurrentPeriodEnd, s.BilledThrough!.Value));
        Assert.Null(s.NextUnbilledPeriod(nextYear));
        Assert.Equal((nextYear, nextYear.AddYears(1)), s.NextUnbilledPeriod(nextYear.AddDays(1)));
    }

    [Fact]
    public void AtPeriodEnd_SchedulesWithoutMoney_HoldsBackTheNextPeriod_AndAppliesAtTheNewRate()
    {
        var s = StartPro();
        var quote = s.QuotePlanChange(_pro, _team, PlanChangeEffective.PeriodEnd, Jan16);
        Assert.Equal((0L, 0L, Feb1), (quote.CreditMinor, quote.ChargeMinor, quote.At));
        Assert.Empty(s.ApplyPlanChange(quote, _pro, _team, Jan16));
        Assert.Equal((_pro.Id, _team.Id, Feb1), (s.PlanId, s.ScheduledPlanId, s.ScheduledPlanAt!.Value));
        Assert.Null(s.NextUnbilledPeriod(Mar1)); // February waits for the change

        var charges = s.ApplyScheduledPlanChange(_pro, _team, Feb1.AddMinutes(1));

        Assert.Empty(charges);
        Assert.Equal((_team.Id, 6000L), (s.PlanId, s.RateMinor));
        Assert.Null(s.ScheduledPlanId);
        Assert.Equal((Feb1, Mar1), s.NextUnbilledPeriod(Mar1));
    }

    [Fact]
    public void DuringATrial_ThePlanSwitchesWithNoMoney()
    {
        var trialPlan = new Plan(_service.Id, "trial-pro", "Pro", Money.Of(3000, "EUR"), BillingInterval.Month, 14, Jan1);
        var s = Subscription.Start("ptr_1", "tnt_1", _service, trialPlan, Jan1);
        var quote = s.QuotePlanChange(trialPlan, _team, PlanChangeEffective.Now, Jan1.AddDays(3));
        s.ApplyPlanChange(quote, trialPlan, _team, Jan1.AddDays(3));
        Assert.Equal((0L, 0L, (ProrationRule?)null), (quote.CreditMinor, quote.ChargeMinor, quote.Rule));
        Assert.Equal((SubscriptionStatus.Trialing, _team.Id, 6000L, Jan1.AddDays(14)), (s.Status, s.PlanId, s.RateMinor, s.TrialEnd!.Value));
    }

    public static TheoryData<string> Refusals => new() { "same plan", "other service", "retired", "other currency" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void ImpossibleTargets_AreRefusedWithTheStateAndChangeNothing(string why)
    {
        var s = StartPro();
        var other = new Service("other", "Other", "", null, Jan1);
        var target = why switch
        {
            "same plan" => _pro,
            "other service" => new Plan(other.Id, "other-x", "X", Money.Of(100, "EUR"), BillingInterval.Month, 0, Jan1),
            "retired" => _team,
            _ => new Plan(_service.Id, "usd", "USD", Money.Of(100, "USD"), BillingInterval.Month, 0, Jan1),
        };
        if (why == "retired")
        {
            _team.Retire();
        }

        var error = Assert.ThrowsAny<DomainConflictException>(() => s.QuotePlanChange(_pro, target, PlanChangeEffective.Now, Jan16));
        Assert.Equal("active", error.CurrentState);
        Assert.Contains("change_plan", error.AllowedActions);
        Assert.Equal((_pro.Id, 3000L), (s.PlanId, s.RateMinor));
    }

    [Fact]
    public void APastDueSubscription_CannotChangePlan()
    {
        var s = StartPro();
        s.MarkPastDue(Jan16);
        var error = Assert.Throws<SubscriptionTransitionException>(() => s.QuotePlanChange(_pro, _team, PlanChangeEffective.Now, Jan16));
        Assert.Equal("past_due", error.CurrentState);
    }

    [Fact]
    public void AFixedTerm_EndsBillingAtTheTermEnd()
    {
        var term = new Plan(_service.Id, "term", "Term", Money.Of(3000, "EUR"), BillingInterval.Month, 0, Jan1);
        term.SetLifecycle(TrialEndBehavior.Activate, 2);
        var s = Subscription.Start("ptr_1", "tnt_1", _service, term, Jan1);
        Assert.Equal(Mar1, s.TermEnd);
        s.MarkBilled(Jan1, Feb1, Jan1);
        s.MarkBilled(Feb1, Mar1, Feb1);
        Assert.Null(s.NextUnbilledPeriod(Mar1.AddMonths(3)));
        s.ExpireTerm(Mar1);
        Assert.Equal(SubscriptionStatus.Expired, s.Status);
    }

    [Theory]
    [InlineData(TrialEndBehavior.Activate, SubscriptionStatus.Active)]
    [InlineData(TrialEndBehavior.Expire, SubscriptionStatus.Expired)]
    public void ATrialEnds_AsThePlanSays(TrialEndBehavior behavior, SubscriptionStatus expected)
    {
        var plan = new Plan(_service.Id, "trial", "Trial", Money.Of(3000, "EUR"), BillingInterval.Month, 14, Jan1);
        plan.SetLifecycle(behavior, 12);
        var s = Subscription.Start("ptr_1", "tnt_1", _service, plan, Jan1);
        s.EndTrial(plan, s.TrialEnd!.Value);
        Assert.Equal(expected, s.Status);
        Assert.Equal(expected == SubscriptionStatus.Active ? Jan1.AddDays(14).AddMonths(12) : null, s.TermEnd);
    }

    [Fact]
    public void ACreditLargerThanTheInvoice_IsAppliedUpToZeroAndTheRestStaysPending()
    {
        var s = StartPro();
        var credit = new SubscriptionCharge(s, SubscriptionChargeKind.ProrationCredit, "Credit: unused Team", -5000, "EUR", Jan16, Feb1, "pch_1", Jan16);
        var invoice = new Invoice("ptr_1", "tnt_1", "EUR", null, Feb1);
        var vat = new VatDecision(VatRule.Domestic, VatCategory.S, new VatRate(2100), null, null);
        invoice.AddLine("Pro", 1, Money.Of(3000, "EUR"), vat, s.Id, Feb1, Mar1);

        var rest = PendingChargeBilling.AddLines(invoice, [credit], vat, Feb1);

        Assert.Equal(0, invoice.NetTotalMinor);
        Assert.Equal((-1L, 3000L, -3000L), (invoice.Lines[1].Quantity, invoice.Lines[1].UnitPriceMinor, invoice.Lines[1].NetAmountMinor));
        Assert.Equal((-3000L, invoice.Id), (credit.AmountMinor, credit.InvoiceId));
        var remainder = Assert.Single(rest);
        Assert.Equal((-2000L, (string?)null), (remainder.AmountMinor, remainder.InvoiceId));
        Assert.NotEqual(credit.BillingKey, remainder.BillingKey);
    }

    [Fact]
    public void ACreditWithNothingToOffset_WaitsForALaterInvoice()
    {
        var s = StartPro();
        var credit = new SubscriptionCharge(s, SubscriptionChargeKind.ProrationCredit, "Credit", -500, "EUR", Jan16, Feb1, "pch_1", Jan16);
        var invoice = new Invoice("ptr_1", "tnt_1", "EUR", null, Feb1);
        Assert.Empty(PendingChargeBilling.AddLines(invoice, [credit], new VatDecision(VatRule.Domestic, VatCategory.S, new VatRate(2100), null, null), Feb1));
        Assert.Empty(invoice.Lines);
        Assert.Null(credit.InvoiceId);
    }
}

/// <summary>A pack child's plan is the pack's business (issue 4): a change on the child alone is refused.</summary>
public sealed class PackChildPlanChangeTests
{
    [Fact]
    public void APackChild_CannotChangePlanAlone()
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var service = new Service("llm-gateway", "LLM Gateway", "", null, at);
        var pro = new Plan(service.Id, "pro", "Pro", Money.Of(3000, "EUR"), BillingInterval.Month, 0, at);
        var team = new Plan(service.Id, "team", "Team", Money.Of(6000, "EUR"), BillingInterval.Month, 0, at);
        var child = Subscription.Start("ptr_1", "tnt_1", service, pro, at);
        // No public way to make a child here (packs create them); set the link as the pack code would.
        typeof(Subscription).GetProperty(nameof(Subscription.PackSubscriptionId))!.SetValue(child, "pks_1");

        var error = Assert.ThrowsAny<DomainConflictException>(() => child.QuotePlanChange(pro, team, PlanChangeEffective.Now, at.AddDays(3)));

        Assert.Equal("active", error.CurrentState);
        Assert.Contains("pack", error.Message, StringComparison.Ordinal);
        Assert.Equal(pro.Id, child.PlanId);
    }
}
