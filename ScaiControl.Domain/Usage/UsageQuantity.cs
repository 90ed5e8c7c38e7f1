using System.Globalization;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Usage;

/// <summary>
/// A usage quantity as exact fixed-point: millionths of a unit (<see cref="Scale"/> = 6 decimal places), never floating
/// point. Parsed from the decimal text the client sent (a JSON string, or the raw digits of a JSON number).
/// </summary>
/// <param name="Micro">The quantity in millionths of the meter's unit.</param>
public readonly record struct UsageQuantity(long Micro) : IComparable<UsageQuantity>
{
    /// <summary>Decimal places kept: 6 (a quantity is a multiple of 0.000001 units).</summary>
    public const int Scale = 6;

    /// <summary>Millionths per unit.</summary>
    public const long PerUnit = 1_000_000;

    /// <summary>Largest quantity of one event: 1,000,000,000 units (keeps hour and day sums of a meter inside 64 bits).</summary>
    public const long MaxUnits = 1_000_000_000;

    /// <summary>Zero.</summary>
    public static UsageQuantity Zero => new(0);

    /// <summary>A whole number of units.</summary>
    public static UsageQuantity Units(long units) => new(checked(units * PerUnit));

    /// <summary>
    /// Parses "12", "0.5", "1234.000001" (digits, an optional point and up to 6 decimals; no sign, exponent, spaces or
    /// thousands separators). Returns null with <paramref name="error"/> set when the text is not such a number, has more
    /// than 6 decimals, or exceeds <see cref="MaxUnits"/>.
    /// </summary>
    public static UsageQuantity? TryParse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text) || text.Length > 40)
        {
            error = "quantity must be a decimal number such as \"12\" or \"0.5\".";
            return null;
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || (point >= 0 && (fraction.Length == 0 || !fraction.All(char.IsAsciiDigit))))
        {
            error = text.StartsWith('-') ? "quantity must not be negative (use a correction to lower usage)."
                : text.Contains('e', StringComparison.OrdinalIgnoreCase) ? "quantity must be written without an exponent (\"1500\", not \"1.5e3\")."
                : "quantity must be a decimal number such as \"12\" or \"0.5\".";
            return null;
        }

        fraction = fraction.TrimEnd('0');
        if (fraction.Length > Scale)
        {
            error = $"quantity has more than {Scale} decimal places.";
            return null;
        }

        whole = whole.TrimStart('0');
        if (whole.Length > 10 || (whole.Length > 0 && long.Parse(whole, CultureInfo.InvariantCulture) > MaxUnits))
        {
            error = $"quantity exceeds {MaxUnits} units.";
            return null;
        }

        var units = whole.Length == 0 ? 0 : long.Parse(whole, CultureInfo.InvariantCulture);
        var micro = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(Scale, '0'), CultureInfo.InvariantCulture);
        var value = units * PerUnit + micro;
        if (value > MaxUnits * PerUnit)
        {
            error = $"quantity exceeds {MaxUnits} units.";
            return null;
        }

        return new UsageQuantity(value);
    }

    /// <summary>Parses like <see cref="TryParse"/>.</summary>
    /// <exception cref="DomainValidationException">Not a valid quantity (field "quantity").</exception>
    public static UsageQuantity Parse(string text) =>
        TryParse(text, out var error) ?? throw new DomainValidationException("quantity", error!);

    /// <summary>Whole units, rounded up (a started unit counts: 0.2 GB is 1 GB here).</summary>
    public long CeilingUnits => Micro <= 0 ? -((-Micro) / PerUnit) : (Micro + PerUnit - 1) / PerUnit;

    /// <inheritdoc/>
    public int CompareTo(UsageQuantity other) => Micro.CompareTo(other.Micro);

    /// <summary>Adds two quantities (checked).</summary>
    public static UsageQuantity operator +(UsageQuantity a, UsageQuantity b) => new(checked(a.Micro + b.Micro));

    /// <summary>Subtracts (checked).</summary>
    public static UsageQuantity operator -(UsageQuantity a, UsageQuantity b) => new(checked(a.Micro - b.Micro));

    /// <summary>Compares.</summary>
    public static bool operator <(UsageQuantity a, UsageQuantity b) => a.Micro < b.Micro;

    /// <summary>Compares.</summary>
    public static bool operator >(UsageQuantity a, UsageQuantity b) => a.Micro > b.Micro;

    /// <summary>Compares.</summary>
    public static bool operator <=(UsageQuantity a, UsageQuantity b) => a.Micro <= b.Micro;

    /// <summary>Compares.</summary>
    public static bool operator >=(UsageQuantity a, UsageQuantity b) => a.Micro >= b.Micro;

    /// <summary>The invariant decimal text, trailing zeros dropped ("12", "0.5").</summary>
    public override string ToString()
    {
        var sign = Micro < 0 ? "-" : "";
        var abs = Math.Abs(Micro);
        var fraction = (abs % PerUnit).ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0');
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / PerUnit}{(fraction.Length > 0 ? "." + fraction : "")}");
    }
}
