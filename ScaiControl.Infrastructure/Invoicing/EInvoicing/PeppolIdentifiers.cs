using ScaiControl.Domain.Billing;

namespace ScaiControl.Infrastructure.Invoicing.EInvoicing;

/// <summary>
/// Peppol BIS Billing 3.0 identifiers: the electronic address (BT-34 seller / BT-49 buyer, UBL cbc:EndpointID) must use
/// a scheme of the Peppol EAS code list (PEPPOL-EN16931-CL008; the list has no "EM", so an e-mail address cannot be
/// one), and party identifiers (BT-29/BT-30, BT-46/BT-47) an ISO 6523 ICD. Source: Peppol BIS Billing 3.0 code lists
/// "Electronic Address Scheme (EAS)" and "ISO 6523 ICD" (docs.peppol.eu/poacc/billing/3.0/codelist/), as of release
/// 3.0.19; deprecated codes (9901-9909, 9912, 9955, 9956) left out.
/// </summary>
public static class PeppolIdentifiers
{
    /// <summary>The Peppol EAS codes (electronic address schemes).</summary>
    public static IReadOnlySet<string> EasCodes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135", "0142", "0147", "0151", "0170", "0183", "0184",
        "0188", "0190", "0191", "0192", "0193", "0194", "0195", "0196", "0198", "0199", "0200", "0201", "0202", "0203", "0204", "0205", "0208",
        "0209", "0210", "0211", "0212", "0213", "0215", "0216", "0217", "0218", "0221", "0225", "0230", "0235", "0240",
        "9910", "9913", "9914", "9915", "9918", "9919", "9920", "9922", "9923", "9924", "9925", "9926", "9927", "9928", "9929", "9930",
        "9931", "9932", "9933", "9934", "9935", "9936", "9937", "9938", "9939", "9940", "9941", "9942", "9943", "9944", "9945", "9946",
        "9947", "9948", "9949", "9950", "9951", "9952", "9953", "9957", "9959",
    };

    // EAS "<country>:VAT" codes: the VAT identifier with its country prefix is the address.
    private static readonly Dictionary<string, string> VatEas = new(StringComparer.Ordinal)
    {
        ["HU"] = "9910", ["AT"] = "9914", ["ES"] = "9920", ["AD"] = "9922", ["AL"] = "9923", ["BA"] = "9924", ["BE"] = "9925", ["BG"] = "9926",
        ["CH"] = "9927", ["CY"] = "9928", ["CZ"] = "9929", ["DE"] = "9930", ["EE"] = "9931", ["GB"] = "9932", ["GR"] = "9933", ["HR"] = "9934",
        ["IE"] = "9935", ["LI"] = "9936", ["LT"] = "9937", ["LU"] = "9938", ["LV"] = "9939", ["MC"] = "9940", ["ME"] = "9941", ["MK"] = "9942",
        ["MT"] = "9943", ["NL"] = "9944", ["PL"] = "9945", ["PT"] = "9946", ["RO"] = "9947", ["RS"] = "9948", ["SI"] = "9949", ["SK"] = "9950",
        ["SM"] = "9951", ["TR"] = "9952", ["VA"] = "9953", ["FR"] = "9957",
    };

    /// <summary>
    /// The Peppol electronic address of a party, from its billing profile: its company registration number when the
    /// ICD is an EAS code too (e.g. 0106 KvK, 0192 Norwegian, 0007 Swedish organisation number); else its VAT id under
    /// the country's "VAT" EAS code (e.g. 9930 DE, 9944 NL); for a Norwegian, Swedish or Danish VAT id, which has no
    /// EAS code of its own, the organisation number it contains (0192, 0007, 0184). Null when the party has neither
    /// (a consumer): Peppol then cannot address it (PEPPOL-EN16931-R010/R020).
    /// </summary>
    public static EInvoiceIdentifier? EndpointOf(string country, string? vatId, string? registrationId, string? registrationScheme)
    {
        if (registrationId is { Length: > 0 } && registrationScheme is { } scheme && EasCodes.Contains(scheme))
        {
            return new EInvoiceIdentifier(registrationId, scheme);
        }

        if (string.IsNullOrWhiteSpace(vatId))
        {
            return null;
        }

        if (VatEas.TryGetValue(country, out var eas))
        {
            return new EInvoiceIdentifier(vatId, eas);
        }

        var digits = new string(vatId.Where(char.IsAsciiDigit).ToArray());
        return country switch
        {
            "NO" when digits.Length == 9 => new EInvoiceIdentifier(digits, "0192"),
            "SE" when digits.Length == 12 => new EInvoiceIdentifier(digits[..10], "0007"),
            "DK" when digits.Length == 8 => new EInvoiceIdentifier(digits, "0184"),
            _ => null,
        };
    }

    /// <summary>The legal registration identifier (BT-30 / BT-47) of a frozen party, with its ICD; null when none was recorded.</summary>
    public static EInvoiceIdentifier? RegistrationOf(PartySnapshot party) =>
        party.RegistrationId is { Length: > 0 } id ? new EInvoiceIdentifier(id, party.RegistrationScheme ?? RegistrationSchemes.DefaultFor(party.Address.Country)) : null;
}
