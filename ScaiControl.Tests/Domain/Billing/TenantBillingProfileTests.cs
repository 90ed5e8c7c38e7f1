using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Billing;

/// <summary>The buyer's billing profile: validated, normalised, and announced on the outbox.</summary>
public sealed class TenantBillingProfileTests
{
    private const string PartnerId = "ptr_01TESTPARTNER";
    private const string TenantId = "tnt_01TESTTENANT";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly PostalAddress Berlin = PostalAddress.Create("Hauptstraße 5", null, "10115", "Berlin", "DE");
    private static readonly PostalAddress Paris = PostalAddress.Create("1 Rue de Rivoli", null, "75001", "Paris", "FR");

    [Fact]
    public void Create_RaisesTenantBillingLinkedWithNormalisedValues()
    {
        var profile = new TenantBillingProfile(PartnerId, TenantId, "  Muster GmbH ", Berlin, "de 136 695 976", "AP@Muster.example", Now);

        Assert.Equal("Muster GmbH", profile.LegalName);
        Assert.Equal("DE136695976", profile.VatId);
        Assert.Equal("ap@muster.example", profile.Email);
        var raised = Assert.Single(profile.PendingEvents);
        Assert.Equal("tenant.billing_linked.v1", raised.Topic);
        Assert.Equal(TenantId, raised.TenantId);
        Assert.Equal(PartnerId, raised.PartnerId);
        Assert.Equal("DE136695976", raised.Payload["vat_id"]);
        Assert.Equal("DE", raised.Payload["country"]);
    }

    [Fact]
    public void Create_ConsumerWithoutVatId_HasNoVatId() =>
        Assert.Null(new TenantBillingProfile(PartnerId, TenantId, "Jane Doe", Paris, null, "jane@example.org", Now).VatId);

    [Fact]
    public void Update_RaisesTenantBillingUpdatedWithNewValues()
    {
        var profile = new TenantBillingProfile(PartnerId, TenantId, "Muster GmbH", Berlin, "DE136695976", "ap@muster.example", Now);

        profile.Update("Muster SARL", Paris, "FR40303265045", "ap@muster.example", Now.AddDays(1));

        Assert.Equal(2, profile.PendingEvents.Count);
        var raised = profile.PendingEvents[^1];
        Assert.Equal("tenant.billing_updated.v1", raised.Topic);
        Assert.Equal("FR", raised.Payload["country"]);
        Assert.Equal("FR40303265045", raised.Payload["vat_id"]);
        Assert.Equal("Paris", profile.City);
        Assert.Equal(Now.AddDays(1), profile.UpdatedAt);
    }

    [Fact]
    public void Create_WithVatIdOfAnotherCountry_RefusesOnVatId() =>
        Assert.Equal("vat_id", Assert.Throws<DomainValidationException>(
            () => new TenantBillingProfile(PartnerId, TenantId, "Muster SARL", Paris, "DE136695976", "ap@muster.example", Now)).Field);

    [Fact]
    public void Update_WithBadVatId_RefusesAndChangesNothing()
    {
        var profile = new TenantBillingProfile(PartnerId, TenantId, "Muster GmbH", Berlin, "DE136695976", "ap@muster.example", Now);

        var error = Assert.Throws<DomainValidationException>(
            () => profile.Update("Muster SARL", Paris, "DE136695976", "ap@muster.example", Now.AddDays(1)));

        Assert.Equal("vat_id", error.Field);
        Assert.Equal("Muster GmbH", profile.LegalName);
        Assert.Equal("DE", profile.Country);
        Assert.Single(profile.PendingEvents);
    }

    [Fact]
    public void Create_WithBadEmail_RefusesOnEmail() =>
        Assert.Equal("email", Assert.Throws<DomainValidationException>(
            () => new TenantBillingProfile(PartnerId, TenantId, "Muster GmbH", Berlin, null, "ap-at-muster", Now)).Field);

    [Fact]
    public void Snapshot_IsTheBuyerAsInvoicesShowIt()
    {
        var profile = new TenantBillingProfile(PartnerId, TenantId, "Muster GmbH", Berlin, "DE136695976", "ap@muster.example", Now);

        Assert.Equal(new PartySnapshot("Muster GmbH", Berlin, "DE136695976", "ap@muster.example"), profile.Snapshot());
    }

    [Theory]
    [InlineData("Netherlands", "country")]
    [InlineData("", "country")]
    public void PostalAddress_UnknownCountry_RefusesOnCountry(string country, string field) =>
        Assert.Equal(field, Assert.Throws<DomainValidationException>(() => PostalAddress.Create("Street 1", null, "1000", "City", country)).Field);

    [Theory]
    [InlineData(" ", "1000", "City", "address_line1")]
    [InlineData("Street 1", " ", "City", "postal_code")]
    [InlineData("Street 1", "1000", "", "city")]
    public void PostalAddress_MissingPart_RefusesNamingIt(string line1, string postalCode, string city, string field) =>
        Assert.Equal(field, Assert.Throws<DomainValidationException>(() => PostalAddress.Create(line1, null, postalCode, city, "NL")).Field);

    [Fact]
    public void PostalAddress_LowerCaseCountry_IsUpperCased() =>
        Assert.Equal("NL", PostalAddress.Create("Street 1", " ", "1000", "Amsterdam", "nl").Country);
}
