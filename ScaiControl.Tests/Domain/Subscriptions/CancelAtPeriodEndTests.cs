using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>When "cancel at period end" takes effect: the period the tenant is in now, never before the time already invoiced.</summary>
public sealed class CancelAtPeriodEndTests
{
    private static DateTimeOffset Utc(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void LongAfterTheLastInvoice_TheCancellationWaitsForTheEndOfTheCurrentPeriod_NotTheStoredOne()
    {
        // Started 15 Oct, first month invoiced; no billing since. On 20 Dec the period is 15 Dec – 15 Jan.
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 10, 15));

        subscription.ScheduleCancellation(Utc(2026, 12, 20), "too expensive");

        Assert.Equal(SubscriptionStatus.Cancelling, subscription.Status);
        Assert.Equal(Utc(2027, 1, 15), subscription.CurrentPeriodEnd);
        Assert.Equal(Utc(2027, 1, 15), subscription.PendingEvents[^1].Payload["cancel_at"]);
    }

    [Fact]
    public void APeriodInvoicedInAdvance_IsNotForfeited()
    {
        // Invoiced through 15 Dec on 1 Nov (in advance); cancelled on 10 Nov: runs until 15 Dec, the end of what was paid.
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 11, 15), Utc(2026, 12, 15), Utc(2026, 11, 1));

        subscription.ScheduleCancellation(Utc(2026, 11, 10), null);

        Assert.Equal(Utc(2026, 12, 15), subscription.CurrentPeriodEnd);
        Assert.Null(subscription.NextUnbilledPeriod(Utc(2027, 6, 1)));
    }

    [Fact]
    public void ATrial_RunsToItsTrialEnd()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15), trialDays: 14);

        subscription.ScheduleCancellation(Utc(2026, 10, 20), null);

        Assert.Equal(Utc(2026, 10, 29), subscription.CurrentPeriodEnd);
    }
}

/// <summary>The stored current period follows the anniversary schedule once it has ended (billing in advance never moves it).</summary>
public sealed class RollCurrentPeriodTests
{
    private static DateTimeOffset Utc(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnEndedPeriod_MovesToThePeriodContainingNow_WithoutAnEventOrTouchingUpdatedAt()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 10, 15), Utc(2026, 11, 15), Utc(2026, 10, 15));
        subscription.MarkBilled(Utc(2026, 11, 15), Utc(2026, 12, 15), Utc(2026, 11, 1)); // in advance: the stored period stays October's
        subscription.ClearEvents();
        var updatedAt = subscription.UpdatedAt;

        Assert.Equal(Utc(2026, 11, 15), subscription.CurrentPeriodEnd);
        Assert.True(subscription.RollCurrentPeriod(Utc(2026, 11, 20)));
        Assert.Equal((Utc(2026, 11, 15), Utc(2026, 12, 15)), (subscription.CurrentPeriodStart, subscription.CurrentPeriodEnd));
        Assert.Empty(subscription.PendingEvents);
        Assert.Equal(updatedAt, subscription.UpdatedAt);
        Assert.False(subscription.RollCurrentPeriod(Utc(2026, 11, 21)));
    }

    [Fact]
    public void ACancellingSubscription_KeepsItsCancellationDate()
    {
        var subscription = SubscriptionBuilder.Start(Utc(2026, 10, 15));
        subscription.ScheduleCancellation(Utc(2026, 10, 20), null);

        Assert.False(subscription.RollCurrentPeriod(Utc(2026, 12, 1)));
        Assert.Equal(Utc(2026, 11, 15), subscription.CurrentPeriodEnd);
    }
}
