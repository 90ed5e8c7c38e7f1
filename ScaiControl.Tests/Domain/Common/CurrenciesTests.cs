using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Common;

/// <summary>Only upper-case, supported ISO 4217 codes are accepted.</summary>
public sealed class CurrenciesTests
{
    [Theory]
    [InlineData("EUR")]
    [InlineData("USD")]
    [InlineData("SEK")]
    [InlineData("JPY")]
    public void Require_KnownCode_ReturnsIt(string code) => Assert.Equal(code, Currencies.Require(code));

    [Theory]
    [InlineData("eur")]
    [InlineData("Eur")]
    [InlineData(" EUR")]
    [InlineData("XXX")]
    [InlineData("EURO")]
    [InlineData("")]
    [InlineData(null)]
    public void Require_UnknownOrLowerCase_RefusesOnCurrency(string? code)
    {
        var error = Assert.Throws<DomainValidationException>(() => Currencies.Require(code));

        Assert.Equal("currency", error.Field);
    }

    [Theory]
    [InlineData("EUR", 2)]
    [InlineData("GBP", 2)]
    [InlineData("JPY", 0)]
    [InlineData("ISK", 0)]
    public void MinorDigits_FollowsIso4217(string code, int digits) => Assert.Equal(digits, Currencies.MinorDigits(code));

    [Fact]
    public void All_IsSortedAndContainsEuro()
    {
        Assert.Contains("EUR", Currencies.All);
        Assert.Equal(Currencies.All.Order(StringComparer.Ordinal), Currencies.All);
    }
}
