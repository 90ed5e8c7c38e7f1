using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Vat;

/// <summary>Art. 59c threshold mode and the rule that reverse charge needs a validated buyer VAT id.</summary>
public sealed class OssAndValidationTests
{
    private static readonly DateOnly Day = new(2026, 11, 22);

    [Fact]
    public void UnvalidatedBuyerVatId_FallsBackToB2C_WithARemark()
    {
        var decision = VatDetermination.Determine(new VatContext("NL", "DE", "DE811907980", BuyerVatIdValidated: false, Day));
        Assert.Equal(VatRule.IntraEuB2C, decision.Rule);
        Assert.Equal(1900, decision.Rate.BasisPoints);
        Assert.Contains("not validated", decision.Remark, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidatedBuyerVatId_IsReverseCharge_WithoutRemark()
    {
        var decision = VatDetermination.Determine(new VatContext("NL", "DE", "DE811907980", BuyerVatIdValidated: true, Day));
        Assert.Equal(VatRule.IntraEuReverseCharge, decision.Rule);
        Assert.Null(decision.Remark);
    }

    [Theory]
    [InlineData(0, VatRule.IntraEuB2CBelowThreshold, 2100)]          // nothing sold cross-border yet: NL rate
    [InlineData(999_999, VatRule.IntraEuB2CBelowThreshold, 2100)]    // EUR 9,999.99: still below
    [InlineData(1_000_000, VatRule.IntraEuB2C, 2000)]                // EUR 10,000.00 reached: FR rate
    [InlineData(5_000_000, VatRule.IntraEuB2C, 2000)]
    public void ThresholdMode_ChargesTheSellersRateBelowEur10000_ThenTheBuyersRate(long crossBorderCents, VatRule rule, int basisPoints)
    {
        var decision = VatDetermination.Determine(new VatContext("NL", "FR", null, false, Day, OssMode.Threshold, crossBorderCents));
        Assert.Equal(rule, decision.Rule);
        Assert.Equal(basisPoints, decision.Rate.BasisPoints);
        Assert.Equal(VatCategory.S, decision.Category);
    }

    [Fact]
    public void UnionScheme_AlwaysChargesTheBuyersRate()
    {
        var decision = VatDetermination.Determine(new VatContext("NL", "FR", null, false, Day, OssMode.UnionScheme, 0));
        Assert.Equal(VatRule.IntraEuB2C, decision.Rule);
        Assert.Equal(2000, decision.Rate.BasisPoints);
    }

    [Fact]
    public void ThresholdMode_DoesNotTouchDomesticReverseChargeOrExport()
    {
        Assert.Equal(VatRule.Domestic, VatDetermination.Determine(new VatContext("NL", "NL", null, false, Day, OssMode.Threshold)).Rule);
        Assert.Equal(VatRule.IntraEuReverseCharge, VatDetermination.Determine(new VatContext("NL", "DE", "DE811907980", true, Day, OssMode.Threshold)).Rule);
        Assert.Equal(VatRule.NonEu, VatDetermination.Determine(new VatContext("NL", "US", null, false, Day, OssMode.Threshold)).Rule);
    }
}
