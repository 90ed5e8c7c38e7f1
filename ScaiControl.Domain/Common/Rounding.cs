using System.Globalization;

namespace ScaiControl.Domain.Common;

/// <summary>
/// The one place money is rounded. Rule: half away from zero, to a whole minor unit, applied per invoice line to the
/// line net amount (EN 16931 BT-131) and per VAT breakdown group to the VAT amount (EN 16931 BR-CO-17: BT-117 =
/// BT-116 × BT-119 / 100, rounded to two decimals). Integer arithmetic only.
/// </summary>
public static class Rounding
{
    /// <summary>Returns <paramref name="numerator"/> / <paramref name="denominator"/> rounded half away from zero.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The denominator is not positive.</exception>
    public static long DivideHalfAwayFromZero(long numerator, long denominator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(denominator);
        var quotient = Math.DivRem(numerator, denominator, out var remainder);
        // |remainder| >= denominator - |remainder| (i.e. the fraction is at least one half, without overflow): away from zero.
        var abs = Math.Abs(remainder);
        if (abs >= denominator - abs)
        {
            quotient += Math.Sign(numerator);
        }

        return quotient;
    }

    /// <summary>Formats minor units as an invariant decimal string with the currency's minor digits ("1234.50").</summary>
    public static string FormatMinorUnits(long minorUnits, int minorDigits)
    {
        if (minorDigits == 0)
        {
            return minorUnits.ToString(CultureInfo.InvariantCulture);
        }

        var factor = (long)Math.Pow(10, minorDigits);
        var sign = minorUnits < 0 ? "-" : string.Empty;
        var abs = Math.Abs(minorUnits);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / factor}.{(abs % factor).ToString(new string('0', minorDigits), CultureInfo.InvariantCulture)}");
    }
}
