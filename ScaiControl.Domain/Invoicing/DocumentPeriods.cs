namespace ScaiControl.Domain.Invoicing;

/// <summary>
/// The one rule for showing a period. Data holds half-open instants [start, end) in UTC (the end is the next period's
/// start); documents and pages show the inclusive dates: the start's UTC date and the UTC date of the last instant
/// before the end (2026-12-01T00:00Z..2026-12-29T00:00Z shows "2026-12-01 – 2026-12-28"). EN 16931 period end dates
/// (BT-74, BT-135) are inclusive too. A zero-length period shows its start date twice.
/// </summary>
public static class DocumentPeriods
{
    /// <summary>The first and last day (inclusive, UTC) of the half-open period [<paramref name="start"/>, <paramref name="endExclusive"/>).</summary>
    public static (DateOnly First, DateOnly Last) InclusiveDates(DateTimeOffset start, DateTimeOffset endExclusive)
    {
        var first = DateOnly.FromDateTime(start.UtcDateTime);
        var last = DateOnly.FromDateTime(endExclusive.UtcDateTime.AddTicks(-1));
        return (first, last < first ? first : last);
    }

    /// <summary>The inclusive last day (UTC) of a period ending (exclusively) at <paramref name="endExclusive"/>.</summary>
    public static DateOnly LastDay(DateTimeOffset endExclusive) => DateOnly.FromDateTime(endExclusive.UtcDateTime.AddTicks(-1));

    /// <summary>"2026-12-01 – 2026-12-28": the inclusive dates in ISO 8601, as documents print them.</summary>
    public static string Iso(DateTimeOffset start, DateTimeOffset endExclusive)
    {
        var (first, last) = InclusiveDates(start, endExclusive);
        return $"{first:yyyy-MM-dd} – {last:yyyy-MM-dd}";
    }
}
