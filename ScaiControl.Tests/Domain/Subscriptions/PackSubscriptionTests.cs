using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Tests.Domain.Catalog;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>A pack subscription and its children in memory: one lifecycle, the pack's events only, children refused alone.</summary>
public sealed class PackSubscriptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Start_ActivatesTheParentAndOneChildPerItem_RaisingOnlyThePackEvent()
    {
        var (parent, children) = Subscribe();

        Assert.Equal(SubscriptionStatus.Active, parent.Status);
        Assert.Equal(7471, parent.PriceMinor);
        Assert.Equal(3, children.Count);
        Assert.All(children, c =>
        {
            Assert.Equal(SubscriptionStatus.Active, c.Status); // the plans have 14 trial days; a pack child has none
            Assert.Null(c.TrialEnd);
            Assert.Equal(parent.Id, c.PackSubscriptionId);
            Assert.Equal(parent.CurrentPeriodEnd, c.CurrentPeriodEnd);
            Assert.Empty(c.PendingEvents);
        });
        var raised = Assert.Single(parent.PendingEvents);
        Assert.Equal(EventTopics.PackSubscriptionActivated, raised.Topic);
        Assert.Equal(children.Count, ((Array)raised.Payload["children"]!).Length);
    }

    [Fact]
    public void CancelAtPeriodEnd_ThenCancel_MovesEveryChild_AndRaisesOnlyPackCancelled()
    {
        var (parent, children) = Subscribe();
        parent.ClearEvents();

        parent.ScheduleCancellation(children, Now.AddDays(1), "Too much");
        Assert.All(children, c => Assert.Equal(SubscriptionStatus.Cancelling, c.Status));
        Assert.Empty(parent.PendingEvents); // no pack topic for cancelling; pack_subscription.changed.v1 is reserved

        parent.Cancel(children, parent.CurrentPeriodEnd, null);
        Assert.Equal(SubscriptionStatus.Cancelled, parent.Status);
        Assert.Equal("Too much", parent.CancellationReason);
        Assert.All(children, c =>
        {
            Assert.Equal(SubscriptionStatus.Cancelled, c.Status);
            Assert.Empty(c.PendingEvents);
        });
        Assert.Equal(EventTopics.PackSubscriptionCancelled, Assert.Single(parent.PendingEvents).Topic);
    }

    [Fact]
    public void AChild_RefusesEveryActionOfItsOwn_NamingTheParent_AndStaysAsItWas()
    {
        var (parent, children) = Subscribe();
        var child = children[1];

        var e = Assert.Throws<PackChildTransitionException>(() => child.Cancel(Now.AddDays(1), "alone"));
        Assert.Equal("active", e.CurrentState);
        Assert.Contains($"cancel the pack subscription {parent.Id}", e.AllowedActions);
        Assert.Throws<PackChildTransitionException>(() => child.ScheduleCancellation(Now.AddDays(1), null));
        Assert.Throws<PackChildTransitionException>(() => child.Suspend(Now.AddDays(1), null));
        Assert.Throws<PackChildTransitionException>(() => child.MarkPastDue(Now.AddDays(1)));
        Assert.Throws<PackChildTransitionException>(() => child.EnsureNotPackChild("change_plan"));

        Assert.Equal(SubscriptionStatus.Active, child.Status);
        Assert.Null(child.CancellationReason);
        Assert.Empty(child.PendingEvents);
    }

    [Fact]
    public void AForbiddenPackAction_ChangesNeitherParentNorChildren()
    {
        var (parent, children) = Subscribe();

        Assert.Throws<SubscriptionTransitionException>(() => parent.Resume(children, Now.AddDays(1)));
        Assert.Equal(SubscriptionStatus.Active, parent.Status);
        Assert.All(children, c => Assert.Equal(SubscriptionStatus.Active, c.Status));
    }

    [Fact]
    public void ARetiredPack_IsNotSold()
    {
        var (pack, pairs) = PackPricingTests.Build(PackPricing.FixedPrice, 5000, null, (2900, "EUR", BillingInterval.Month), (4900, "EUR", BillingInterval.Month));
        pack.SetItems(pairs, Now);
        pack.Retire(Now);

        Assert.Equal("pack_id", Assert.Throws<DomainValidationException>(() => PackSubscription.Start("ptr_1", "tnt_1", pack, pairs, Now)).Field);
    }

    [Fact]
    public void Billing_AdvancesThePackPeriodAndItsChildren_OnePeriodAtATime()
    {
        var (parent, children) = Subscribe();
        var first = parent.NextUnbilledPeriod(Now.AddMonths(2))!.Value;
        Assert.Equal((Now, Now.AddMonths(1)), first);
        parent.MarkBilled(first.Start, first.End, children, Now);
        var second = parent.NextUnbilledPeriod(Now.AddMonths(2))!.Value;
        Assert.Equal((Now.AddMonths(1), Now.AddMonths(2)), second);
        parent.MarkBilled(second.Start, second.End, children, Now.AddMonths(1));

        Assert.Null(parent.NextUnbilledPeriod(Now.AddMonths(2)));
        Assert.All(children, c => Assert.Equal(Now.AddMonths(2), c.CurrentPeriodEnd));
        Assert.Throws<DomainConflictException>(() => parent.MarkBilled(first.Start, first.End, children, Now));
    }

    private static (PackSubscription Parent, IReadOnlyList<Subscription> Children) Subscribe()
    {
        var (pack, pairs) = PackPricingTests.Build(PackPricing.Percentage, null, 1500,
            (2900, "EUR", BillingInterval.Month), (4900, "EUR", BillingInterval.Month), (990, "EUR", BillingInterval.Month));
        pack.SetItems(pairs, Now);
        return PackSubscription.Start("ptr_1", "tnt_1", pack, pairs, Now);
    }
}
