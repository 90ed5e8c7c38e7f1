using ScaiControl.Domain.Common;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Vat;

/// <summary>The four VAT rules (Dir. 2006/112/EC Art. 44, 58, 196) decided from seller country, buyer country and buyer VAT id.</summary>
public sealed class VatDeterminationTests
{
    private static readonly DateOnly SupplyDate = new(2026, 11, 22);

    [Fact]
    public void Determine_SameMemberState_IsDomesticAtSellersStandardRate()
    {
        var decision = VatDetermination.Determine("NL", "NL", "NL123456789B01", SupplyDate);

        Assert.Equal(VatRule.Domestic, decision.Rule);
        Assert.Equal(VatCategory.S, decision.Category);
        Assert.Equal(2100, decision.Rate.BasisPoints);
        Assert.Equal("21.00", decision.Rate.Percent);
        Assert.Null(decision.ExemptionReasonCode);
        Assert.Null(decision.LegalNote);
    }

    [Fact]
    public void Determine_SameMemberStateWithoutVatId_IsStillDomestic()
    {
        var decision = VatDetermination.Determine("DE", "DE", null, SupplyDate);

        Assert.Equal(VatRule.Domestic, decision.Rule);
        Assert.Equal(1900, decision.Rate.BasisPoints);
    }

    [Fact]
    public void Determine_OtherMemberStateWithVatId_IsReverseChargeAtZero()
    {
        var decision = VatDetermination.Determine("NL", "DE", "DE123456789", SupplyDate);

        Assert.Equal(VatRule.IntraEuReverseCharge, decision.Rule);
        Assert.Equal(VatCategory.AE, decision.Category);
        Assert.Equal(0, decision.Rate.BasisPoints);
        Assert.Equal("VATEX-EU-AE", decision.ExemptionReasonCode);
        Assert.NotNull(decision.LegalNote);
        Assert.Contains("Art. 196", decision.LegalNote, StringComparison.Ordinal);
        Assert.Contains("Reverse charge", decision.LegalNote, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Determine_OtherMemberStateWithoutVatId_ChargesBuyersStandardRate(string? buyerVatId)
    {
        var decision = VatDetermination.Determine("NL", "FR", buyerVatId, SupplyDate);

        Assert.Equal(VatRule.IntraEuB2C, decision.Rule);
        Assert.Equal(VatCategory.S, decision.Category);
        Assert.Equal(2000, decision.Rate.BasisPoints);
        Assert.Null(decision.LegalNote);
    }

    [Fact]
    public void Determine_BuyerOutsideEu_IsOutOfScopeAtZero()
    {
        var decision = VatDetermination.Determine("NL", "US", null, SupplyDate);

        Assert.Equal(VatRule.NonEu, decision.Rule);
        Assert.Equal(VatCategory.O, decision.Category);
        Assert.Equal(0, decision.Rate.BasisPoints);
        Assert.Equal("VATEX-EU-O", decision.ExemptionReasonCode);
        Assert.Contains("outside the EU", decision.LegalNote, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SE", "NO", null)]
    [InlineData("SE", "NO", "NO123456789MVA")]
    [InlineData("NL", "CH", null)]
    [InlineData("NL", "GB", "GB123456789")]
    [InlineData("US", "NL", null)]
    [InlineData("US", "US", null)]
    public void Determine_SellerOrBuyerOutsideEu_IsNonEu(string seller, string buyer, string? buyerVatId)
    {
        var decision = VatDetermination.Determine(seller, buyer, buyerVatId, SupplyDate);

        Assert.Equal(VatRule.NonEu, decision.Rule);
        Assert.Equal(VatCategory.O, decision.Category);
        Assert.Equal(0, decision.Rate.BasisPoints);
    }

    [Fact]
    public void Determine_LowerCaseCountries_AreAccepted()
    {
        var decision = VatDetermination.Determine("nl", " fr ", null, SupplyDate);

        Assert.Equal(VatRule.IntraEuB2C, decision.Rule);
        Assert.Equal(2000, decision.Rate.BasisPoints);
    }

    [Fact]
    public void Determine_GreekConsumer_UsesGreekRate()
    {
        var decision = VatDetermination.Determine("NL", "GR", null, SupplyDate);

        Assert.Equal(VatRule.IntraEuB2C, decision.Rule);
        Assert.Equal(2400, decision.Rate.BasisPoints);
    }

    [Theory]
    [InlineData(2024, 8, 31, 2400, "24.00")]
    [InlineData(2024, 9, 1, 2550, "25.50")]
    public void Determine_FinnishConsumer_UsesRateInForceOnSupplyDate(int year, int month, int day, int basisPoints, string percent)
    {
        var decision = VatDetermination.Determine("NL", "FI", null, new DateOnly(year, month, day));

        Assert.Equal(VatRule.IntraEuB2C, decision.Rule);
        Assert.Equal(basisPoints, decision.Rate.BasisPoints);
        Assert.Equal(percent, decision.Rate.Percent);
    }

    [Theory]
    [InlineData("XX", "NL", "seller_country")]
    [InlineData("NLD", "NL", "seller_country")]
    [InlineData("NL", "EL", "buyer_country")]
    [InlineData("NL", "", "buyer_country")]
    public void Determine_UnknownCountryCode_RefusesNamingTheField(string seller, string buyer, string field)
    {
        var error = Assert.Throws<DomainValidationException>(() => VatDetermination.Determine(seller, buyer, null, SupplyDate));

        Assert.Equal(field, error.Field);
    }
}
