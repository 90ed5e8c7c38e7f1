namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>Rules on preceding-invoice references (credit notes) and line allowances, on the documents that have them.</summary>
public sealed class ReferenceAndAllowanceRuleTests
{
    [Theory, MemberData(nameof(EInvoiceSamples.CreditNotes), MemberType = typeof(EInvoiceSamples))]
    public void BR_55_PrecedingInvoiceReference_HasNumber(string sample)
    {
        Assert.True(EInvoiceSamples.View(sample).Has("BG-3"), "the credit note carries no BG-3");
        RuleAssert.Holds(sample, En16931Rules.BR_55);
    }

    [Theory, MemberData(nameof(EInvoiceSamples.WithLineAllowance), MemberType = typeof(EInvoiceSamples))]
    public void BR_41_LineAllowance_HasAmount(string sample) => HoldsWithAllowance(sample, En16931Rules.BR_41);

    [Theory, MemberData(nameof(EInvoiceSamples.WithLineAllowance), MemberType = typeof(EInvoiceSamples))]
    public void BR_42_LineAllowance_HasReasonOrCode(string sample) => HoldsWithAllowance(sample, En16931Rules.BR_42);

    [Theory, MemberData(nameof(EInvoiceSamples.WithLineAllowance), MemberType = typeof(EInvoiceSamples))]
    public void BR_CO_23_LineAllowance_HasReasonOrCodeOrBoth(string sample) => HoldsWithAllowance(sample, En16931Rules.BR_CO_23);

    [Theory, MemberData(nameof(EInvoiceSamples.WithLineAllowance), MemberType = typeof(EInvoiceSamples))]
    public void BR_DEC_24_LineAllowanceAmount_HasAtMostTwoDecimals(string sample) => HoldsWithAllowance(sample, En16931Rules.BR_DEC_24);

    [Theory, MemberData(nameof(EInvoiceSamples.WithLineAllowance), MemberType = typeof(EInvoiceSamples))]
    public void LineNetAmount_IsQuantityTimesPriceMinusAllowance(string sample)
    {
        var view = EInvoiceSamples.View(sample);
        var line = Assert.Single(view.Lines, l => EInvoiceView.LineAllowances(l).Count > 0);
        Assert.Equal(100.00m, line.Amount("BT-129") * line.Amount("BT-146"));
        Assert.Equal(15.00m, EInvoiceView.LineAllowances(line)[0].Amount("BT-136"));
        Assert.Equal(85.00m, line.Amount("BT-131"));
    }

    private static void HoldsWithAllowance(string sample, Func<EInvoiceView, IEnumerable<string>> rule)
    {
        var view = EInvoiceSamples.View(sample);
        Assert.Contains(view.Lines, l => EInvoiceView.LineAllowances(l).Count > 0);
        RuleAssert.Holds(sample, rule);
    }
}
