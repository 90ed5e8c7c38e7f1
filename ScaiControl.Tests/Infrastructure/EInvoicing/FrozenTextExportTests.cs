using ScaiControl.Domain.Billing;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// Issue 16: an invoice frozen before control characters were refused (a buyer legal name with U+0000, U+0007, ESC and
/// U+202E) still exports in every XML format: what XML 1.0 cannot carry is dropped, the rest of the name is kept.
/// </summary>
public sealed class FrozenTextExportTests
{
    private static readonly PartySnapshot Buyer = EInvoiceSamples.DutchBuyer with { LegalName = "Klant\u0000 B.V.\u0007\u001B[31m \u202Efdp.exe" };

    public static TheoryData<string> Formats() => [.. EInvoiceFormats.Xml];

    [Theory, MemberData(nameof(Formats))]
    public void FrozenLegalNameWithControlCharacters_ExportsWellFormedXml(string format)
    {
        var invoice = EInvoiceSamples.FinalisedInvoice(Buyer);
        var context = EInvoiceSamples.Context with { SellerContactPhone = "+31 20 123 4567" };

        var file = EInvoiceFormats.Write(EInvoiceDocument.From(invoice, context), format);

        var view = EInvoiceView.Parse(file.Content, format); // throws on XML that is not well formed
        Assert.Equal("Klant B.V.[31m \u202Efdp.exe", view.Value("BT-44"));
    }

    [Fact]
    public void XmlSafe_DropsOnlyWhatXml10CannotCarry()
    {
        Assert.Equal("ab\tc\n😀\u202E", EInvoiceFormats.XmlSafe("a\u0000b\tc\n\u0007😀\u001B\uFFFE\uD800\u202E"));
        Assert.Same("unchanged", EInvoiceFormats.XmlSafe("unchanged"));
    }
}

/// <summary>Issue 16: Peppol BIS addresses and references from the billing profiles.</summary>
public sealed class PeppolAddressingTests
{
    private static EInvoiceView Ubl(EInvoiceDocument document) => EInvoiceView.Parse(EInvoiceFormats.Write(document, "ubl").Content, "ubl");

    [Fact]
    public void NorwegianBuyerWithoutBuyerReference_GetsPeppolUbl_WithTheCustomerNumberAndOrganisationNumber()
    {
        var document = EInvoiceDocument.From(EInvoiceSamples.FinalisedInvoice(EInvoiceSamples.NorwegianBuyer), EInvoiceSamples.Context with { BuyerReference = null });

        var view = Ubl(document);

        Assert.Equal(EInvoiceSamples.TenantId, view.Value("BT-10"));
        Assert.Equal(("987654325", "0192"), (view.Value("BT-49"), view.Value("BT-49-1")));
        Assert.Equal(("12345678", "0106"), (view.Value("BT-34"), view.Value("BT-34-1")));
        Assert.Empty(En16931Rules.PEPPOL_R003(view));
        Assert.Empty(En16931Rules.PEPPOL_CL008(view));
        Assert.Empty(En16931Rules.PEPPOL_PartyIdentifierSchemes_AreIcd(view));
        Assert.Empty(En16931Rules.En16931.SelectMany(r => r.Check(view)));
    }

    [Fact]
    public void BuyerWithoutBuyerReference_StillGetsNoXRechnung()
    {
        var document = EInvoiceDocument.From(EInvoiceSamples.FinalisedInvoice(EInvoiceSamples.GermanBuyer), EInvoiceSamples.Context with { BuyerReference = null });

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(document, "xrechnung-ubl"));

        Assert.Contains("BT-10", error.Message, StringComparison.Ordinal);
        Assert.Contains("BR-DE-15", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VatIdBecomesTheEndpoint_UnderTheCountrysEasCode()
    {
        var view = Ubl(EInvoiceSamples.Document("reverse-charge"));

        Assert.Equal(("DE123456789", "9930"), (view.Value("BT-49"), view.Value("BT-49-1")));
    }

    [Fact]
    public void Consumer_GetsNoPeppolUbl_NamingTheBuyerAddress()
    {
        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(EInvoiceSamples.Document("b2c-oss"), "ubl"));

        Assert.Contains("BT-49", error.Message, StringComparison.Ordinal);
    }
}
