using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>Every transition the lifecycle allows moves the subscription and raises exactly one outbox event.</summary>
public sealed class AllowedTransitionTests
{
    private static readonly DateTimeOffset ActionAt = SubscriptionBuilder.StartedAt.AddHours(2);

    public static TheoryData<SubscriptionStatus, SubscriptionAction> AllowedPairs => ExpectedLifecycle.Pairs(allowed: true);

    [Theory]
    [MemberData(nameof(AllowedPairs))]
    public void Action_WhenAllowed_MovesToTargetAndRaisesItsTopic(SubscriptionStatus from, SubscriptionAction action)
    {
        var expected = ExpectedLifecycle.Allowed.Single(t => t.From == from && t.Action == action);
        var subscription = SubscriptionBuilder.InStatus(from);
        Assert.Equal(from, subscription.Status);
        var eventsBefore = subscription.PendingEvents.Count;

        SubscriptionBuilder.Perform(subscription, action, ActionAt);

        Assert.Equal(expected.To, subscription.Status);
        Assert.Equal(eventsBefore + 1, subscription.PendingEvents.Count);
        var raised = subscription.PendingEvents[^1];
        Assert.Equal(expected.Topic, raised.Topic);
        Assert.Equal(subscription.Id, raised.AggregateId);
        Assert.Equal(SubscriptionBuilder.TenantId, raised.TenantId);
        Assert.Equal(SubscriptionBuilder.PartnerId, raised.PartnerId);
        Assert.Equal(ActionAt, raised.OccurredAt);
        Assert.Equal(ExpectedLifecycle.StatusWire[from], raised.Payload["previous_status"]);
        Assert.Equal(ExpectedLifecycle.StatusWire[expected.To], raised.Payload["status"]);
        Assert.Equal(ExpectedLifecycle.ActionWire[action], raised.Payload["action"]);
        Assert.Equal(ActionAt, subscription.UpdatedAt);
    }

    [Fact]
    public void Table_CoversTwentyFiveAllowedAndSixtyThreeForbiddenPairs()
    {
        // 8 states × 11 actions; guards the hand-written table against accidental deletions.
        Assert.Equal(25, ExpectedLifecycle.Pairs(allowed: true).Count);
        Assert.Equal(63, ExpectedLifecycle.Pairs(allowed: false).Count);
    }
}
