using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Vat;

/// <summary>The four VAT rules of the spec (001 "deterministic VAT determination (4 rules)").</summary>
public enum VatRule
{
    Domestic,
    IntraEuReverseCharge,
    IntraEuB2C,
    NonEu,

    /// <summary>Intra-EU B2C below the EUR 10,000 threshold of Art. 59c: the seller's own rate (a variant of <see cref="IntraEuB2C"/>).</summary>
    IntraEuB2CBelowThreshold,
}

/// <summary>How a seller charges cross-border B2C supplies (Art. 59c Council Directive 2006/112/EC), kept on the partner configuration.</summary>
public enum OssMode
{
    /// <summary>Always the customer's member state rate (declared through the One-Stop Shop). The default.</summary>
    UnionScheme,

    /// <summary>The seller's own rate while its cross-border B2C supplies stay below EUR 10,000 in the current and the preceding calendar year.</summary>
    Threshold,
}

/// <summary>
/// Everything the VAT decision depends on. <paramref name="BuyerVatIdValidated"/>: the buyer's VAT id was confirmed
/// (VIES). <paramref name="CrossBorderB2CEurMinor"/>: the larger of the seller's cross-border B2C supplies in EUR
/// cents in the current and in the preceding calendar year, used with <see cref="OssMode.Threshold"/>.
/// </summary>
public sealed record VatContext(
    string SellerCountry, string BuyerCountry, string? BuyerVatId, bool BuyerVatIdValidated, DateOnly SupplyDate,
    OssMode OssMode = OssMode.UnionScheme, long CrossBorderB2CEurMinor = 0);

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
        VatRule.IntraEuB2CBelowThreshold => "intra_eu_b2c_below_threshold",
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
/// <param name="Remark">Why a rule did not apply although it looked like it would (e.g. an unvalidated VAT id fell back to B2C), for the audit log.</param>
public sealed record VatDecision(VatRule Rule, VatCategory Category, VatRate Rate, string? ExemptionReasonCode, string? LegalNote, string? Remark = null);

/// <summary>
/// Deterministic VAT determination for electronically supplied services, one pure function. Decision table
/// (seller country S, buyer country B, buyer VAT id V; rates from <see cref="VatRates"/> on the supply date):
/// <code>
/// | S in EU | B          | V       | rule                    | category | rate            | note                       |
/// |---------|------------|---------|-------------------------|----------|-----------------|----------------------------|
/// | yes     | = S        | any     | Domestic                | S        | standard(S)     | -                          |
/// | yes     | EU, != S   | present | IntraEuReverseCharge    | AE       | 0 %             | Art. 196 Dir. 2006/112/EC  |
/// | yes     | EU, != S   | absent  | IntraEuB2C              | S        | standard(B)     | -                          |
/// | yes     | EU, != S   | absent  | IntraEuB2CBelowThreshold| S        | standard(S)     | Threshold mode, below EUR 10k |
/// | yes     | outside EU | any     | NonEu (export)          | O        | 0 %             | outside the scope of EU VAT|
/// | no      | any        | any     | NonEu                   | O        | 0 %             | outside the scope of EU VAT|
/// </code>
/// Sources: Art. 44 (B2B place of supply), Art. 58 (B2C electronically supplied services: customer's member state),
/// Art. 59c (the EUR 10,000 threshold for cross-border B2C supplies, current and preceding calendar year),
/// Art. 196 (reverse charge) and Art. 226 (invoice mentions) of Council Directive 2006/112/EC. Reverse charge needs a
/// buyer VAT id that was validated (VIES); an unvalidated one falls back to the B2C rule, with a <see cref="VatDecision.Remark"/>.
/// </summary>
public static class VatDetermination
{
    /// <summary>The legal mention for reverse charge (Art. 226(11a) requires "Reverse charge").</summary>
    public const string ReverseChargeNote = "Reverse charge: VAT to be accounted for by the recipient, Art. 196 Council Directive 2006/112/EC.";

    /// <summary>The mention for supplies whose place of supply is outside the EU.</summary>
    public const string OutsideScopeNote = "Not subject to EU VAT: place of supply outside the EU (Art. 44 and Art. 59 Council Directive 2006/112/EC).";

    /// <summary>The Art. 59c threshold: EUR 10,000 in cents.</summary>
    public const long OssThresholdEurMinor = 1_000_000;

    /// <summary>
    /// Decides the VAT of a supply with a buyer VAT id taken as validated and the union scheme. Countries are ISO
    /// 3166-1 alpha-2 codes; <paramref name="supplyDate"/> picks the dated rate.
    /// </summary>
    /// <exception cref="DomainValidationException">A country code is not ISO 3166-1 alpha-2.</exception>
    public static VatDecision Determine(string sellerCountry, string buyerCountry, string? buyerVatId, DateOnly supplyDate) =>
        Determine(new VatContext(sellerCountry, buyerCountry, buyerVatId, BuyerVatIdValidated: true, supplyDate));

    /// <summary>Decides the VAT of a supply from the whole <paramref name="context"/> (see the decision table).</summary>
    /// <exception cref="DomainValidationException">A country code is not ISO 3166-1 alpha-2.</exception>
    public static VatDecision Determine(VatContext context)
    {
        var seller = Countries.Require(context.SellerCountry, "seller_country");
        var buyer = Countries.Require(context.BuyerCountry, "buyer_country");
        var supplyDate = context.SupplyDate;
        var buyerVatId = context.BuyerVatId;
        if (!Countries.IsEu(seller) || !Countries.IsEu(buyer))
        {
            return new VatDecision(VatRule.NonEu, VatCategory.O, VatRate.Zero, "VATEX-EU-O", OutsideScopeNote);
        }

        if (seller == buyer)
        {
            return new VatDecision(VatRule.Domestic, VatCategory.S, VatRates.StandardRate(seller, supplyDate), null, null);
        }

        if (!string.IsNullOrWhiteSpace(buyerVatId) && context.BuyerVatIdValidated)
        {
            return new VatDecision(VatRule.IntraEuReverseCharge, VatCategory.AE, VatRate.Zero, "VATEX-EU-AE", ReverseChargeNote);
        }

        var remark = string.IsNullOrWhiteSpace(buyerVatId)
            ? null
            : $"Buyer VAT id {buyerVatId} is not validated (VIES); reverse charge does not apply and the B2C rule was used.";
        return context.OssMode == OssMode.Threshold && context.CrossBorderB2CEurMinor < OssThresholdEurMinor
            ? new VatDecision(VatRule.IntraEuB2CBelowThreshold, VatCategory.S, VatRates.StandardRate(seller, supplyDate), null, null, remark)
            : new VatDecision(VatRule.IntraEuB2C, VatCategory.S, VatRates.StandardRate(buyer, supplyDate), null, null, remark);
    }
}
