using System.Globalization;
using System.Text.RegularExpressions;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Invoicing;

/// <summary>
/// The gap-free invoice number format of the spec: PREFIX-YYYY-NNNNNN (prefix "SCAI" by default, per seller per
/// year; credit notes use PREFIX-CN-YYYY-NNNNNN). The counter itself lives in the database (one row per series).
/// </summary>
public static partial class InvoiceNumbers
{
    /// <summary>The largest sequence number a year can hold (six digits).</summary>
    public const int MaxSequence = 999_999;

    /// <summary>The series key of a seller's documents of one type ("SCAI" or "SCAI-CN").</summary>
    public static string Series(string prefix, DocumentType type) => type switch
    {
        DocumentType.Invoice => prefix,
        DocumentType.CreditNote => prefix + "-CN",
    };

    /// <summary>Formats e.g. ("SCAI", 2026, 42) as "SCAI-2026-000042".</summary>
    /// <exception cref="ArgumentOutOfRangeException">Sequence outside 1..999999 or year outside 2000..9999.</exception>
    public static string Format(string series, int year, long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 2000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9999);
        return string.Create(CultureInfo.InvariantCulture, $"{series}-{year:D4}-{sequence:D6}");
    }

    /// <summary>True for a well-formed number.</summary>
    public static bool IsValid(string? number) => number is not null && Pattern().IsMatch(number);

    /// <summary>Returns the number when well-formed.</summary>
    /// <exception cref="DomainValidationException">Malformed.</exception>
    public static string Require(string number) =>
        IsValid(number) ? number : throw new DomainValidationException("number", $"'{number}' is not a PREFIX-YYYY-NNNNNN invoice number.");

    [GeneratedRegex(@"\A[A-Z0-9]{2,10}(-CN)?-\d{4}-(?!000000)\d{6}\z")]
    private static partial Regex Pattern();
}
