namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The checker itself, on the official examples, which pass the official EN 16931 schematron: every EN 16931 rule of
/// <see cref="En16931Rules"/> must hold on them too, in both syntaxes. This checks the business-term bindings of
/// <see cref="EInvoiceView"/> against documents we did not write.
/// </summary>
public sealed class OfficialExampleRuleTests
{
    [Theory]
    [InlineData("en16931-ubl/ubl-tc434-example1.xml", "ubl")]
    [InlineData("en16931-ubl/ubl-tc434-example2.xml", "ubl")]
    [InlineData("en16931-ubl/ubl-tc434-example5.xml", "ubl")]
    [InlineData("en16931-ubl/ubl-tc434-creditnote1.xml", "ubl")]
    [InlineData("en16931-ubl/sample-discount-price.xml", "ubl")]
    [InlineData("en16931-cii/CII_example1.xml", "cii")]
    [InlineData("en16931-cii/CII_example2.xml", "cii")]
    [InlineData("en16931-cii/CII_example5.xml", "cii")]
    [InlineData("en16931-cii/CII_business_example_01.xml", "cii")]
    [InlineData("xrechnung/01.01a-INVOICE_ubl.xml", "xrechnung-ubl")]
    [InlineData("xrechnung/01.21a-INVOICE_ubl.xml", "xrechnung-ubl")]
    [InlineData("xrechnung/01.01a-INVOICE_uncefact.xml", "xrechnung-cii")]
    [InlineData("xrechnung/01.21a-INVOICE_uncefact.xml", "xrechnung-cii")]
    public void En16931Rules_HoldOnTheOfficialExample(string example, string format)
    {
        var view = EInvoiceView.Parse(File.ReadAllBytes(OfficialExamples.PathOf(example)), format);

        var violations = En16931Rules.En16931.SelectMany(r => r.Check(view).Select(v => $"{r.Id}: {v}")).ToArray();

        Assert.True(violations.Length == 0, string.Join(Environment.NewLine, violations));
    }
}
