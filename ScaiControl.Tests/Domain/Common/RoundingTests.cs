using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Common;

/// <summary>The one rounding rule: half away from zero, to a whole minor unit.</summary>
public sealed class RoundingTests
{
    [Theory]
    [InlineData(5, 2, 3)]     // 2.5 → 3
    [InlineData(-5, 2, -3)]   // -2.5 → -3
    [InlineData(4, 3, 1)]     // 1.33 → 1
    [InlineData(-4, 3, -1)]   // -1.33 → -1
    [InlineData(1, 2, 1)]     // 0.5 → 1
    [InlineData(-1, 2, -1)]   // -0.5 → -1
    [InlineData(0, 7, 0)]
    [InlineData(2, 3, 1)]     // 0.67 → 1
    [InlineData(-2, 3, -1)]
    [InlineData(1, 3, 0)]     // 0.33 → 0
    [InlineData(6, 3, 2)]     // exact
    [InlineData(15, 10, 2)]   // 1.5 → 2
    [InlineData(149, 100, 1)] // 1.49 → 1
    public void DivideHalfAwayFromZero_RoundsHalvesAwayFromZero(long numerator, long denominator, long expected) =>
        Assert.Equal(expected, Rounding.DivideHalfAwayFromZero(numerator, denominator));

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void DivideHalfAwayFromZero_NonPositiveDenominator_Throws(long denominator) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Rounding.DivideHalfAwayFromZero(5, denominator));

    [Fact]
    public void DivideHalfAwayFromZero_HugeDenominator_StillRoundsUp() =>
        Assert.Equal(1, Rounding.DivideHalfAwayFromZero(long.MaxValue - 1, long.MaxValue));

    [Theory]
    [InlineData(123456, 2, "1234.56")]
    [InlineData(5, 2, "0.05")]
    [InlineData(-5, 2, "-0.05")]
    [InlineData(-123450, 2, "-1234.50")]
    [InlineData(0, 2, "0.00")]
    [InlineData(500, 0, "500")]
    [InlineData(1234, 3, "1.234")]
    public void FormatMinorUnits_WritesInvariantDecimal(long minorUnits, int digits, string expected) =>
        Assert.Equal(expected, Rounding.FormatMinorUnits(minorUnits, digits));
}
