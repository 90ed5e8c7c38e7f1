using ScaiControl.Domain.Common;

namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// Reads a price typed as a decimal ("29", "29.9", "29.90", "1,234.50" is refused) into integer minor units exactly,
/// by string arithmetic on the digits, never through floating point. The currency's ISO 4217 minor digits bound the
/// fraction (2 for EUR, 0 for JPY).
/// </summary>
public static class MoneyInput
{
    /// <summary>Parses <paramref name="text"/> in <paramref name="currency"/> to minor units.</summary>
    /// <exception cref="DomainValidationException">Not a non-negative decimal with at most the currency's minor digits (field <paramref name="field"/>, "price" by default).</exception>
    public static long ToMinorUnits(string? text, string currency, string field = "price")
    {
        var digits = Currencies.MinorDigits(currency);
        var trimmed = text?.Trim() ?? string.Empty;
        var separator = trimmed.IndexOfAny(['.', ',']);
        var whole = separator < 0 ? trimmed : trimmed[..separator];
        var fraction = separator < 0 ? string.Empty : trimmed[(separator + 1)..];
        if (whole.Length is 0 or > 15 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (separator >= 0 && fraction.Length == 0))
        {
            throw new DomainValidationException(field, $"Enter the amount as a number such as 29.00 ({currency}).");
        }

        if (fraction.Length > digits)
        {
            throw new DomainValidationException(field, digits == 0
                ? $"{currency} has no minor unit: enter a whole amount."
                : $"{currency} has {digits} decimals: enter at most {digits} digits after the point.");
        }

        long minor = 0;
        foreach (var c in whole + fraction.PadRight(digits, '0'))
        {
            minor = checked((minor * 10) + (c - '0'));
        }

        return minor;
    }

    /// <summary>Minor units back to the decimal text of the form ("29.00").</summary>
    public static string ToText(long minorUnits, string currency) => Rounding.FormatMinorUnits(minorUnits, Currencies.MinorDigits(currency));
}
