using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Vat;

/// <summary>The four VAT rules of the spec (001 "deterministic VAT determination (4 rules)").</summary>
public enum VatRule
{
    Domestic,
    IntraEuReverseCharge,
    IntraEuB2C,
    NonEu,
}

/// <summary>Wire names of <see cref="VatRule"/> (snake_case, as the API and events show them).</summary>
public static class VatRules
{
    /// <summary>"domestic" | "intra_eu_reverse_charge" | "intra_eu_b2c" | "non_eu".</summary>
    public static string WireName(this VatRule rule) => rule switch
    {
        VatRule.Domestic => "domestic",
        VatRule.IntraEuReverseCharge => "intra_eu_reverse_charge",
        VatRule.IntraEuB2C => "intra_eu_b2c",
        VatRule.NonEu => "non_eu",
    };
}

/// <summary>EN 16931 VAT category codes (UNCL5305 subset, BT-118/BT-151).</summary>
public enum VatCategory
{
    /// <summary>Standard rate.</summary>
    S,
    /// <summary>Zero rated goods.</summary>
    Z,
    /// <summary>Exempt from tax.</summary>
    E,
    /// <summary>VAT reverse charge.</summary>
    AE,
    /// <summary>Intra-community supply (goods).</summary>
    K,
    /// <summary>Free export item, tax not charged.</summary>
    G,
    /// <summary>Services outside scope of tax.</summary>
    O,
}

/// <summary>What a supply is charged: the rule that applied, the EN 16931 category and rate, and the legal note to print.</summary>
/// <param name="Rule">The spec rule that decided.</param>
/// <param name="Category">EN 16931 VAT category code (BT-151).</param>
/// <param name="Rate">The rate (BT-152).</param>
/// <param name="ExemptionReasonCode">VATEX code (BT-121) for 0 % categories, else null.</param>
/// <param name="LegalNote">The mention the invoice must carry (BT-120 / Art. 226(11)-(11a) Directive 2006/112/EC), else null.</param>
public sealed record VatDecision(VatRule Rule, VatCategory Category, VatRate Rate, string? ExemptionReasonCode, string? LegalNote);

/// <summary>
/// Deterministic VAT determination for electronically supplied services, one pure function. Decision table
/// (seller country S, buyer country B, buyer VAT id V; rates from <see cref="VatRates"/> on the supply date):
/// <code>
/// | S in EU | B          | V       | rule                    | category | rate            | note                       |
/// |---------|------------|---------|-------------------------|----------|-----------------|----------------------------|
/// | yes     | = S        | any     | Domestic                | S        | standard(S)     | -                          |
/// | yes     | EU, != S   | present | IntraEuReverseCharge    | AE       | 0 %             | Art. 196 Dir. 2006/112/EC  |
/// | yes     | EU, != S   | absent  | IntraEuB2C              | S        | standard(B)     | -                          |
/// | yes     | outside EU | any     | NonEu (export)          | O        | 0 %             | outside the scope of EU VAT|
/// | no      | any        | any     | NonEu                   | O        | 0 %             | outside the scope of EU VAT|
/// </code>
/// Sources: Art. 44 (B2B place of supply), Art. 58 (B2C electronically supplied services: customer's member state),
/// Art. 196 (reverse charge) and Art. 226 (invoice mentions) of Council Directive 2006/112/EC. The EUR 10,000 OSS
/// threshold (Art. 59c) and VIES validation of the VAT id come with the EU-invoicing issue.
/// </summary>
public static class VatDetermination
{
    /// <summary>The legal mention for reverse charge (Art. 226(11a) requires "Reverse charge").</summary>
    public const string ReverseChargeNote = "Reverse charge: VAT to be accounted for by the recipient, Art. 196 Council Directive 2006/112/EC.";

    /// <summary>The mention for supplies whose place of supply is outside the EU.</summary>
    public const string OutsideScopeNote = "Not subject to EU VAT: place of supply outside the EU (Art. 44 and Art. 59 Council Directive 2006/112/EC).";

    /// <summary>Decides the VAT of a supply. Countries are ISO 3166-1 alpha-2 codes; <paramref name="supplyDate"/> picks the dated rate.</summary>
    /// <exception cref="DomainValidationException">A country code is not ISO 3166-1 alpha-2.</exception>
    public static VatDecision Determine(string sellerCountry, string buyerCountry, string? buyerVatId, DateOnly supplyDate)
    {
        var seller = Countries.Require(sellerCountry, "seller_country");
        var buyer = Countries.Require(buyerCountry, "buyer_country");
        if (!Countries.IsEu(seller) || !Countries.IsEu(buyer))
        {
            return new VatDecision(VatRule.NonEu, VatCategory.O, VatRate.Zero, "VATEX-EU-O", OutsideScopeNote);
        }

        if (seller == buyer)
        {
            return new VatDecision(VatRule.Domestic, VatCategory.S, VatRates.StandardRate(seller, supplyDate), null, null);
        }

        return string.IsNullOrWhiteSpace(buyerVatId)
            ? new VatDecision(VatRule.IntraEuB2C, VatCategory.S, VatRates.StandardRate(buyer, supplyDate), null, null)
            : new VatDecision(VatRule.IntraEuReverseCharge, VatCategory.AE, VatRate.Zero, "VATEX-EU-AE", ReverseChargeNote);
    }
}
