using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Shared;

/// <summary>What the pages show for amounts, times and failures.</summary>
public sealed class UiTests
{
    [Fact]
    public void Money_FromMinorUnits_ReadsLikeAnInvoice()
    {
        Assert.Equal("EUR 29.00", Ui.Money(2900, "EUR"));
        Assert.Equal("JPY 1500", Ui.Money(1500, "JPY"));
    }

    [Fact]
    public void Times_AreUtcIsoDates()
    {
        var instant = new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.FromHours(-2));
        Assert.Equal("2026-12-01", Ui.Date(instant));
        Assert.Equal("2026-12-01T01:30Z", Ui.Instant(instant));
    }

    [Fact]
    public void DaysLeft_RoundsUpAndNeverGoesNegative()
    {
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(14, Ui.DaysLeft(now.AddDays(13).AddHours(1), now));
        Assert.Equal(0, Ui.DaysLeft(now.AddDays(-1), now));
    }

    [Fact]
    public void Describe_AForbiddenTransition_GivesTheDomainTextWithStateAndAllowedActions()
    {
        var text = Ui.Describe(new SubscriptionTransitionException(SubscriptionStatus.Cancelled, SubscriptionAction.Cancel));

        Assert.Equal("Cannot cancel a subscription that is cancelled. Current state: cancelled; allowed actions: none.", text);
        Assert.True(Ui.IsExpected(new SubscriptionTransitionException(SubscriptionStatus.Cancelled, SubscriptionAction.Cancel)));
    }

    [Fact]
    public void Describe_ValidationAndPermission_GiveTheirOwnMessage()
    {
        Assert.Equal("period must be a month.", Ui.Describe(new DomainValidationException("period", "period must be a month.")));
        Assert.Equal("The permission 'billing:run' is required.", Ui.Describe(new UnauthorizedAccessException("The permission 'billing:run' is required.")));
    }

    [Fact]
    public void Describe_AnUnexpectedFailure_HidesItsDetails()
    {
        var text = Ui.Describe(new InvalidOperationException("connection string Password=secret"));

        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.False(Ui.IsExpected(new InvalidOperationException()));
    }
}
