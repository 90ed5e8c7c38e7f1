using ScaiControl.Infrastructure.Invoicing.EInvoicing;

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

    [Theory, MemberData(nameof(EInvoiceSamples.Peppol), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_CL007_CurrencyCodes_AreIso4217(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_CL007);

    [Theory, MemberData(nameof(EInvoiceSamples.Peppol), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_CL008_ElectronicAddressSchemes_AreEasCodes(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_CL008);

    [Theory, MemberData(nameof(EInvoiceSamples.Peppol), MemberType = typeof(EInvoiceSamples))]
    public void PEPPOL_EN16931_R007_BusinessProcess_HasThePeppolFormat(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_R007);

    [Theory, MemberData(nameof(EInvoiceSamples.Peppol), MemberType = typeof(EInvoiceSamples))]
    public void PartyIdentifierSchemes_AreIsoIcd(string sample) => RuleAssert.Holds(sample, En16931Rules.PEPPOL_PartyIdentifierSchemes_AreIcd);

    /// <summary>The Peppol checks of this class, on the official Peppol BIS examples (which pass the Peppol schematron): a check of the checker.</summary>
    [Theory]
    [InlineData("base-example.xml")]
    [InlineData("base-creditnote-correction.xml")]
    [InlineData("Allowance-example.xml")]
    [InlineData("Vat-category-S.xml")]
    [InlineData("vat-category-O.xml")]
    public void PeppolRules_HoldOnTheOfficialPeppolExample(string example)
    {
        var view = EInvoiceView.Parse(File.ReadAllBytes(OfficialExamples.PathOf("peppol-bis/" + example)), "ubl");
        Func<EInvoiceView, IEnumerable<string>>[] rules =
            [En16931Rules.PEPPOL_R001, En16931Rules.PEPPOL_R003, En16931Rules.PEPPOL_R004, En16931Rules.PEPPOL_R007, En16931Rules.PEPPOL_R010, En16931Rules.PEPPOL_R020,
             En16931Rules.PEPPOL_CL007, En16931Rules.PEPPOL_CL008, En16931Rules.PEPPOL_PartyIdentifierSchemes_AreIcd];

        var violations = rules.SelectMany(r => r(view)).ToArray();

        Assert.True(violations.Length == 0, string.Join(Environment.NewLine, violations));
    }

    /// <summary>CL008 catches what the issue found: an e-mail EndpointID (schemeID "EM") in a document labelled Peppol BIS.</summary>
    [Fact]
    public void PEPPOL_EN16931_CL008_RefusesAnEmailEndpoint()
    {
        var xml = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(EInvoiceFormats.Write(EInvoiceSamples.Document("domestic"), "ubl").Content));
        foreach (var endpoint in xml.Descendants(UblWriter.Cbc + "EndpointID"))
        {
            endpoint.SetAttributeValue("schemeID", "EM");
        }

        var view = EInvoiceView.Parse(EInvoiceFormats.Serialize(xml), "ubl");

        Assert.Equal(2, En16931Rules.PEPPOL_CL008(view).Count());
    }
}
