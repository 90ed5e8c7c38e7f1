namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>XRechnung 3.0 rules (BR-DE-*) on every case written as XRechnung UBL and XRechnung CII.</summary>
public sealed class XRechnungRuleTests
{
    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_1_PaymentInstructions_ArePresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_1);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_2_SellerContact_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_2);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_3_SellerCity_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_3);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_4_SellerPostCode_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_4);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_5_SellerContactPoint_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_5);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_6_SellerContactTelephone_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_6);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_7_SellerContactEmail_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_7);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_8_BuyerCity_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_8);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_9_BuyerPostCode_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_9);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_14_EachVatBreakdown_HasRate(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_14);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_15_BuyerReference_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_15);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_16_TaxedCategories_NeedSellerTaxIdentifier(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_16);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_17_TypeCode_IsAnXRechnungCode(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_17);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_19_SepaPaymentAccount_IsValidIban(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_19);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_21_SpecificationIdentifier_IsXRechnung30(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_21);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_23_a_CreditTransfer_HasCreditTransferGroup(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_23_a);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_23_b_CreditTransfer_HasNoCardOrDirectDebit(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_23_b);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_27_SellerTelephone_HasThreeDigits(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_27);

    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BR_DE_28_SellerEmail_IsWellFormed(string sample) => RuleAssert.Holds(sample, En16931Rules.BR_DE_28);

    /// <summary>The XRechnung UBL schematron includes Peppol's PEPPOL-EN16931-R001 (business process required); CII gets BT-23 too, as in the KoSIT examples.</summary>
    [Theory, MemberData(nameof(EInvoiceSamples.XRechnung), MemberType = typeof(EInvoiceSamples))]
    public void BusinessProcess_IsPeppolBilling(string sample) =>
        Assert.Equal("urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", EInvoiceSamples.View(sample).Value("BT-23"));
}
