using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Shared;

/// <summary>What the pages show for amounts, times and failures.</summary>
public sealed class UiTests
{
    [Theory]
    [InlineData("nl-NL", 2900, "EUR", "€ 29,00")]
    [InlineData("de-DE", 2900, "EUR", "29,00 €")]
    [InlineData("en-GB", 2900, "EUR", "€29.00")]
    [InlineData("en-GB", 123456, "EUR", "€1,234.56")]
    [InlineData("de-DE", -605, "EUR", "-6,05 €")]
    [InlineData("en-US", 1500, "JPY", "¥1,500")]
    [InlineData("sv-SE", 49900, "SEK", "499,00 kr")]
    public void Money_FromMinorUnits_ReadsAsTheUsersCultureWritesIt(string culture, long minor, string currency, string expected)
    {
        Assert.Equal(expected, Ui.Money(minor, currency, new System.Globalization.CultureInfo(culture)));
    }

    [Fact]
    public void Money_UnderTheInvariantCulture_NeverShowsTheGenericCurrencySign()
    {
        Assert.DoesNotContain("¤", Ui.Money(2900, "EUR", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Instants_AreShownInTheUsersZoneWithTheOffset()
    {
        var instant = new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.Zero);
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        Ui.Zone = ScaiControl.Web.Localization.PortalCulture.ZoneOf("Europe/Berlin");

        Assert.Equal("01.12.2026", Ui.Date(instant));
        Assert.Equal("01.12.2026 00:30 UTC+1", Ui.Instant(instant));

        Ui.Zone = TimeZoneInfo.Utc;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("en-GB");
        Assert.Equal("30/11/2026", Ui.Date(instant));
        Assert.Equal("30/11/2026 23:30 UTC", Ui.Instant(instant));
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
