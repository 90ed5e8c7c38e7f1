using System.Text.RegularExpressions;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Vat;

/// <summary>
/// VAT identification number checks: the format (the country prefix and structure of each EU member state, as VIES
/// documents them, plus NO, GB and CH), then the check digits where the country has them (<see cref="VatIdChecksums"/>).
/// The VIES consultation comes with the EU-invoicing issue.
/// </summary>
public static class VatIds
{
    private static readonly Dictionary<string, Regex> Patterns = new(StringComparer.Ordinal)
    {
        ["AT"] = new(@"^ATU\d{8}$"), ["BE"] = new(@"^BE[01]\d{9}$"), ["BG"] = new(@"^BG\d{9,10}$"),
        ["CY"] = new(@"^CY\d{8}[A-Z]$"), ["CZ"] = new(@"^CZ\d{8,10}$"), ["DE"] = new(@"^DE\d{9}$"),
        ["DK"] = new(@"^DK\d{8}$"), ["EE"] = new(@"^EE\d{9}$"), ["GR"] = new(@"^EL\d{9}$"),
        ["ES"] = new(@"^ES[A-Z0-9]\d{7}[A-Z0-9]$"), ["FI"] = new(@"^FI\d{8}$"), ["FR"] = new(@"^FR[A-HJ-NP-Z0-9]{2}\d{9}$"),
        ["HR"] = new(@"^HR\d{11}$"), ["HU"] = new(@"^HU\d{8}$"), ["IE"] = new(@"^IE(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$"),
        ["IT"] = new(@"^IT\d{11}$"), ["LT"] = new(@"^LT(\d{9}|\d{12})$"), ["LU"] = new(@"^LU\d{8}$"),
        ["LV"] = new(@"^LV\d{11}$"), ["MT"] = new(@"^MT\d{8}$"), ["NL"] = new(@"^NL\d{9}B\d{2}$"),
        ["PL"] = new(@"^PL\d{10}$"), ["PT"] = new(@"^PT\d{9}$"), ["RO"] = new(@"^RO\d{2,10}$"),
        ["SE"] = new(@"^SE\d{10}01$"), ["SI"] = new(@"^SI\d{8}$"), ["SK"] = new(@"^SK\d{10}$"),
        ["NO"] = new(@"^NO\d{9}(MVA)?$"), ["GB"] = new(@"^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$"), ["CH"] = new(@"^CHE\d{9}(MWST|TVA|IVA)?$"),
    };

    /// <summary>
    /// The country whose VAT-id prefix <paramref name="normalised"/> starts with, among the countries with a known
    /// structure (EL for Greece, GR is taken as a mistaken Greek prefix); null when it starts with none of them.
    /// </summary>
    private static string? PrefixOwner(string normalised)
    {
        if (normalised.Length < 2)
        {
            return null;
        }

        var head = normalised[..2];
        return head switch
        {
            "EL" or "GR" => "GR",
            _ when Patterns.ContainsKey(head) && head != "GR" => head,
            _ => null,
        };
    }

    /// <summary>
    /// Normalises (upper case, no spaces, dots or hyphens) and checks a VAT id against the pattern of
    /// <paramref name="country"/>, then its check digits (<see cref="VatIdChecksums.IsValid"/>); countries without a
    /// pattern accept 4-20 letters and digits, but never an id that starts with another country's VAT prefix.
    /// </summary>
    /// <returns>The normalised id, or null when <paramref name="vatId"/> is empty.</returns>
    /// <exception cref="DomainValidationException">
    /// The id does not match the country's format, or fails its check digit; either way on <paramref name="field"/>.
    /// </exception>
    public static string? Normalise(string? vatId, string country, string field = "vat_id")
    {
        if (string.IsNullOrWhiteSpace(vatId))
        {
            return null;
        }

        var normalised = new string(vatId.Where(c => !char.IsWhiteSpace(c) && c is not '.' and not '-').ToArray()).ToUpperInvariant();
        // The prefix must be the country's own, for every country: an id of another country with a structured
        // VAT id (e.g. a Dutch id while the country is NE, Niger) is refused, whatever the country.
        var prefix = Countries.VatPrefixOf(country);
        if (PrefixOwner(normalised) is { } owner && owner != country)
        {
            throw new DomainValidationException(field,
                $"'{vatId}' is a VAT id of {Countries.NameOf(owner)} ({Countries.VatPrefixOf(owner)}), but the country is {Countries.NameOf(country)} ({country}); a VAT id of {Countries.NameOf(country)} starts with {prefix}.");
        }

        var ok = Patterns.TryGetValue(country, out var pattern)
            ? pattern.IsMatch(normalised)
            : normalised.Length is >= 4 and <= 20 && normalised.All(char.IsAsciiLetterOrDigit);
        if (!ok)
        {
            throw new DomainValidationException(field, Patterns.ContainsKey(country) && !normalised.StartsWith(prefix, StringComparison.Ordinal)
                ? $"A VAT id of {Countries.NameOf(country)} starts with {prefix}; '{vatId}' does not."
                : $"'{vatId}' is not a valid VAT id for {country}.");
        }

        return VatIdChecksums.IsValid(country, normalised)
            ? normalised
            : throw new DomainValidationException(field, $"'{vatId}' fails the {country} VAT number check digit.");
    }
}
