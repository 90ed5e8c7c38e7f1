namespace ScaiControl.Domain.Common;

/// <summary>ISO 3166-1 alpha-2 country codes, and the EU-27 member states (VAT territory, Directive 2006/112/EC Art. 5).</summary>
public static class Countries
{
    // ISO 3166-1 alpha-2 officially assigned codes (ISO 3166 Maintenance Agency, 249 entries).
    private const string Iso3166Alpha2 =
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
        "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO " +
        "FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE " +
        "JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO " +
        "MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW " +
        "PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM " +
        "TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

    private static readonly Dictionary<string, string> Unlisted = new(StringComparer.Ordinal) { ["EH"] = "Western Sahara" };

    private static readonly HashSet<string> All = new(Iso3166Alpha2.Split(' '), StringComparer.Ordinal);

    /// <summary>The 27 EU member states as ISO 3166 codes (Greece is GR here; its VAT prefix is EL).</summary>
    public static IReadOnlySet<string> EuMemberStates { get; } = new HashSet<string>(
        "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".Split(' '), StringComparer.Ordinal);

    /// <summary>True for an assigned ISO 3166-1 alpha-2 code (upper case).</summary>
    public static bool IsKnown(string? code) => code is not null && All.Contains(code);

    /// <summary>True for an EU-27 member state.</summary>
    public static bool IsEu(string code) => EuMemberStates.Contains(code);

    /// <summary>Every assigned ISO 3166-1 alpha-2 code (249), in code order.</summary>
    public static IReadOnlyList<string> Codes { get; } = Iso3166Alpha2.Split(' ');

    /// <summary>
    /// The country's English short name from the platform's CLDR data (<see cref="System.Globalization.RegionInfo"/>,
    /// ICU on Linux), or the ISO 3166 English short name for the few codes ICU has no region for (EH); the code
    /// itself only on an invariant-globalization build.
    /// </summary>
    /// <exception cref="DomainValidationException">Not an ISO 3166-1 alpha-2 code.</exception>
    public static string NameOf(string code)
    {
        var known = Require(code);
        try
        {
            return new System.Globalization.RegionInfo(known).EnglishName;
        }
        catch (ArgumentException)
        {
            return Unlisted.GetValueOrDefault(known, known);
        }
    }

    /// <summary>
    /// The prefix a VAT id of <paramref name="code"/> starts with: the country code, except Greece, whose VAT ids
    /// start with "EL" (VIES).
    /// </summary>
    public static string VatPrefixOf(string code) => code == "GR" ? "EL" : code;

    /// <summary>Upper-cases and checks a country code.</summary>
    /// <exception cref="DomainValidationException">Not an ISO 3166-1 alpha-2 code.</exception>
    public static string Require(string? code, string field = "country")
    {
        var upper = code?.Trim().ToUpperInvariant();
        return IsKnown(upper) ? upper! : throw new DomainValidationException(field, $"'{code}' is not an ISO 3166-1 alpha-2 country code.");
    }
}
