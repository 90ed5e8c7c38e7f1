using System.Globalization;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Persistence.Interceptors;

namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// How the portal shows values and failures: money from integer minor units in the user's culture ("€ 29,00" in
/// nl-NL, "29,00 €" in de-DE, "€29.00" in en-GB), dates in the culture's short pattern, instants in the user's time
/// zone with the zone shown, and an exception as the plain sentence a user reads (domain errors verbatim).
/// The culture is <see cref="CultureInfo.CurrentCulture"/> (set per request and circuit by
/// <see cref="Localization.PortalCulture"/>); the zone is <see cref="Zone"/> (set the same way from the user's
/// "zoneinfo" claim).
/// </summary>
public static class Ui
{
    private static readonly AsyncLocal<TimeZoneInfo?> CurrentZone = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Symbols = new(StringComparer.Ordinal);

    /// <summary>The user's time zone for this request or circuit; UTC when none is known.</summary>
    public static TimeZoneInfo Zone
    {
        get => CurrentZone.Value ?? TimeZoneInfo.Utc;
        set => CurrentZone.Value = value;
    }

    /// <summary>An amount from minor units and an ISO 4217 code in the current culture, e.g. "€ 29,00" (nl-NL).</summary>
    public static string Money(long minorUnits, string currency) => Money(minorUnits, currency, CultureInfo.CurrentCulture);

    /// <summary>An amount from minor units and an ISO 4217 code in <paramref name="culture"/>; exact (decimal, no floating point).</summary>
    public static string Money(long minorUnits, string currency, CultureInfo culture)
    {
        var digits = Currencies.MinorDigits(currency);
        var format = (NumberFormatInfo)(culture.IsNeutralCulture ? CultureInfo.InvariantCulture : culture).NumberFormat.Clone();
        format.CurrencySymbol = Symbol(currency);
        format.CurrencyDecimalDigits = digits;
        var value = minorUnits / Pow10(digits);
        return value.ToString("C", format);
    }

    /// <summary>The display symbol of an ISO 4217 code ("€", "$", "kr"); the code itself when no culture knows one.</summary>
    public static string Symbol(string currency) => Symbols.GetOrAdd(currency, static code =>
    {
        // The usual European and international symbols; other codes take the symbol of a region using them.
        switch (code)
        {
            case "EUR": return "€";
            case "USD": return "$";
            case "GBP": return "£";
            case "JPY": return "¥";
            case "CHF": return "CHF";
            case "SEK" or "NOK" or "DKK" or "ISK": return "kr";
        }

        foreach (var c in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            try
            {
                var region = new RegionInfo(c.Name);
                if (region.ISOCurrencySymbol == code && !string.IsNullOrEmpty(region.CurrencySymbol))
                {
                    return region.CurrencySymbol;
                }
            }
            catch (ArgumentException)
            {
                // A culture without a region.
            }
        }

        return code;
    });

    private static decimal Pow10(int digits)
    {
        var factor = 1m;
        for (var i = 0; i < digits; i++)
        {
            factor *= 10;
        }

        return factor;
    }

    /// <summary>The calendar date of an instant in the user's zone, in the culture's short date pattern.</summary>
    public static string Date(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime).ToString("d", CultureInfo.CurrentCulture);

    /// <summary>A date in the culture's short date pattern ("01/12/2026" in en-GB, "01.12.2026" in de-DE).</summary>
    public static string Date(DateOnly date) => date.ToString("d", CultureInfo.CurrentCulture);

    /// <summary>
    /// A billing period stored as half-open UTC instants [start, end), shown as its inclusive dates ("1.12.2026 – 28.12.2026")
    /// in the user's culture: the one rule documents use too (<see cref="Domain.Invoicing.DocumentPeriods"/>).
    /// </summary>
    public static string Period(DateTimeOffset start, DateTimeOffset endExclusive)
    {
        var (first, last) = Domain.Invoicing.DocumentPeriods.InclusiveDates(start, endExclusive);
        return $"{Date(first)} – {Date(last)}";
    }

    /// <summary>An instant to the minute in the user's zone with its UTC offset shown, "01/12/2026 14:05 UTC+1".</summary>
    public static string Instant(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone);
        return $"{local.DateTime.ToString("g", CultureInfo.CurrentCulture)} {Offset(local.Offset)}";
    }

    /// <summary>"UTC", "UTC+1", "UTC-5", "UTC+5:30".</summary>
    public static string Offset(TimeSpan offset)
    {
        if (offset == TimeSpan.Zero)
        {
            return "UTC";
        }

        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var abs = offset.Duration();
        return abs.Minutes == 0
            ? string.Create(CultureInfo.InvariantCulture, $"UTC{sign}{abs.Hours}")
            : string.Create(CultureInfo.InvariantCulture, $"UTC{sign}{abs.Hours}:{abs.Minutes:00}");
    }

    /// <summary>The RFC 3339 UTC text of an instant (for tooltips and CSV export), "2026-12-01T13:05:00Z".</summary>
    public static string Rfc3339(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>An interval wire name as a reader says it: "month" → "per month".</summary>
    public static string Per(string interval) => Localization.Strings.Text($"Per.{interval}") ?? $"per {interval}";

    /// <summary>Whole days from <paramref name="now"/> until <paramref name="end"/> (rounded up, never negative).</summary>
    public static int DaysLeft(DateTimeOffset end, DateTimeOffset now) => Math.Max(0, (int)Math.Ceiling((end - now).TotalDays));

    /// <summary>
    /// The message to show for a failed call: the domain's own text for expected failures (validation, conflict with
    /// the current state and allowed actions, not found, missing permission), a neutral sentence for anything else
    /// (the caller logs it).
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        DomainConflictException { CurrentState: { } state } c =>
            Localization.Strings.Text("Error.Conflict", c.Message, state, c.AllowedActions.Count == 0 ? Localization.Strings.Text("Error.NoActions") : string.Join(", ", c.AllowedActions))
                ?? $"{c.Message} Current state: {state}; allowed actions: {(c.AllowedActions.Count == 0 ? "none" : string.Join(", ", c.AllowedActions))}.",
        DomainException d => d.Message,
        UnauthorizedAccessException u => u.Message,
        TenantScopeViolationException => Localization.Strings.Text("Error.NotFound") ?? "The resource was not found.",
        _ => Localization.Strings.Text("Error.Unexpected") ?? "Something went wrong on our side. Try again; if it keeps failing, contact the operator.",
    };

    /// <summary>True for the failures <see cref="Describe"/> explains to the user (no need to log them as errors).</summary>
    public static bool IsExpected(Exception exception) =>
        exception is DomainException or UnauthorizedAccessException or TenantScopeViolationException;
}
