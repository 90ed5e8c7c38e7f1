using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Common;

/// <summary>Money is integer minor units of one currency; arithmetic never mixes currencies.</summary>
public sealed class MoneyTests
{
    [Fact]
    public void Add_SameCurrency_SumsMinorUnits()
    {
        Assert.Equal(Money.Of(155, "EUR"), Money.Of(105, "EUR") + Money.Of(50, "EUR"));
        Assert.Equal(Money.Of(155, "EUR"), Money.Of(105, "EUR").Add(Money.Of(50, "EUR")));
    }

    [Fact]
    public void Subtract_CanGoNegative()
    {
        Assert.Equal(Money.Of(-55, "EUR"), Money.Of(50, "EUR") - Money.Of(105, "EUR"));
        Assert.Equal(Money.Of(-55, "EUR"), Money.Of(50, "EUR").Subtract(Money.Of(105, "EUR")));
    }

    [Fact]
    public void Add_MixedCurrencies_ThrowsCurrencyMismatch()
    {
        var error = Assert.Throws<CurrencyMismatchException>(() => Money.Of(100, "EUR") + Money.Of(100, "USD"));

        Assert.Contains("EUR", error.Message, StringComparison.Ordinal);
        Assert.Contains("USD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subtract_MixedCurrencies_ThrowsCurrencyMismatch() =>
        Assert.Throws<CurrencyMismatchException>(() => Money.Of(100, "EUR").Subtract(Money.Of(1, "GBP")));

    [Fact]
    public void Of_LowerCaseCurrency_RefusesOnCurrency()
    {
        var error = Assert.Throws<DomainValidationException>(() => Money.Of(100, "eur"));

        Assert.Equal("currency", error.Field);
    }

    [Fact]
    public void Times_MultipliesByQuantity() =>
        Assert.Equal(Money.Of(8700, "EUR"), Money.Of(2900, "EUR").Times(3));

    [Fact]
    public void Times_Overflow_Throws() =>
        Assert.Throws<OverflowException>(() => Money.Of(long.MaxValue / 2 + 1, "EUR").Times(2));

    [Fact]
    public void Add_Overflow_Throws() =>
        Assert.Throws<OverflowException>(() => Money.Of(long.MaxValue, "EUR") + Money.Of(1, "EUR"));

    [Theory]
    [InlineData(2900, 17, 31, 1590)]   // 17 of 31 days of EUR 29.00 = 15.9032 → 15.90
    [InlineData(1000, 1, 3, 333)]      // 3.333 → 3.33
    [InlineData(1000, 2, 3, 667)]      // 6.667 → 6.67
    [InlineData(-1000, 2, 3, -667)]
    [InlineData(5, 1, 2, 3)]           // 0.025 → 0.03
    public void Fraction_RoundsHalfAwayFromZero(long minor, long numerator, long denominator, long expected) =>
        Assert.Equal(Money.Of(expected, "EUR"), Money.Of(minor, "EUR").Fraction(numerator, denominator));

    [Theory]
    [InlineData(123456, "EUR", "EUR 1234.56")]
    [InlineData(-5, "EUR", "EUR -0.05")]
    [InlineData(500, "JPY", "JPY 500")]
    [InlineData(0, "USD", "USD 0.00")]
    public void ToString_UsesTheCurrencysMinorDigits(long minor, string currency, string expected) =>
        Assert.Equal(expected, Money.Of(minor, currency).ToString());

    [Fact]
    public void Zero_IsZeroInThatCurrency() => Assert.Equal(new Money(0, "CHF"), Money.Zero("CHF"));
}
