using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>Statuses and actions travel as the spec's snake_case names.</summary>
public sealed class WireNameTests
{
    public static TheoryData<SubscriptionStatus> Statuses => new(Enum.GetValues<SubscriptionStatus>());

    public static TheoryData<SubscriptionAction> Actions => new(Enum.GetValues<SubscriptionAction>());

    [Theory]
    [MemberData(nameof(Statuses))]
    public void StatusWireName_IsTheSpecNameAndParsesBack(SubscriptionStatus status)
    {
        Assert.Equal(ExpectedLifecycle.StatusWire[status], status.WireName());
        Assert.Equal(status, SubscriptionStateMachine.ParseStatus(ExpectedLifecycle.StatusWire[status]));
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public void ActionWireName_IsSnakeCase(SubscriptionAction action) =>
        Assert.Equal(ExpectedLifecycle.ActionWire[action], action.WireName());

    [Theory]
    [InlineData("PastDue")]
    [InlineData("past-due")]
    [InlineData("")]
    [InlineData(null)]
    public void ParseStatus_UnknownName_IsNull(string? name) => Assert.Null(SubscriptionStateMachine.ParseStatus(name));
}
