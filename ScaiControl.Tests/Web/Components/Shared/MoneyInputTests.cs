using ScaiControl.Domain.Common;
using ScaiControl.Web.Components.Shared;

namespace ScaiControl.Tests.Web.Components.Shared;

/// <summary>The admin catalog's price input turns decimal text into minor units exactly.</summary>
public sealed class MoneyInputTests
{
    [Theory]
    [InlineData("29", "EUR", 2900)]
    [InlineData("29.9", "EUR", 2990)]
    [InlineData("29.90", "EUR", 2990)]
    [InlineData("0.01", "EUR", 1)]
    [InlineData(" 1234,56 ", "EUR", 123456)]
    [InlineData("0.29", "EUR", 29)]
    [InlineData("92233720368547.75", "EUR", 9223372036854775)]
    [InlineData("1500", "JPY", 1500)]
    public void ToMinorUnits_ReadsTheDecimalExactly(string text, string currency, long expected) =>
        Assert.Equal(expected, MoneyInput.ToMinorUnits(text, currency));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("1,234.50")]
    [InlineData("29.")]
    [InlineData("29.999")]
    [InlineData("1e3")]
    public void ToMinorUnits_WhenNotAPlainAmount_NamesThePriceField(string text)
    {
        var e = Assert.Throws<DomainValidationException>(() => MoneyInput.ToMinorUnits(text, "EUR"));
        Assert.Equal("price", e.Field);
    }

    [Fact]
    public void ToMinorUnits_WithDecimalsForACurrencyWithoutMinorUnit_Refuses() =>
        Assert.Equal("price", Assert.Throws<DomainValidationException>(() => MoneyInput.ToMinorUnits("10.5", "JPY")).Field);

    [Fact]
    public void ToText_IsTheInverse() => Assert.Equal("29.90", MoneyInput.ToText(MoneyInput.ToMinorUnits("29.9", "EUR"), "EUR"));
}
