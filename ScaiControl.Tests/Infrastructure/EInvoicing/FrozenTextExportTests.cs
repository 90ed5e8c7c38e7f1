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
