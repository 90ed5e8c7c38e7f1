using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Vat;

/// <summary>A VAT rate in basis points (hundredths of a percent): 2100 = 21 %, 2550 = 25.5 %. Never a double.</summary>
public readonly record struct VatRate(int BasisPoints)
{
    /// <summary>Zero per cent.</summary>
    public static VatRate Zero { get; } = new(0);

    /// <summary>The VAT on <paramref name="net"/>, rounded half away from zero to a whole minor unit (EN 16931 BR-CO-17).</summary>
    public Money TaxOn(Money net) => net.Fraction(BasisPoints, 10_000);

    /// <summary>The rate as an invariant percentage string with two decimals, as EN 16931 BT-119/BT-152 expect ("21.00").</summary>
    public string Percent => Rounding.FormatMinorUnits(BasisPoints, 2);

    /// <inheritdoc/>
    public override string ToString() => $"{Percent} %";
}

/// <summary>
/// Standard VAT rates of the 27 EU member states, as dated data (a rate applies from its date until the next entry
/// of the same country).
/// Source: European Commission, DG TAXUD, "VAT rates applied in the Member States of the European Union", situation
/// at 1 July 2025 (taxation-customs.ec.europa.eu), with the changes since 2020: DE 16 % (2020-07-01 to 2020-12-31),
/// IE 21 % (2020-09-01 to 2021-02-28), LU 16 % (2023), EE 22 % from 2024-01-01 and 24 % from 2025-07-01, FI 25.5 % from
/// 2024-09-01, SK 23 % from 2025-01-01, RO 21 % from 2025-08-01. Review when the Commission publishes a new table.
/// </summary>
public static class VatRates
{
    private static readonly DateOnly Before = new(2020, 1, 1);

    private static readonly (string Country, DateOnly From, int BasisPoints)[] Standard =
    [
        ("AT", Before, 2000), ("BE", Before, 2100), ("BG", Before, 2000), ("CY", Before, 1900), ("CZ", Before, 2100),
        ("DE", Before, 1900), ("DE", new(2020, 7, 1), 1600), ("DE", new(2021, 1, 1), 1900), ("DK", Before, 2500), ("EE", Before, 2000), ("EE", new(2024, 1, 1), 2200), ("EE", new(2025, 7, 1), 2400),
        ("ES", Before, 2100), ("FI", Before, 2400), ("FI", new(2024, 9, 1), 2550), ("FR", Before, 2000), ("GR", Before, 2400),
        ("HR", Before, 2500), ("HU", Before, 2700), ("IE", Before, 2300), ("IE", new(2020, 9, 1), 2100), ("IE", new(2021, 3, 1), 2300), ("IT", Before, 2200), ("LT", Before, 2100),
        ("LU", Before, 1700), ("LU", new(2023, 1, 1), 1600), ("LU", new(2024, 1, 1), 1700), ("LV", Before, 2100), ("MT", Before, 1800), ("NL", Before, 2100), ("PL", Before, 2300),
        ("PT", Before, 2300), ("RO", Before, 1900), ("RO", new(2025, 8, 1), 2100), ("SE", Before, 2500), ("SI", Before, 2200),
        ("SK", Before, 2000), ("SK", new(2025, 1, 1), 2300),
    ];

    /// <summary>The standard rate of an EU member state on <paramref name="date"/>.</summary>
    /// <exception cref="ArgumentException">The country is not an EU member state, or the date precedes the data.</exception>
    public static VatRate StandardRate(string country, DateOnly date)
    {
        var match = Standard.Where(r => r.Country == country && r.From <= date).OrderByDescending(r => r.From).Select(r => (int?)r.BasisPoints).FirstOrDefault();
        return match is { } bp ? new VatRate(bp) : throw new ArgumentException($"No standard VAT rate for '{country}' on {date:yyyy-MM-dd}.", nameof(country));
    }
}
