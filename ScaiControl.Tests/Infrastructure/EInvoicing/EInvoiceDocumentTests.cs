using System.Text;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>Projection of finalised invoices into the EN 16931 model, and what the formats refuse.</summary>
public sealed class EInvoiceDocumentTests
{
    [Fact]
    public void From_DraftInvoice_Refuses()
    {
        var draft = new Invoice(EInvoiceSamples.PartnerId, EInvoiceSamples.TenantId, "EUR", null, EInvoiceSamples.Now);
        draft.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), VatDetermination.Determine("NL", "NL", null, EInvoiceSamples.IssueDate));

        var error = Assert.Throws<InvalidOperationException>(() => EInvoiceDocument.From(draft, EInvoiceSamples.Context));
        Assert.Contains("draft", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_FinalisedInvoice_MapsTheBusinessTerms()
    {
        var invoice = EInvoiceSamples.FinalisedInvoice(EInvoiceSamples.DutchBuyer);

        var doc = EInvoiceDocument.From(invoice, EInvoiceSamples.Context);

        Assert.Equal("SCAI-2026-000042", doc.Number);
        Assert.Equal(EInvoiceTypeCode.CommercialInvoice, doc.TypeCode);
        Assert.Equal(new DateOnly(2026, 11, 22), doc.IssueDate);
        Assert.Equal(new DateOnly(2026, 12, 6), doc.DueDate);
        Assert.Equal("EUR", doc.Currency);
        Assert.Equal("PO-4711", doc.BuyerReference);
        Assert.Equal("Scai B.V.", doc.Seller.Name);
        Assert.Equal("NL123456789B01", doc.Seller.VatId);
        Assert.Equal(("billing@scai.example", "EM"), (doc.Seller.ElectronicAddress, doc.Seller.ElectronicAddressScheme));
        // Peppol BIS addresses parties by a Peppol EAS scheme: the KvK number (0106), the buyer's NL VAT id (9944).
        Assert.Equal(new EInvoiceIdentifier("12345678", "0106"), doc.Seller.PeppolEndpoint);
        Assert.Equal(new EInvoiceIdentifier("NL987654321B01", "9944"), doc.Buyer.PeppolEndpoint);
        Assert.Equal(EInvoiceSamples.TenantId, doc.CustomerNumber);
        Assert.Equal(new EInvoiceContact("Scai billing", "+31 20 123 4567", "billing@scai.example"), doc.Seller.Contact);
        Assert.Equal(new EInvoiceIdentifier("12345678", "0106"), doc.Seller.LegalRegistrationId);
        Assert.Equal("Klant B.V.", doc.Buyer.Name);
        Assert.Equal("ap@klant.example", doc.Buyer.Contact?.Email);
        Assert.Equal(new EInvoicePaymentInstructions("58", "SCAI-2026-000042", "NL91ABNA0417164300", "ABNANL2A"), doc.Payment);
        // Periods are stored with an exclusive end instant; EN 16931 end dates are inclusive.
        Assert.Equal(new EInvoicePeriod(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30)), doc.InvoicingPeriod);
        Assert.Equal(["1", "2"], doc.Lines.Select(l => l.Id));
        Assert.Equal((3L, 1999L, 5997L, "C62"), (doc.Lines[1].Quantity, doc.Lines[1].NetPriceMinor, doc.Lines[1].NetAmountMinor, doc.Lines[1].UnitCode));
        Assert.Equal(new EInvoiceTotals(8897, 8897, 1868, 10765, 10765), doc.Totals);
        Assert.Equal((invoice.NetTotalMinor, invoice.VatTotalMinor, invoice.GrossTotalMinor), (doc.Totals.LineNetTotalMinor, doc.Totals.VatTotalMinor, doc.Totals.TaxInclusiveMinor));
        var group = Assert.Single(doc.VatBreakdown);
        Assert.Equal((VatCategory.S, 2100, 8897L, 1868L), (group.Category, group.Rate.BasisPoints, group.TaxableAmountMinor, group.TaxAmountMinor));
    }

    [Fact]
    public void From_ReverseCharge_CarriesTheLegalNoteAndVatexCode()
    {
        var doc = EInvoiceDocument.From(EInvoiceSamples.FinalisedInvoice(EInvoiceSamples.GermanBuyer), EInvoiceSamples.Context);

        Assert.Equal([VatDetermination.ReverseChargeNote], doc.Notes);
        var group = Assert.Single(doc.VatBreakdown);
        Assert.Equal(VatCategory.AE, group.Category);
        Assert.Equal(new EInvoiceVatExemption("VATEX-EU-AE", VatDetermination.ReverseChargeNote), group.Exemption);
        Assert.Equal(0, doc.Totals.VatTotalMinor);
    }

    [Fact]
    public void From_LinesWithDifferentPeriods_HasNoInvoicingPeriod()
    {
        var vat = VatDetermination.Determine("NL", "NL", null, EInvoiceSamples.IssueDate);
        var invoice = new Invoice(EInvoiceSamples.PartnerId, EInvoiceSamples.TenantId, "EUR", null, EInvoiceSamples.Now);
        invoice.AddLine("November", 1, Money.Of(1000, "EUR"), vat, "sub_a", EInvoiceSamples.PeriodStart, EInvoiceSamples.PeriodEnd);
        invoice.AddLine("December", 1, Money.Of(1000, "EUR"), vat, "sub_a", EInvoiceSamples.PeriodEnd, EInvoiceSamples.PeriodEnd.AddMonths(1));
        invoice.Finalise("SCAI-2026-000050", EInvoiceSamples.IssueDate, EInvoiceSamples.DutchBuyer, EInvoiceSamples.Seller, vat, EInvoiceSamples.Now);

        var doc = EInvoiceDocument.From(invoice, EInvoiceSamples.Context);

        Assert.Null(doc.InvoicingPeriod);
        Assert.Equal(new EInvoicePeriod(new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31)), doc.Lines[1].Period);
    }

    [Fact]
    public void Write_UnknownFormat_NamesTheAllowedFormats()
    {
        var error = Assert.Throws<ArgumentException>(() => EInvoiceFormats.Write(EInvoiceSamples.Document("domestic"), "facturx"));

        Assert.Contains("ubl, xrechnung-ubl, xrechnung-cii, cii", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ubl", "ubl")]
    [InlineData("UBL", "ubl")]
    [InlineData("xrechnung-ubl", "xrechnung-ubl")]
    [InlineData("xrechnung-cii", "xrechnung-cii")]
    [InlineData("cii", "cii")]
    public void Write_GivesXmlContentTypeAndFileName(string format, string suffix)
    {
        var file = EInvoiceFormats.Write(EInvoiceSamples.Document("domestic"), format);

        Assert.Equal("application/xml", file.ContentType);
        Assert.Equal($"SCAI-2026-000042.{suffix}.xml", file.FileName);
    }

    [Theory]
    [InlineData("xrechnung-ubl")]
    [InlineData("xrechnung-cii")]
    public void XRechnung_WithoutSellerPhone_Refuses(string format)
    {
        var doc = EInvoiceSamples.Document("domestic");
        doc = doc with { Seller = doc.Seller with { Contact = doc.Seller.Contact! with { Telephone = null } } };

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, format));
        Assert.Contains("BT-42", error.Message, StringComparison.Ordinal);
        Assert.Contains("BR-DE-6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_WithoutPhoneInContext_XRechnungRefuses_OtherFormatsWrite()
    {
        var doc = EInvoiceDocument.From(EInvoiceSamples.FinalisedInvoice(EInvoiceSamples.GermanBuyer), EInvoiceSamples.Context with { SellerContactPhone = null });

        Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, "xrechnung-ubl"));
        Assert.NotEmpty(EInvoiceFormats.Write(doc, "ubl").Content);
        Assert.NotEmpty(EInvoiceFormats.Write(doc, "cii").Content);
    }

    [Theory]
    [InlineData("xrechnung-ubl", "BR-DE-15")]
    [InlineData("xrechnung-cii", "BR-DE-15")]
    [InlineData("ubl", "PEPPOL-EN16931-R003")]
    public void WithoutBuyerReferenceOrCustomerNumber_XRechnungAndPeppolRefuse(string format, string rule)
    {
        var doc = EInvoiceSamples.Document("domestic") with { BuyerReference = null, CustomerNumber = null };

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, format));
        Assert.Contains("BT-10", error.Message, StringComparison.Ordinal);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutBuyerReference_En16931CiiIsWritten()
    {
        var doc = EInvoiceSamples.Document("domestic") with { BuyerReference = null };

        var view = EInvoiceView.Parse(EInvoiceFormats.Write(doc, "cii").Content, "cii");

        Assert.False(view.Has("BT-10"));
    }

    [Fact]
    public void XRechnung_WithoutPaymentInstructions_Refuses()
    {
        var doc = EInvoiceSamples.Document("domestic") with { Payment = null };

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, "xrechnung-cii"));
        Assert.Contains("BR-DE-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotSubjectToVat_WithoutSellerLegalRegistration_Refuses()
    {
        var doc = EInvoiceSamples.Document("export");
        doc = doc with { Seller = doc.Seller with { LegalRegistrationId = null } };

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, "cii"));
        Assert.Contains("BT-30", error.Message, StringComparison.Ordinal);
        Assert.Contains("BR-CO-26", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotSubjectToVat_MixedWithOtherCategories_Refuses()
    {
        var doc = EInvoiceSamples.Document("export");
        doc = doc with { Lines = [doc.Lines[0], doc.Lines[1] with { VatCategory = VatCategory.S, VatRate = new VatRate(2100), Exemption = null }] };

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, "ubl"));
        Assert.Contains("BR-O-11", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreditNote_WithoutPrecedingInvoice_Refuses()
    {
        var doc = EInvoiceSamples.Document("credit-note") with { PrecedingInvoice = null };

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, "ubl"));
        Assert.Contains("BT-25", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StandardRatedLine_WithZeroRate_Refuses()
    {
        var doc = EInvoiceSamples.Document("domestic");
        doc = doc with { Lines = [doc.Lines[0] with { VatRate = VatRate.Zero }] };

        var error = Assert.Throws<EInvoiceDataMissingException>(() => EInvoiceFormats.Write(doc, "cii"));
        Assert.Contains("BR-S-05", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreditNote_UblHasDueDateInPaymentMeans_AndBillingReference()
    {
        var view = EInvoiceSamples.View("credit-note/ubl");

        Assert.Equal("2026-12-09", view.Value("BT-9"));
        Assert.Empty(view.Xml.Root!.Elements(UblWriter.Cbc + "DueDate"));
        Assert.Equal(("SCAI-2026-000042", "2026-11-22"), (view.Value("BT-25"), view.Value("BT-26")));
        Assert.Equal("CreditedQuantity", view.Lines[0].Element.Elements().ElementAt(1).Name.LocalName);
    }

    [Fact]
    public void CreditNote_CiiHasTypeCode381AndInvoiceReference()
    {
        var view = EInvoiceSamples.View("credit-note/cii");

        Assert.Equal("381", view.Value("BT-3"));
        Assert.Equal(("SCAI-2026-000042", "20261122"), (view.Value("BT-25"), view.Value("BT-26")));
    }

    [Fact]
    public void Peppol_JoinsSeveralNotesIntoOne_OthersKeepThem()
    {
        var doc = EInvoiceSamples.Document("domestic") with { Notes = ["First note.", "Second note."] };

        var peppol = EInvoiceView.Parse(EInvoiceFormats.Write(doc, "ubl").Content, "ubl");
        var xrechnung = EInvoiceView.Parse(EInvoiceFormats.Write(doc, "xrechnung-ubl").Content, "xrechnung-ubl");
        var cii = EInvoiceView.Parse(EInvoiceFormats.Write(doc, "cii").Content, "cii");

        Assert.Equal(["First note.\nSecond note."], peppol.Values("BT-22"));
        Assert.Equal(["First note.", "Second note."], xrechnung.Values("BT-22"));
        Assert.Equal(["First note.", "Second note."], cii.Values("BT-22"));
    }

    [Fact]
    public void NotSubjectToVat_BreakdownRate_OnlyInXRechnung()
    {
        Assert.Null(Assert.Single(EInvoiceSamples.View("export/ubl").Breakdown).Value("BT-119"));
        Assert.Null(Assert.Single(EInvoiceSamples.View("export/cii").Breakdown).Value("BT-119"));
        Assert.Equal("0.00", Assert.Single(EInvoiceSamples.View("export/xrechnung-ubl").Breakdown).Value("BT-119"));
        Assert.Equal("0.00", Assert.Single(EInvoiceSamples.View("export/xrechnung-cii").Breakdown).Value("BT-119"));
    }

    [Fact]
    public void MultiRate_HasOneBreakdownGroupPerRate_RoundedPerGroup()
    {
        var view = EInvoiceSamples.View("multi-rate/cii");

        var groups = view.Breakdown.Select(b => (b.Value("BT-118"), b.Value("BT-119"), b.Value("BT-116"), b.Value("BT-117"))).ToArray();
        // 29.00 + 6.66 = 35.66 at 21 % = 7.4886 -> 7.49; 37.47 at 9 % = 3.3723 -> 3.37.
        Assert.Equal([("S", "21.00", "35.66", "7.49"), ("S", "9.00", "37.47", "3.37")], groups);
        Assert.Equal(("73.13", "10.86", "83.99"), (view.Value("BT-109"), view.Value("BT-110"), view.Value("BT-112")));
    }

    [Fact]
    public void Amounts_OfCurrenciesWithoutMinorUnits_AreWrittenWithTwoDecimals()
    {
        var doc = EInvoiceSamples.Document("domestic");
        doc = doc with { Currency = "JPY", Lines = [doc.Lines[0] with { NetPriceMinor = 1234 }] };

        var text = Encoding.UTF8.GetString(EInvoiceFormats.Write(doc, "cii").Content);

        Assert.Contains("<ram:ChargeAmount>1234.00</ram:ChargeAmount>", text, StringComparison.Ordinal);
        Assert.Contains("<ram:TaxTotalAmount currencyID=\"JPY\">259.00</ram:TaxTotalAmount>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rates_AreWrittenWithTwoDecimals()
    {
        var doc = EInvoiceSamples.Document("domestic");
        doc = doc with { Lines = [doc.Lines[0] with { VatRate = new VatRate(2550) }] };

        var view = EInvoiceView.Parse(EInvoiceFormats.Write(doc, "ubl").Content, "ubl");

        Assert.Equal("25.50", view.Lines[0].Value("BT-152"));
        Assert.Equal("25.50", view.Breakdown[0].Value("BT-119"));
    }
}
