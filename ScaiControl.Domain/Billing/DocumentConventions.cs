using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Billing;

/// <summary>
/// The language invoices and credit notes are written in when the buyer chose none: the main language of the buyer's
/// country (BCP 47). Templates and texts fall back along the tag's chain to "en" (docs/invoicing.md "Templates").
/// </summary>
public static class DocumentLanguages
{
    private static readonly Dictionary<string, string> ByCountry = new(StringComparer.Ordinal)
    {
        ["DE"] = "de", ["AT"] = "de", ["CH"] = "de", ["LI"] = "de",
        ["NL"] = "nl", ["FR"] = "fr", ["MC"] = "fr", ["ES"] = "es", ["IT"] = "it", ["PT"] = "pt", ["PL"] = "pl",
        ["SE"] = "sv", ["NO"] = "nb", ["DK"] = "da", ["FI"] = "fi", ["CZ"] = "cs", ["SK"] = "sk", ["HU"] = "hu",
    };

    /// <summary>The default document language of a buyer in <paramref name="country"/> (ISO 3166-1 alpha-2); "en" for the rest.</summary>
    public static string ForCountry(string? country) => country is not null && ByCountry.TryGetValue(country, out var language) ? language : "en";
}

/// <summary>
/// ISO 6523 ICD schemes of company registration numbers (EN 16931 BT-30 / BT-47, Peppol party identifiers) by
/// country, used when a registration number is given without its scheme. Source: the ISO 6523 ICD list as published in
/// the Peppol code lists (0002 SIRENE, 0007 Swedish Organisationsnummer, 0106 Dutch KvK, 0183 Swiss UIDB, 0184 Danish
/// CVR, 0192 Norwegian Enhetsregisteret, 0196 Icelandic kennitala, 0208 Belgian enterprise number, 0211 Italian
/// Partita IVA, 0212 Finnish organisation identifier).
/// </summary>
public static class RegistrationSchemes
{
    private static readonly Dictionary<string, string> ByCountry = new(StringComparer.Ordinal)
    {
        ["FR"] = "0002", ["SE"] = "0007", ["NL"] = "0106", ["CH"] = "0183", ["DK"] = "0184", ["NO"] = "0192",
        ["IS"] = "0196", ["BE"] = "0208", ["IT"] = "0211", ["FI"] = "0212",
    };

    /// <summary>The usual ICD of company registration numbers in <paramref name="country"/>, or null when there is none (e.g. DE).</summary>
    public static string? DefaultFor(string? country) => country is not null && ByCountry.TryGetValue(country, out var scheme) ? scheme : null;

    /// <summary>
    /// Validates a registration number and its ISO 6523 ICD (four digits); without a scheme the country's default
    /// (<see cref="DefaultFor"/>) applies.
    /// </summary>
    /// <returns>(id, scheme), both null when no id is given.</returns>
    /// <exception cref="DomainValidationException">Too long, control characters, or no scheme known (fields registration_id, registration_scheme).</exception>
    public static (string? Id, string? Scheme) Validate(string? registrationId, string? registrationScheme, string country)
    {
        var id = Guard.OptionalText(registrationId, "registration_id", 50);
        var scheme = Guard.OptionalText(registrationScheme, "registration_scheme", 4) ?? (id is null ? null : DefaultFor(country));
        if (id is null)
        {
            return (null, null);
        }

        if (scheme is null || scheme.Length != 4 || !scheme.All(char.IsAsciiDigit))
        {
            throw new DomainValidationException("registration_scheme", "registration_scheme must be a four-digit ISO 6523 ICD (e.g. 0106 for a Dutch KvK number, 0192 for a Norwegian organisation number).");
        }

        return (id, scheme);
    }
}
