using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Invoicing;

/// <summary>Lines add up to net, VAT (rounded once per breakdown group) and gross totals.</summary>
public sealed class InvoiceTotalsTests
{
    [Fact]
    public void AddLine_NetIsQuantityTimesUnitPrice()
    {
        var invoice = InvoiceFixtures.Draft();

        var line = invoice.AddLine("  API calls pack  ", 3, Money.Of(35, "EUR"), InvoiceFixtures.DutchDomestic);

        Assert.Equal(105, line.NetAmountMinor);
        Assert.Equal("API calls pack", line.Description);
        Assert.Equal(1, line.Position);
        Assert.Equal(VatCategory.S, line.VatCategory);
        Assert.Equal(2100, line.VatRateBasisPoints);
        Assert.Equal(invoice.Id, line.InvoiceId);
        Assert.Equal(InvoiceFixtures.TenantId, line.TenantId);
        // 1.05 × 21 % = 0.2205 → 0.22
        Assert.Equal((Money.Of(105, "EUR"), Money.Of(22, "EUR"), Money.Of(127, "EUR")), invoice.Totals);
    }

    [Fact]
    public void AddLine_KeepsSubscriptionAndPeriod()
    {
        var invoice = InvoiceFixtures.Draft();
        var start = new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero);
        var end = new DateTimeOffset(2026, 12, 15, 0, 0, 0, TimeSpan.Zero);

        var line = invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), InvoiceFixtures.DutchDomestic, "sub_01X", start, end);

        Assert.Equal("sub_01X", line.SubscriptionId);
        Assert.Equal(start, line.PeriodStart);
        Assert.Equal(end, line.PeriodEnd);
    }

    [Fact]
    public void VatBreakdown_GroupsPerCategoryAndRate()
    {
        var invoice = InvoiceFixtures.Draft();
        var reduced = new VatDecision(VatRule.Domestic, VatCategory.S, new VatRate(900), null, null);
        invoice.AddLine("Hosting", 2, Money.Of(1000, "EUR"), InvoiceFixtures.DutchDomestic);  // 20.00 @ 21 %
        invoice.AddLine("Manual", 1, Money.Of(333, "EUR"), reduced);                          //  3.33 @ 9 %
        invoice.AddLine("Support", 1, Money.Of(505, "EUR"), InvoiceFixtures.DutchDomestic);   //  5.05 @ 21 %
        invoice.AddLine("US relay", 1, Money.Of(100, "EUR"), InvoiceFixtures.OutsideEu);      //  1.00 out of scope

        var breakdown = invoice.VatBreakdown();

        Assert.Equal(3, breakdown.Count);
        // S 21 %: 25.05 × 0.21 = 5.2605 → 5.26
        Assert.Equal(new VatBreakdownEntry(VatCategory.S, new VatRate(2100), 2505, 526, null, null), breakdown[0]);
        // S 9 %: 3.33 × 0.09 = 0.2997 → 0.30
        Assert.Equal(new VatBreakdownEntry(VatCategory.S, new VatRate(900), 333, 30, null, null), breakdown[1]);
        Assert.Equal(VatCategory.O, breakdown[2].Category);
        Assert.Equal(100, breakdown[2].TaxableMinor);
        Assert.Equal(0, breakdown[2].TaxMinor);
        Assert.Equal("VATEX-EU-O", breakdown[2].ExemptionReasonCode);
        Assert.NotNull(breakdown[2].ExemptionReason);
        Assert.Equal(2938, invoice.NetTotalMinor);
        Assert.Equal(556, invoice.VatTotalMinor);
        Assert.Equal(3494, invoice.GrossTotalMinor);
    }

    [Fact]
    public void VatTotal_IsRoundedPerGroupNotPerLine()
    {
        var invoice = InvoiceFixtures.Draft();
        for (var i = 0; i < 3; i++)
        {
            invoice.AddLine("SMS", 1, Money.Of(2, "EUR"), InvoiceFixtures.DanishDomestic);
        }

        // Per line 0.02 × 25 % = 0.005 → 0.01, three times = 0.03. Per group 0.06 × 25 % = 0.015 → 0.02.
        var group = Assert.Single(invoice.VatBreakdown());
        Assert.Equal(6, group.TaxableMinor);
        Assert.Equal(2, group.TaxMinor);
        Assert.Equal(6, invoice.NetTotalMinor);
        Assert.Equal(2, invoice.VatTotalMinor);
        Assert.Equal(8, invoice.GrossTotalMinor);
    }

    [Fact]
    public void Totals_UpdateWithEveryLine()
    {
        var invoice = InvoiceFixtures.Draft();
        invoice.AddLine("Pro plan", 1, Money.Of(2900, "EUR"), InvoiceFixtures.DutchDomestic);
        Assert.Equal((2900L, 609L, 3509L), (invoice.NetTotalMinor, invoice.VatTotalMinor, invoice.GrossTotalMinor));

        invoice.AddLine("Seats", 4, Money.Of(750, "EUR"), InvoiceFixtures.DutchDomestic);

        // 29.00 + 4 × 7.50 = 59.00; 59.00 × 21 % = 12.39
        Assert.Equal((5900L, 1239L, 7139L), (invoice.NetTotalMinor, invoice.VatTotalMinor, invoice.GrossTotalMinor));
        Assert.Equal([1, 2], invoice.Lines.Select(l => l.Position));
    }

    [Fact]
    public void Draft_WithoutLines_HasZeroTotals()
    {
        var invoice = InvoiceFixtures.Draft("USD");

        Assert.Equal(InvoiceStatus.Draft, invoice.Status);
        Assert.Null(invoice.Number);
        Assert.Empty(invoice.VatBreakdown());
        Assert.Equal((Money.Zero("USD"), Money.Zero("USD"), Money.Zero("USD")), invoice.Totals);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void AddLine_NonPositiveQuantity_RefusesOnQuantity(long quantity)
    {
        var invoice = InvoiceFixtures.Draft();

        var error = Assert.Throws<DomainValidationException>(() => invoice.AddLine("Seats", quantity, Money.Of(750, "EUR"), InvoiceFixtures.DutchDomestic));

        Assert.Equal("quantity", error.Field);
        Assert.Empty(invoice.Lines);
    }

    [Fact]
    public void AddLine_OtherCurrency_RefusesOnCurrency()
    {
        var invoice = InvoiceFixtures.Draft();

        var error = Assert.Throws<DomainValidationException>(() => invoice.AddLine("Seats", 1, Money.Of(750, "USD"), InvoiceFixtures.DutchDomestic));

        Assert.Equal("currency", error.Field);
        Assert.Empty(invoice.Lines);
    }

    [Fact]
    public void AddLine_BlankDescription_RefusesOnDescription()
    {
        var invoice = InvoiceFixtures.Draft();

        var error = Assert.Throws<DomainValidationException>(() => invoice.AddLine(" ", 1, Money.Of(750, "EUR"), InvoiceFixtures.DutchDomestic));

        Assert.Equal("description", error.Field);
    }

    [Fact]
    public void NewInvoice_UnknownCurrency_RefusesOnCurrency() =>
        Assert.Equal("currency", Assert.Throws<DomainValidationException>(() => InvoiceFixtures.Draft("eur")).Field);
}
