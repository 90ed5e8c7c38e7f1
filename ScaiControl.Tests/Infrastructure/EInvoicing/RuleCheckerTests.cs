using System.Xml.Linq;
using System.Xml.XPath;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The rule checker reads the XML, not our model: a document broken after writing (as a writer bug would break it)
/// is caught, in both syntaxes.
/// </summary>
public sealed class RuleCheckerTests
{
    [Theory]
    [InlineData("domestic/ubl", "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")]
    [InlineData("domestic/cii", "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount")]
    public void WrongTotalWithVat_BreaksBrCo15(string sample, string xpath)
    {
        var broken = Tamper(sample, x => Select(x, xpath).Value = "999.99");

        Assert.NotEmpty(En16931Rules.BR_CO_15(broken));
        Assert.Empty(En16931Rules.BR_CO_15(EInvoiceSamples.View(sample)));
    }

    [Theory]
    [InlineData("multi-rate/ubl", "cac:InvoiceLine/cbc:LineExtensionAmount")]
    [InlineData("multi-rate/xrechnung-cii", "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")]
    public void WrongLineNetAmount_BreaksBrCo10AndBrS08(string sample, string xpath)
    {
        var broken = Tamper(sample, x => Select(x, xpath).Value = "1.00");

        Assert.NotEmpty(En16931Rules.BR_CO_10(broken));
        Assert.NotEmpty(En16931Rules.BR_S_08(broken));
    }

    [Theory]
    [InlineData("b2c-oss/xrechnung-ubl", "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount")]
    [InlineData("b2c-oss/cii", "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount")]
    public void WrongBreakdownTax_BreaksBrCo17AndBrCo14(string sample, string xpath)
    {
        var broken = Tamper(sample, x => Select(x, xpath).Value = "0.01");

        Assert.NotEmpty(En16931Rules.BR_CO_17(broken));
        Assert.NotEmpty(En16931Rules.BR_CO_14(broken));
    }

    [Fact]
    public void SellerVatIdOnNotSubjectToVatInvoice_BreaksBrO02()
    {
        var broken = Tamper("export/cii", x => Select(x, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty")
            .Add(new XElement(CiiWriter.Ram + "SpecifiedTaxRegistration", new XElement(CiiWriter.Ram + "ID", new XAttribute("schemeID", "VA"), "NL123456789B01"))));

        Assert.NotEmpty(En16931Rules.BR_O_02(broken));
    }

    [Fact]
    public void ReverseChargeWithoutExemption_BreaksBrAe10()
    {
        var broken = Tamper("reverse-charge/ubl", x =>
        {
            Select(x, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode").Remove();
            Select(x, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason").Remove();
        });

        Assert.NotEmpty(En16931Rules.BR_AE_10(broken));
    }

    [Fact]
    public void XRechnungWithoutBreakdownRate_BreaksBrDe14()
    {
        var broken = Tamper("export/xrechnung-ubl", x => Select(x, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent").Remove());

        Assert.NotEmpty(En16931Rules.BR_DE_14(broken));
    }

    [Fact]
    public void EmptyElement_BreaksPeppolR008()
    {
        var broken = Tamper("domestic/ubl", x => x.Root!.Add(new XElement(UblWriter.Cbc + "AccountingCost")));

        Assert.NotEmpty(En16931Rules.PEPPOL_R008(broken));
    }

    [Fact]
    public void ThreeDecimalAmount_BreaksBrDec23()
    {
        var broken = Tamper("discount/cii", x => Select(x, "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount").Value = "85.000");

        Assert.NotEmpty(En16931Rules.BR_DEC_23(broken));
    }

    private static XElement Select(XDocument xml, string xpath) => xml.Root!.XPathSelectElement(xpath, EInvoiceView.Namespaces)
        ?? throw new InvalidOperationException($"{xpath} not found");

    private static EInvoiceView Tamper(string sample, Action<XDocument> change)
    {
        var view = EInvoiceSamples.View(sample);
        var copy = new XDocument(view.Xml);
        change(copy);
        return EInvoiceView.Parse(EInvoiceFormats.Serialize(copy), view.Format);
    }
}
