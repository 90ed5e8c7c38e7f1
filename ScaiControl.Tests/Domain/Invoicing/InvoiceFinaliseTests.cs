using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Invoicing;

/// <summary>Finalising numbers, dates and freezes an invoice; afterwards nothing about it can change.</summary>
public sealed class InvoiceFinaliseTests
{
    private static Invoice FinalisedDomestic()
    {
        var invoice = InvoiceFixtures.Draft();
        invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), InvoiceFixtures.DutchDomestic);
        invoice.Finalise("SCAI-2026-000042", InvoiceFixtures.Today, InvoiceFixtures.Buyer, InvoiceFixtures.Seller, InvoiceFixtures.DutchDomestic, InvoiceFixtures.Now);
        return invoice;
    }

    [Fact]
    public void Finalise_SetsNumberDatesSnapshotsAndStatus()
    {
        var invoice = FinalisedDomestic();

        Assert.Equal(InvoiceStatus.Finalised, invoice.Status);
        Assert.Equal("SCAI-2026-000042", invoice.Number);
        Assert.Equal(new DateOnly(2026, 11, 22), invoice.IssueDate);
        Assert.Equal(new DateOnly(2026, 12, 6), invoice.DueDate);
        Assert.Equal(InvoiceFixtures.Now, invoice.FinalisedAt);
        Assert.Equal(VatRule.Domestic, invoice.VatRule);
        Assert.Equal(string.Empty, invoice.Notes);
        Assert.Empty(invoice.NoteList);
        Assert.Equal(InvoiceFixtures.Buyer, invoice.Buyer);
        Assert.Equal(InvoiceFixtures.Seller, invoice.Seller);
        Assert.Equal("NL91ABNA0417164300", invoice.Seller!.Iban);
        Assert.Equal("Hauptstraße 5", invoice.Buyer!.Address.Line1);
        Assert.Equal((2900L, 609L, 3509L), (invoice.NetTotalMinor, invoice.VatTotalMinor, invoice.GrossTotalMinor));
    }

    [Fact]
    public void Finalise_DueDateIsFourteenDaysLaterAcrossYearEnd()
    {
        var invoice = InvoiceFixtures.Draft();
        invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), InvoiceFixtures.DutchDomestic);

        invoice.Finalise("SCAI-2026-000099", new DateOnly(2026, 12, 25), InvoiceFixtures.Buyer, InvoiceFixtures.Seller, InvoiceFixtures.DutchDomestic, InvoiceFixtures.Now);

        Assert.Equal(new DateOnly(2027, 1, 8), invoice.DueDate);
    }

    [Fact]
    public void Finalise_ReverseCharge_PutsNoteOnInvoiceAndZeroAeOnEveryLine()
    {
        var invoice = InvoiceFixtures.Draft();
        invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), InvoiceFixtures.DutchDomestic);
        invoice.AddLine("Seats", 4, Money.Of(750, "EUR"), InvoiceFixtures.DutchDomestic);

        invoice.Finalise("SCAI-2026-000043", InvoiceFixtures.Today, InvoiceFixtures.Buyer, InvoiceFixtures.Seller, InvoiceFixtures.ReverseCharge, InvoiceFixtures.Now);

        Assert.Equal(VatRule.IntraEuReverseCharge, invoice.VatRule);
        var note = Assert.Single(invoice.NoteList);
        Assert.Contains("Reverse charge", note, StringComparison.Ordinal);
        Assert.Contains("Art. 196", note, StringComparison.Ordinal);
        Assert.All(invoice.Lines, line =>
        {
            Assert.Equal(VatCategory.AE, line.VatCategory);
            Assert.Equal(0, line.VatRateBasisPoints);
            Assert.Equal("VATEX-EU-AE", line.ExemptionReasonCode);
            Assert.Equal(note, line.ExemptionReason);
        });
        var group = Assert.Single(invoice.VatBreakdown());
        Assert.Equal(VatCategory.AE, group.Category);
        Assert.Equal(5900, group.TaxableMinor);
        Assert.Equal(0, group.TaxMinor);
        Assert.Equal((5900L, 0L, 5900L), (invoice.NetTotalMinor, invoice.VatTotalMinor, invoice.GrossTotalMinor));
    }

    [Fact]
    public void AddLine_WhenFinalised_RefusesAndKeepsLines()
    {
        var invoice = FinalisedDomestic();

        var error = Assert.Throws<InvoiceImmutableException>(
            () => invoice.AddLine("Extra", 1, Money.Of(100, "EUR"), InvoiceFixtures.DutchDomestic));

        Assert.Equal("finalised", error.CurrentState);
        Assert.Single(invoice.Lines);
        Assert.Equal(3509, invoice.GrossTotalMinor);
    }

    [Fact]
    public void Finalise_WhenFinalised_RefusesAndKeepsNumber()
    {
        var invoice = FinalisedDomestic();

        Assert.Throws<InvoiceImmutableException>(() => invoice.Finalise(
            "SCAI-2026-000050", new DateOnly(2026, 12, 1), InvoiceFixtures.Buyer, InvoiceFixtures.Seller, InvoiceFixtures.ReverseCharge, InvoiceFixtures.Now.AddDays(9)));

        Assert.Equal("SCAI-2026-000042", invoice.Number);
        Assert.Equal(new DateOnly(2026, 11, 22), invoice.IssueDate);
        Assert.Equal(VatRule.Domestic, invoice.VatRule);
        Assert.Equal(VatCategory.S, invoice.Lines[0].VatCategory);
    }

    [Fact]
    public void Finalise_WithoutLines_RefusesAsConflict()
    {
        var invoice = InvoiceFixtures.Draft();

        var error = Assert.Throws<DomainConflictException>(() => invoice.Finalise(
            "SCAI-2026-000042", InvoiceFixtures.Today, InvoiceFixtures.Buyer, InvoiceFixtures.Seller, InvoiceFixtures.DutchDomestic, InvoiceFixtures.Now));

        Assert.Equal("draft", error.CurrentState);
        Assert.Equal(InvoiceStatus.Draft, invoice.Status);
        Assert.Null(invoice.Number);
        Assert.Null(invoice.IssueDate);
    }

    [Fact]
    public void Finalise_MalformedNumber_RefusesOnNumberAndStaysDraft()
    {
        var invoice = InvoiceFixtures.Draft();
        invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), InvoiceFixtures.DutchDomestic);

        var error = Assert.Throws<DomainValidationException>(() => invoice.Finalise(
            "INV-42", InvoiceFixtures.Today, InvoiceFixtures.Buyer, InvoiceFixtures.Seller, InvoiceFixtures.DutchDomestic, InvoiceFixtures.Now));

        Assert.Equal("number", error.Field);
        Assert.Equal(InvoiceStatus.Draft, invoice.Status);
        Assert.Null(invoice.Number);
    }

    [Fact]
    public void Finalise_MalformedNumber_LeavesDraftLinesAndTotalsUnchanged()
    {
        var invoice = InvoiceFixtures.Draft();
        invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), InvoiceFixtures.DutchDomestic);

        Assert.Throws<DomainValidationException>(() => invoice.Finalise(
            "INV-42", InvoiceFixtures.Today, InvoiceFixtures.Buyer, InvoiceFixtures.Seller, InvoiceFixtures.ReverseCharge, InvoiceFixtures.Now));

        Assert.Equal(VatCategory.S, invoice.Lines[0].VatCategory);
        Assert.Equal(2100, invoice.Lines[0].VatRateBasisPoints);
        Assert.Equal(609, invoice.VatTotalMinor);
    }
}
