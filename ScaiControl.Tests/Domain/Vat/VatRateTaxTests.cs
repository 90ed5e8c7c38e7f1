using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Vat;

/// <summary>VAT on an amount is integer arithmetic rounded half away from zero to the cent (EN 16931 BR-CO-17).</summary>
public sealed class VatRateTaxTests
{
    [Theory]
    [InlineData(2100, 105, 22)]    // 1.05 × 21 % = 0.2205 → 0.22
    [InlineData(2100, 50, 11)]     // 0.50 × 21 % = 0.105 → 0.11
    [InlineData(2100, 2900, 609)]  // 29.00 × 21 % = 6.09 exactly
    [InlineData(2550, 100, 26)]    // 1.00 × 25.5 % = 0.255 → 0.26
    [InlineData(1900, 2999, 570)]  // 29.99 × 19 % = 5.6981 → 5.70
    [InlineData(2100, 1, 0)]       // 0.01 × 21 % = 0.0021 → 0.00
    [InlineData(0, 12345, 0)]
    [InlineData(2100, -105, -22)]  // credit: -0.2205 → -0.22
    [InlineData(2100, -50, -11)]   // credit: -0.105 → -0.11 (away from zero)
    [InlineData(2550, -100, -26)]
    public void TaxOn_RoundsHalfAwayFromZeroToTheCent(int basisPoints, long netMinor, long expectedTaxMinor)
    {
        var tax = new VatRate(basisPoints).TaxOn(Money.Of(netMinor, "EUR"));

        Assert.Equal(Money.Of(expectedTaxMinor, "EUR"), tax);
    }

    [Fact]
    public void TaxOn_KeepsTheCurrency() =>
        Assert.Equal("SEK", new VatRate(2500).TaxOn(Money.Of(1000, "SEK")).Currency);

    [Theory]
    [InlineData(2100, "21.00")]
    [InlineData(2550, "25.50")]
    [InlineData(0, "0.00")]
    [InlineData(550, "5.50")]
    public void Percent_HasTwoDecimals(int basisPoints, string percent)
    {
        Assert.Equal(percent, new VatRate(basisPoints).Percent);
        Assert.Equal($"{percent} %", new VatRate(basisPoints).ToString());
    }
}
