using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Tests.Domain.Invoicing;

/// <summary>Invoice numbers are PREFIX-YYYY-NNNNNN; credit notes run in their own PREFIX-CN series.</summary>
public sealed class InvoiceNumbersTests
{
    [Theory]
    [InlineData("SCAI", 2026, 42, "SCAI-2026-000042")]
    [InlineData("SCAI", 2026, 1, "SCAI-2026-000001")]
    [InlineData("SCAI", 2026, 999999, "SCAI-2026-999999")]
    [InlineData("ACME", 2000, 123456, "ACME-2000-123456")]
    public void Format_PadsSequenceToSixDigits(string series, int year, long sequence, string expected) =>
        Assert.Equal(expected, InvoiceNumbers.Format(series, year, sequence));

    [Fact]
    public void Series_ForCreditNotes_AppendsCn()
    {
        Assert.Equal("SCAI", InvoiceNumbers.Series("SCAI", DocumentType.Invoice));
        Assert.Equal("SCAI-CN", InvoiceNumbers.Series("SCAI", DocumentType.CreditNote));
        Assert.Equal("SCAI-CN-2026-000007", InvoiceNumbers.Format(InvoiceNumbers.Series("SCAI", DocumentType.CreditNote), 2026, 7));
    }

    [Theory]
    [InlineData(2026, 0)]
    [InlineData(2026, -1)]
    [InlineData(2026, 1_000_000)]
    [InlineData(1999, 1)]
    [InlineData(10000, 1)]
    public void Format_OutOfRange_Throws(int year, long sequence) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => InvoiceNumbers.Format("SCAI", year, sequence));

    [Theory]
    [InlineData("SCAI-2026-000042")]
    [InlineData("SCAI-CN-2026-000001")]
    [InlineData("AB-2026-123456")]
    [InlineData("ACME2-2027-999999")]
    public void IsValid_WellFormed_IsTrue(string number) => Assert.True(InvoiceNumbers.IsValid(number));

    [Theory]
    [InlineData("scai-2026-000042")]
    [InlineData("SCAI-2026-42")]
    [InlineData("SCAI-26-000042")]
    [InlineData("SCAI-2026-0000042")]
    [InlineData("SCAI2026000042")]
    [InlineData("S-2026-000001")]
    [InlineData("SCAI-XX-2026-000001")]
    [InlineData(" SCAI-2026-000042")]
    [InlineData("")]
    [InlineData(null)]
    public void IsValid_Malformed_IsFalse(string? number) => Assert.False(InvoiceNumbers.IsValid(number));

    [Fact]
    public void IsValid_TrailingNewline_IsFalse() => Assert.False(InvoiceNumbers.IsValid("SCAI-2026-000042\n"));

    [Fact]
    public void Require_Malformed_RefusesOnNumber() =>
        Assert.Equal("number", Assert.Throws<DomainValidationException>(() => InvoiceNumbers.Require("INV-42")).Field);
}
