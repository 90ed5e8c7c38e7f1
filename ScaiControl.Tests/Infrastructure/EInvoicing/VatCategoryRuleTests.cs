namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>Rules of the VAT categories we write: S (standard rated), AE (reverse charge), O (not subject to VAT), each on the documents that have a line of that category.</summary>
public sealed class VatCategoryRuleTests
{
    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "S", MemberType = typeof(EInvoiceSamples))]
    public void BR_S_01_StandardRatedLines_HaveStandardRatedBreakdown(string sample) => RuleAssert.HoldsWithCategory(sample, "S", En16931Rules.BR_S_01);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "S", MemberType = typeof(EInvoiceSamples))]
    public void BR_S_02_StandardRatedLines_NeedSellerVatIdentifier(string sample) => RuleAssert.HoldsWithCategory(sample, "S", En16931Rules.BR_S_02);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "S", MemberType = typeof(EInvoiceSamples))]
    public void BR_S_05_StandardRatedLine_HasPositiveRate(string sample) => RuleAssert.HoldsWithCategory(sample, "S", En16931Rules.BR_S_05);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "S", MemberType = typeof(EInvoiceSamples))]
    public void BR_S_08_StandardRatedTaxableAmount_IsSumOfLinesPerRate(string sample) => RuleAssert.HoldsWithCategory(sample, "S", En16931Rules.BR_S_08);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "S", MemberType = typeof(EInvoiceSamples))]
    public void BR_S_09_StandardRatedTaxAmount_IsTaxableTimesRate(string sample) => RuleAssert.HoldsWithCategory(sample, "S", En16931Rules.BR_S_09);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "S", MemberType = typeof(EInvoiceSamples))]
    public void BR_S_10_StandardRatedBreakdown_HasNoExemptionReason(string sample) => RuleAssert.HoldsWithCategory(sample, "S", En16931Rules.BR_S_10);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "AE", MemberType = typeof(EInvoiceSamples))]
    public void BR_AE_01_ReverseChargeLines_HaveExactlyOneReverseChargeBreakdown(string sample) => RuleAssert.HoldsWithCategory(sample, "AE", En16931Rules.BR_AE_01);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "AE", MemberType = typeof(EInvoiceSamples))]
    public void BR_AE_02_ReverseCharge_NeedsSellerAndBuyerVatIdentifiers(string sample) => RuleAssert.HoldsWithCategory(sample, "AE", En16931Rules.BR_AE_02);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "AE", MemberType = typeof(EInvoiceSamples))]
    public void BR_AE_05_ReverseChargeLine_HasZeroRate(string sample) => RuleAssert.HoldsWithCategory(sample, "AE", En16931Rules.BR_AE_05);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "AE", MemberType = typeof(EInvoiceSamples))]
    public void BR_AE_08_ReverseChargeTaxableAmount_IsSumOfLines(string sample) => RuleAssert.HoldsWithCategory(sample, "AE", En16931Rules.BR_AE_08);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "AE", MemberType = typeof(EInvoiceSamples))]
    public void BR_AE_09_ReverseChargeTaxAmount_IsZero(string sample) => RuleAssert.HoldsWithCategory(sample, "AE", En16931Rules.BR_AE_09);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "AE", MemberType = typeof(EInvoiceSamples))]
    public void BR_AE_10_ReverseChargeBreakdown_HasExemptionReasonOrCode(string sample) => RuleAssert.HoldsWithCategory(sample, "AE", En16931Rules.BR_AE_10);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "AE", MemberType = typeof(EInvoiceSamples))]
    public void ReverseChargeBreakdown_CarriesVatexCodeAndLegalNote(string sample)
    {
        var group = Assert.Single(EInvoiceSamples.View(sample).Breakdown);
        Assert.Equal("VATEX-EU-AE", group.Value("BT-121"));
        Assert.StartsWith("Reverse charge", group.Value("BT-120"), StringComparison.Ordinal);
        Assert.Contains(EInvoiceSamples.View(sample).Values("BT-22"), n => n.Contains("Art. 196", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_01_NotSubjectToVatLines_HaveExactlyOneBreakdown(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_01);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_02_NotSubjectToVat_CarriesNoVatIdentifiers(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_02);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_05_NotSubjectToVatLine_HasNoRate(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_05);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_08_NotSubjectToVatTaxableAmount_IsSumOfLines(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_08);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_09_NotSubjectToVatTaxAmount_IsZero(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_09);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_10_NotSubjectToVatBreakdown_HasExemptionReasonOrCode(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_10);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_11_NotSubjectToVat_HasNoOtherBreakdown(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_11);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void BR_O_12_NotSubjectToVat_HasNoLineOfAnotherCategory(string sample) => RuleAssert.HoldsWithCategory(sample, "O", En16931Rules.BR_O_12);

    [Theory, MemberData(nameof(EInvoiceSamples.WithCategory), "O", MemberType = typeof(EInvoiceSamples))]
    public void NotSubjectToVat_SellerIdentifiedByLegalRegistration(string sample)
    {
        var view = EInvoiceSamples.View(sample);
        Assert.Equal("12345678", view.Value("BT-30"));
        Assert.Null(view.Value("BT-31"));
    }
}
