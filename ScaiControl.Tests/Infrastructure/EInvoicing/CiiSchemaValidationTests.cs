using System.Xml.Linq;
using ScaiControl.Infrastructure.Invoicing.EInvoicing;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>Our CII output (EN 16931 and XRechnung) against the CII D16B schema of the EN 16931 profile (see <see cref="CiiSchemas"/>).</summary>
public sealed class CiiSchemaValidationTests
{
    public static TheoryData<string> CiiSamples()
    {
        var data = new TheoryData<string>();
        foreach (var name in EInvoiceSamples.Cases)
        {
            data.Add($"{name}/cii");
            data.Add($"{name}/xrechnung-cii");
        }

        return data;
    }

    [Theory, MemberData(nameof(CiiSamples))]
    public void CiiOutput_IsValidAgainstTheEn16931Schema(string sample)
    {
        var problems = CiiSchemas.Validate(EInvoiceSamples.View(sample).Xml);

        Assert.True(problems.Count == 0, $"{sample}: {string.Join(" | ", problems)}");
    }

    [Theory]
    [InlineData("en16931-cii/CII_example1.xml")]
    [InlineData("xrechnung/01.21a-INVOICE_uncefact.xml")]
    public void OfficialExample_IsValid_SoTheSchemaIsTheRightOne(string example) =>
        Assert.Empty(CiiSchemas.Validate(OfficialExamples.Load(example)));

    [Fact]
    public void ElementsOutOfOrder_AreRejected_SoValidationIsNotVacuous()
    {
        var xml = new XDocument(EInvoiceSamples.View("domestic/cii").Xml);
        var settlement = xml.Descendants(CiiWriter.Ram + "ApplicableHeaderTradeSettlement").Single();
        var currency = settlement.Element(CiiWriter.Ram + "InvoiceCurrencyCode")!;
        currency.Remove();
        settlement.Add(currency);

        Assert.NotEmpty(CiiSchemas.Validate(xml));
    }
}
