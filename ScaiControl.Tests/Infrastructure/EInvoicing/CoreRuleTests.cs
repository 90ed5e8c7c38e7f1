namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>EN 16931 core rules (mandatory content, lines, periods, breakdown, payment, calculations) on every case in every format.</summary>
public sealed class CoreRuleTests
{
    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_01_SpecificationIdentifier_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_01);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_02_InvoiceNumber_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_02);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_03_IssueDate_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_03);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_04_TypeCode_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_04);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_05_CurrencyCode_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_05);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_06_SellerName_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_06);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_07_BuyerName_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_07);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_08_SellerPostalAddress_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_08);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_09_SellerCountryCode_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_09);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_10_BuyerPostalAddress_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_10);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_11_BuyerCountryCode_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_11);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_12_SumOfLineNetAmounts_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_12);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_13_TotalWithoutVat_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_13);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_14_TotalWithVat_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_14);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_15_AmountDue_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_15);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_16_AtLeastOneLine(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_16);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_21_EachLine_HasIdentifier(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_21);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_22_EachLine_HasQuantity(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_22);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_23_EachLine_HasUnitCode(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_23);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_24_EachLine_HasNetAmount(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_24);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_25_EachLine_HasItemName(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_25);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_26_EachLine_HasNetPrice(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_26);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_27_NetPrice_IsNotNegative(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_27);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_29_InvoicingPeriodEnd_IsNotBeforeStart(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_29);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_30_LinePeriodEnd_IsNotBeforeStart(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_30);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_45_EachVatBreakdown_HasTaxableAmount(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_45);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_46_EachVatBreakdown_HasTaxAmount(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_46);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_47_EachVatBreakdown_HasCategoryCode(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_47);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_48_EachVatBreakdown_HasRate_UnlessNotSubjectToVat(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_48);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_49_PaymentInstructions_HavePaymentMeansCode(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_49);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_50_CreditTransfer_HasPaymentAccount(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_50);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_61_SepaCreditTransfer_HasPaymentAccount(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_61);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_62_SellerElectronicAddress_HasScheme(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_62);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_63_BuyerElectronicAddress_HasScheme(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_63);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_04_EachLine_HasVatCategory(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_04);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_09_VatIdentifiers_HaveCountryPrefix(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_09);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_10_SumOfLineNetAmounts_IsSumOfLines(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_10);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_13_TotalWithoutVat_IsLinesMinusAllowancesPlusCharges(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_13);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_14_TotalVat_IsSumOfBreakdownTaxAmounts(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_14);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_15_InvoiceTotalWithVat_IsTotalWithoutVatPlusVat(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_15);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_16_AmountDue_IsTotalWithVatMinusPaidPlusRounding(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_16);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_17_BreakdownTaxAmount_IsTaxableTimesRateRounded(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_17);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_18_AtLeastOneVatBreakdown(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_18);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_19_InvoicingPeriod_HasStartOrEnd(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_19);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_20_LinePeriod_HasStartOrEnd(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_20);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_25_PositiveAmountDue_HasDueDateOrTerms(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_25);

    [Theory, MemberData(nameof(EInvoiceSamples.All), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_26_Seller_IsIdentifiable(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_CO_26);
}
