using System.Text.RegularExpressions;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>BR-DEC-* (at most two decimals per amount) and BR-CL-* (code lists) on every case in every format.</summary>
public sealed partial class DecimalAndCodeListRuleTests
{
    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_09_SumOfLineNetAmounts_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_09);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_12_TotalWithoutVat_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_12);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_13_TotalVat_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_13);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_14_TotalWithVat_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_14);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_18_AmountDue_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_18);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_19_BreakdownTaxableAmount_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_19);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_20_BreakdownTaxAmount_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_20);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_23_LineNetAmount_HasAtMostTwoDecimals(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DEC_23);

    /// <summary>Our own format: every amount and percentage has exactly two decimals, invariant culture.</summary>
    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void EveryAmountAndRate_IsWrittenWithExactlyTwoDecimals(string sample)
    {
        var view = EInvoiceSamples.View(sample);
        string[] amountNames = ["LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount", "TaxAmount", "TaxableAmount", "PriceAmount", "Amount", "Percent",
            "LineTotalAmount", "TaxBasisTotalAmount", "TaxTotalAmount", "GrandTotalAmount", "DuePayableAmount", "CalculatedAmount", "BasisAmount", "ChargeAmount", "ActualAmount", "RateApplicablePercent"];
        var amounts = view.Xml.Descendants().Where(e => amountNames.Contains(e.Name.LocalName)).ToArray();
        Assert.NotEmpty(amounts);
        Assert.All(amounts, e => Assert.Matches(TwoDecimals(), e.Value));
    }

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_01_TypeCode_IsFromUntdid1001(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_01);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_04_Currency_IsIso4217(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_04);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_14_CountryCodes_AreIso3166(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_14);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_16_PaymentMeans_IsFromUncl4461(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_16);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_17_18_VatCategories_AreFromUncl5305(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_18);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_22_ExemptionReasonCodes_AreFromVatex(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_22);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_23_UnitCodes_AreFromRec20(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_23);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CL_25_ElectronicAddressSchemes_AreFromEas(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CL_25);

    [GeneratedRegex(@"^-?\d+\.\d{2}$")]
    private static partial Regex TwoDecimals();
}
