using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>Which period the billing run invoices next (in advance), and how marking it billed advances it.</summary>
public sealed class BillingPeriodTests
{
    private static DateTimeOffset Utc(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NextUnbilledPeriod_ForNewMonthlySubscription_IsTheFirstMonth()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));

        Assert.Equal((Utc(2026, 10, 15), Utc(2026, 11, 15)), subscription.NextUnbilledPeriod(Utc(2026, 11, 1)));
    }

    [Fact]
    public void NextUnbilledPeriod_AfterMarkBilled_MovesToTheFollowingMonth()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 11, 1));

        Assert.Null(subscription.NextUnbilledPeriod(Utc(2026, 11, 1)));
        Assert.Equal((Utc(2026, 11, 15), Utc(2026, 12, 15)), subscription.NextUnbilledPeriod(Utc(2026, 12, 1)));
        Assert.Equal(Utc(2026, 11, 15), subscription.BilledThrough);
    }

    [Fact]
    public void NextUnbilledPeriod_WhenCutoffIsThePeriodStart_IsNull()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));

        Assert.Null(subscription.NextUnbilledPeriod(Utc(2026, 10, 15)));
    }

    [Fact]
    public void MarkBilled_InAdvance_KeepsCurrentPeriodUntilTheNewOneBegins()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 10, 15));

        subscription.MarkBilled(Utc(2026, 11, 15), Utc(2026, 12, 15), Utc(2026, 11, 1));

        Assert.Equal(Utc(2026, 10, 15), subscription.CurrentPeriodStart);
        Assert.Equal(Utc(2026, 11, 15), subscription.CurrentPeriodEnd);
        Assert.Equal(Utc(2026, 12, 15), subscription.BilledThrough);
    }

    [Fact]
    public void MarkBilled_OnceThePeriodHasBegun_AdvancesTheCurrentPeriod()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 10, 15));

        subscription.MarkBilled(Utc(2026, 11, 15), Utc(2026, 12, 15), Utc(2026, 11, 16));

        Assert.Equal(Utc(2026, 11, 15), subscription.CurrentPeriodStart);
        Assert.Equal(Utc(2026, 12, 15), subscription.CurrentPeriodEnd);
    }

    [Fact]
    public void MarkBilled_NotTheNextPeriod_RefusesAndKeepsBilledThrough()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));

        Assert.Throws<DomainConflictException>(() => subscription.MarkBilled(Utc(2026, 11, 15), Utc(2026, 12, 15), Utc(2026, 11, 1)));

        Assert.Null(subscription.BilledThrough);
        Assert.Equal((Utc(2026, 10, 15), Utc(2026, 11, 15)), subscription.NextUnbilledPeriod(Utc(2026, 11, 1)));
    }

    [Fact]
    public void MarkBilled_RaisesNoEvent()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        var before = subscription.PendingEvents.Count;

        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 10, 15));

        Assert.Equal(before, subscription.PendingEvents.Count);
    }

    [Fact]
    public void MonthlyPeriod_StartingOnThe31st_EndsOnLastDayOfFebruary()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 1, 31));

        Assert.Equal(Utc(2026, 2, 28), subscription.CurrentPeriodEnd);
        Assert.Equal((Utc(2026, 1, 31), Utc(2026, 2, 28)), subscription.NextUnbilledPeriod(Utc(2026, 2, 1)));
    }

    [Fact]
    public void MonthlyPeriods_AnchoredOnThe31st_ReturnToTheAnchorDayAfterFebruary()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 1, 31));
        subscription.MarkBilled(Utc(2026, 1, 31), Utc(2026, 2, 28), Utc(2026, 1, 31));

        Assert.Equal((Utc(2026, 2, 28), Utc(2026, 3, 31)), subscription.NextUnbilledPeriod(Utc(2026, 3, 1)));
    }

    [Fact]
    public void NextUnbilledPeriod_WhileTrialing_IsNull()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15), trialDays: 14);

        Assert.False(subscription.IsBillable);
        Assert.Null(subscription.NextUnbilledPeriod(Utc(2027, 1, 1)));
    }

    [Fact]
    public void NextUnbilledPeriod_AfterTrialConverts_StartsAtConversion()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15), trialDays: 14);
        subscription.Activate(Utc(2026, 10, 29));

        Assert.Equal((Utc(2026, 10, 29), Utc(2026, 11, 29)), subscription.NextUnbilledPeriod(Utc(2026, 11, 1)));
    }

    [Fact]
    public void NextUnbilledPeriod_WhenCancellingAtPeriodEnd_BillsNothingAfterIt()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 10, 15));
        subscription.ScheduleCancellation(Utc(2026, 10, 20), "Budget cut");

        Assert.True(subscription.IsBillable);
        Assert.Null(subscription.NextUnbilledPeriod(Utc(2026, 12, 1)));
    }

    [Theory]
    [InlineData(SubscriptionStatus.Cancelled)]
    [InlineData(SubscriptionStatus.Expired)]
    [InlineData(SubscriptionStatus.Suspended)]
    public void NextUnbilledPeriod_WhenNotBillable_IsNull(SubscriptionStatus status)
    {
        var subscription = SubscriptionBuilder.InStatus(status);

        Assert.Null(subscription.NextUnbilledPeriod(Utc(2027, 1, 1)));
    }

    [Fact]
    public void NextUnbilledPeriod_WhenPastDue_StillBills()
    {
        var subscription = SubscriptionBuilder.InStatus(SubscriptionStatus.PastDue);

        Assert.Equal(
            (new DateTimeOffset(2026, 10, 15, 9, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 15, 9, 30, 0, TimeSpan.Zero)),
            subscription.NextUnbilledPeriod(Utc(2026, 11, 1)));
    }
}
