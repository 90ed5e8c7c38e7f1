namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// Peppol BIS Billing 3.0 rules on the "ubl" format, and those of them the XRechnung UBL schematron runs as well
/// (R001, R008, R010, R020, R053, R110/R111, R120).
/// </summary>
public sealed class PeppolRuleTests
{
    [Theory, MemberData(nameof(EInvoiceSamples.PeppolAndXRechnungUbl), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R001_BusinessProcess_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R001);

    [Theory, MemberData(nameof(EInvoiceSamples.Peppol), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R002_AtMostOneNote(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R002);

    [Theory, MemberData(nameof(EInvoiceSamples.Peppol), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R003_BuyerReferenceOrOrder_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R003);

    [Theory, MemberData(nameof(EInvoiceSamples.Peppol), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R004_SpecificationIdentifier_IsPeppolBis3(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R004);

    [Theory, MemberData(nameof(EInvoiceSamples.PeppolAndXRechnungUbl), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R008_NoEmptyElements(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R008);

    [Theory, MemberData(nameof(EInvoiceSamples.PeppolAndXRechnungUbl), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R010_BuyerElectronicAddress_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R010);

    [Theory, MemberData(nameof(EInvoiceSamples.PeppolAndXRechnungUbl), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R020_SellerElectronicAddress_IsPresent(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R020);

    [Theory, MemberData(nameof(EInvoiceSamples.PeppolAndXRechnungUbl), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R053_OneTaxTotalWithSubtotals(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R053);

    [Theory, MemberData(nameof(EInvoiceSamples.PeppolAndXRechnungUbl), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R110_R111_LinePeriods_AreWithinInvoicePeriod(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R110_R111);

    [Theory, MemberData(nameof(EInvoiceSamples.PeppolAndXRechnungUbl), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R120_LineNet_IsQuantityTimesPriceMinusAllowances(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R120);
}
