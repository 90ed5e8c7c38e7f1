using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>Every transition the lifecycle forbids is refused (HTTP 409) and leaves the subscription untouched.</summary>
public sealed class ForbiddenTransitionTests
{
    private static readonly DateTimeOffset ActionAt = SubscriptionBuilder.StartedAt.AddHours(2);

    public static TheoryData<SubscriptionStatus, SubscriptionAction> ForbiddenPairs => ExpectedLifecycle.Pairs(allowed: false);

    [Theory]
    [MemberData(nameof(ForbiddenPairs))]
    public void Action_WhenForbidden_RefusesNamingStateAndAllowedActions(SubscriptionStatus from, SubscriptionAction action)
    {
        var subscription = SubscriptionBuilder.InStatus(from);
        var eventsBefore = subscription.PendingEvents.ToArray();
        var before = Observable(subscription);

        var error = Assert.Throws<SubscriptionTransitionException>(() => SubscriptionBuilder.Perform(subscription, action, ActionAt));

        Assert.Equal(ExpectedLifecycle.StatusWire[from], error.CurrentState);
        Assert.Equal(ExpectedLifecycle.AllowedActionNames(from), error.AllowedActions.Order(StringComparer.Ordinal).ToArray());
        Assert.Contains(ExpectedLifecycle.ActionWire[action], error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<DomainConflictException>(error);
        Assert.Equal(from, subscription.Status);
        Assert.Equal(eventsBefore, subscription.PendingEvents);
        Assert.Equal(before, Observable(subscription));
    }

    [Fact]
    public void Cancel_WhenCancelled_RefusesNamingAllowedActions()
    {
        var subscription = SubscriptionBuilder.InStatus(SubscriptionStatus.Cancelled);

        var error = Assert.Throws<SubscriptionTransitionException>(() => subscription.Cancel(ActionAt, "again"));

        Assert.Equal("cancelled", error.CurrentState);
        Assert.Empty(error.AllowedActions);
        Assert.Equal("Budget cut", subscription.CancellationReason);
    }

    [Fact]
    public void Unsuspend_WhenActive_RefusesNamingTheActiveStatesActions()
    {
        var subscription = SubscriptionBuilder.InStatus(SubscriptionStatus.Active);

        var error = Assert.Throws<SubscriptionTransitionException>(() => subscription.Unsuspend(ActionAt));

        Assert.Equal("active", error.CurrentState);
        Assert.Equal(
            ["cancel", "change_plan", "expire", "mark_past_due", "schedule_cancellation", "suspend"],
            error.AllowedActions.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData(SubscriptionStatus.Cancelled, true)]
    [InlineData(SubscriptionStatus.Expired, true)]
    [InlineData(SubscriptionStatus.Suspended, false)]
    [InlineData(SubscriptionStatus.Pending, false)]
    public void IsTerminal_OnlyForCancelledAndExpired(SubscriptionStatus status, bool terminal) =>
        Assert.Equal(terminal, SubscriptionStateMachine.IsTerminal(status));

    private static (SubscriptionStatus, DateTimeOffset, DateTimeOffset, DateTimeOffset?, DateTimeOffset, string?, DateTimeOffset?, DateTimeOffset) Observable(Subscription s) =>
        (s.Status, s.CurrentPeriodStart, s.CurrentPeriodEnd, s.TrialEnd, s.BillingAnchor, s.CancellationReason, s.CancelledAt, s.UpdatedAt);
}
