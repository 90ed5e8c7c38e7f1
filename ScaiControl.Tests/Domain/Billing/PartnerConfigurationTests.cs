using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Billing;

/// <summary>The seller's configuration: checked IBAN, BIC, VAT id and invoice prefix.</summary>
public sealed class PartnerConfigurationTests
{
    private const string PartnerId = "ptr_01TESTPARTNER";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly PostalAddress Amsterdam = PostalAddress.Create("Herengracht 1", null, "1015 BA", "Amsterdam", "NL");

    private static PartnerConfiguration Create(
        string vatId = "NL004495445B01", string iban = "NL91ABNA0417164300", string bic = "ABNANL2A", string prefix = "SCAI") =>
        new(PartnerId, "Scai B.V.", Amsterdam, vatId, "billing@scai.example", iban, bic, prefix, Now);

    [Theory]
    [InlineData("NL91ABNA0417164300")]
    [InlineData("DE89370400440532013000")]
    [InlineData("GB82WEST12345698765432")]
    [InlineData("BE68539007547034")]
    public void IbanIsValid_PublishedExamples_AreValid(string iban) => Assert.True(PartnerConfiguration.IbanIsValid(iban));

    [Theory]
    [InlineData("NL91ABNA0417164301")]  // last digit altered
    [InlineData("NL91ABNA0417164030")]  // two digits swapped
    [InlineData("NL92ABNA0417164300")]  // check digits altered
    [InlineData("NL91ABNA04")]          // too short
    [InlineData("NL91-ABNA0417164300")]
    [InlineData("9191ABNA0417164300")]  // no country letters
    public void IbanIsValid_AlteredOrMalformed_IsInvalid(string iban) => Assert.False(PartnerConfiguration.IbanIsValid(iban));

    [Fact]
    public void Create_NormalisesIbanBicAndPrefix()
    {
        var config = Create(iban: "nl91 abna 0417 1643 00", bic: "abnanl2a", prefix: "scai");

        Assert.Equal("NL91ABNA0417164300", config.Iban);
        Assert.Equal("ABNANL2A", config.Bic);
        Assert.Equal("SCAI", config.InvoicePrefix);
        Assert.Equal("NL004495445B01", config.VatId);
    }

    [Fact]
    public void Create_WithAlteredIbanDigit_RefusesOnIban() =>
        Assert.Equal("iban", Assert.Throws<DomainValidationException>(() => Create(iban: "NL91ABNA0417164301")).Field);

    [Theory]
    [InlineData("ABNANL2")]       // 7 characters
    [InlineData("ABNANL2AX")]     // 9 characters
    [InlineData("ABNANL2AXXXX")]  // 12 characters
    [InlineData("ABN1NL2A")]      // bank code must be letters
    [InlineData("ABNA-L2A")]
    public void Create_WithBadBic_RefusesOnBic(string bic) =>
        Assert.Equal("bic", Assert.Throws<DomainValidationException>(() => Create(bic: bic)).Field);

    [Fact]
    public void Create_WithElevenCharacterBic_IsAccepted() => Assert.Equal("ABNANL2AXXX", Create(bic: "ABNANL2AXXX").Bic);

    [Theory]
    [InlineData("DE136695976")]  // a (valid) German id for a Dutch seller
    [InlineData("NL123456789")]
    [InlineData("NL004495446B01")]  // Dutch format, wrong check digit
    [InlineData("")]             // a seller needs one
    public void Create_WithVatIdNotValidForCountry_RefusesOnVatId(string vatId) =>
        Assert.Equal("vat_id", Assert.Throws<DomainValidationException>(() => Create(vatId: vatId)).Field);

    [Theory]
    [InlineData("SC-AI")]
    [InlineData("S")]
    [InlineData("SCAIINVOICES")]
    public void Create_WithBadPrefix_RefusesOnInvoicePrefix(string prefix) =>
        Assert.Equal("invoice_prefix", Assert.Throws<DomainValidationException>(() => Create(prefix: prefix)).Field);

    [Fact]
    public void Create_RaisesPartnerBillingLinked()
    {
        var config = Create();

        var raised = Assert.Single(config.PendingEvents);
        Assert.Equal("partner.billing_linked.v1", raised.Topic);
        Assert.Equal(PartnerId, raised.PartnerId);
        Assert.Null(raised.TenantId);
        Assert.Equal("SCAI", raised.Payload["invoice_prefix"]);
    }

    [Fact]
    public void Update_RaisesPartnerBillingUpdated()
    {
        var config = Create();

        config.Update("Scai Holding B.V.", Amsterdam, "NL004495445B02", "billing@scai.example", "DE89370400440532013000", "COBADEFFXXX", "SCH", Now.AddDays(1));

        Assert.Equal("partner.billing_updated.v1", config.PendingEvents[^1].Topic);
        Assert.Equal(2, config.PendingEvents.Count);
        Assert.Equal("SCH", config.InvoicePrefix);
    }

    [Fact]
    public void Snapshot_CarriesPaymentDetails()
    {
        var snapshot = Create().Snapshot();

        Assert.Equal("NL91ABNA0417164300", snapshot.Iban);
        Assert.Equal("ABNANL2A", snapshot.Bic);
        Assert.Equal("NL", snapshot.Address.Country);
    }
}
