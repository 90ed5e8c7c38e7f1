using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Vat;

/// <summary>Standard VAT rates are dated: the rate in force on the supply date applies.</summary>
public sealed class VatRatesTests
{
    /// <summary>Standard rates in force on 2026-11-22, from the European Commission's table (hand-copied).</summary>
    public static TheoryData<string, int> StandardRatesOn20261122 => new()
    {
        { "AT", 2000 }, { "BE", 2100 }, { "BG", 2000 }, { "CY", 1900 }, { "CZ", 2100 }, { "DE", 1900 }, { "DK", 2500 },
        { "EE", 2400 }, { "ES", 2100 }, { "FI", 2550 }, { "FR", 2000 }, { "GR", 2400 }, { "HR", 2500 }, { "HU", 2700 },
        { "IE", 2300 }, { "IT", 2200 }, { "LT", 2100 }, { "LU", 1700 }, { "LV", 2100 }, { "MT", 1800 }, { "NL", 2100 },
        { "PL", 2300 }, { "PT", 2300 }, { "RO", 2100 }, { "SE", 2500 }, { "SI", 2200 }, { "SK", 2300 },
    };

    [Theory]
    [MemberData(nameof(StandardRatesOn20261122))]
    public void StandardRate_EveryMemberState_HasItsCurrentRate(string country, int basisPoints) =>
        Assert.Equal(basisPoints, VatRates.StandardRate(country, new DateOnly(2026, 11, 22)).BasisPoints);

    [Fact]
    public void EuMemberStates_AreTheTwentySevenWithRates()
    {
        var expected = StandardRatesOn20261122.Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(27, expected.Length);
        Assert.Equal(expected, Countries.EuMemberStates.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData("SK", 2024, 12, 31, 2000)]
    [InlineData("SK", 2025, 1, 1, 2300)]
    [InlineData("FI", 2024, 8, 31, 2400)]
    [InlineData("FI", 2024, 9, 1, 2550)]
    [InlineData("EE", 2023, 12, 31, 2000)]
    [InlineData("EE", 2024, 1, 1, 2200)]
    [InlineData("EE", 2025, 6, 30, 2200)]
    [InlineData("EE", 2025, 7, 1, 2400)]
    [InlineData("RO", 2025, 7, 31, 1900)]
    [InlineData("RO", 2025, 8, 1, 2100)]
    public void StandardRate_AroundARateChange_SwitchesOnTheEffectiveDate(string country, int year, int month, int day, int basisPoints) =>
        Assert.Equal(basisPoints, VatRates.StandardRate(country, new DateOnly(year, month, day)).BasisPoints);

    [Fact]
    public void Determine_SlovakDomesticSupply_UsesRateOfSupplyDate()
    {
        Assert.Equal(2000, VatDetermination.Determine("SK", "SK", null, new DateOnly(2024, 12, 31)).Rate.BasisPoints);
        Assert.Equal(2300, VatDetermination.Determine("SK", "SK", null, new DateOnly(2025, 1, 1)).Rate.BasisPoints);
    }

    [Theory]
    [InlineData("US")]
    [InlineData("NO")]
    [InlineData("EL")]
    public void StandardRate_NonMemberState_Throws(string country) =>
        Assert.Throws<ArgumentException>(() => VatRates.StandardRate(country, new DateOnly(2026, 11, 22)));

    [Theory]
    [InlineData("DE", 2020, 10, 1, 1600)]
    [InlineData("IE", 2020, 12, 1, 2100)]
    [InlineData("LU", 2023, 6, 1, 1600)]
    public void StandardRate_DuringTemporaryReductions_IsTheReducedStandardRate(string country, int year, int month, int day, int basisPoints) =>
        Assert.Equal(basisPoints, VatRates.StandardRate(country, new DateOnly(year, month, day)).BasisPoints);
}
