namespace ScaiControl.Domain.Common;

/// <summary>
/// An amount of money: integer minor units (cents) plus an ISO 4217 currency code. There is no floating point
/// anywhere in it; arithmetic refuses mixed currencies (<see cref="CurrencyMismatchException"/>).
/// </summary>
/// <param name="MinorUnits">The amount in minor units (e.g. 2900 = EUR 29.00).</param>
/// <param name="Currency">Upper-case ISO 4217 alphabetic code, e.g. "EUR".</param>
public readonly record struct Money(long MinorUnits, string Currency)
{
    /// <summary>Creates an amount after checking the currency is a known ISO 4217 code.</summary>
    /// <exception cref="DomainValidationException">The currency is not a supported ISO 4217 code.</exception>
    public static Money Of(long minorUnits, string currency) => new(minorUnits, Currencies.Require(currency));

    /// <summary>Zero in the given currency.</summary>
    public static Money Zero(string currency) => Of(0, currency);

    public static Money operator +(Money a, Money b) => new(checked(a.MinorUnits + Same(a, b).MinorUnits), a.Currency);

    public static Money operator -(Money a, Money b) => new(checked(a.MinorUnits - Same(a, b).MinorUnits), a.Currency);

    /// <summary>Adds two amounts of the same currency.</summary>
    public Money Add(Money other) => this + other;

    /// <summary>Subtracts an amount of the same currency.</summary>
    public Money Subtract(Money other) => this - other;

    /// <summary>Multiplies by an integer quantity (no rounding needed).</summary>
    public Money Times(long quantity) => new(checked(MinorUnits * quantity), Currency);

    /// <summary>
    /// The share <paramref name="numerator"/>/<paramref name="denominator"/> of this amount, rounded half away from
    /// zero to a whole minor unit (see <see cref="Rounding.DivideHalfAwayFromZero"/>).
    /// </summary>
    public Money Fraction(long numerator, long denominator) =>
        new(Rounding.DivideHalfAwayFromZero(checked(MinorUnits * numerator), denominator), Currency);

    /// <summary>Invariant text such as "EUR 1234.56".</summary>
    public override string ToString() => $"{Currency} {Rounding.FormatMinorUnits(MinorUnits, Currencies.MinorDigits(Currency))}";

    private static Money Same(Money a, Money b) =>
        string.Equals(a.Currency, b.Currency, StringComparison.Ordinal) ? b : throw new CurrencyMismatchException(a.Currency, b.Currency);
}

/// <summary>Raised when amounts of two different currencies are combined.</summary>
public sealed class CurrencyMismatchException(string left, string right)
    : InvalidOperationException($"Cannot combine amounts in {left} and {right}.");
