using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;

namespace ScaiControl.Tests.Domain.Invoicing;

/// <summary>A Dutch seller, a German business buyer and the VAT decisions they produce.</summary>
internal static class InvoiceFixtures
{
    public const string PartnerId = "ptr_01TESTPARTNER";
    public const string TenantId = "tnt_01TESTTENANT";

    public static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Today = new(2026, 11, 22);

    public static readonly PartySnapshot Seller = new(
        "Scai B.V.", new PostalAddress("Herengracht 1", null, "1015 BA", "Amsterdam", "NL"), "NL123456789B01",
        "billing@scai.example", "NL91ABNA0417164300", "ABNANL2A");

    public static readonly PartySnapshot Buyer = new(
        "Muster GmbH", new PostalAddress("Hauptstraße 5", "2. OG", "10115", "Berlin", "DE"), "DE123456789", "ap@muster.example");

    /// <summary>NL seller to NL buyer: standard 21 %.</summary>
    public static VatDecision DutchDomestic => VatDetermination.Determine("NL", "NL", null, Today);

    /// <summary>DK seller to DK buyer: standard 25 %.</summary>
    public static VatDecision DanishDomestic => VatDetermination.Determine("DK", "DK", null, Today);

    /// <summary>NL seller to a DE business: reverse charge.</summary>
    public static VatDecision ReverseCharge => VatDetermination.Determine("NL", "DE", "DE123456789", Today);

    /// <summary>NL seller to a US buyer: outside the scope of EU VAT.</summary>
    public static VatDecision OutsideEu => VatDetermination.Determine("NL", "US", null, Today);

    public static Invoice Draft(string currency = "EUR") => new(PartnerId, TenantId, currency, "brn_01TESTRUN", Now);
}
