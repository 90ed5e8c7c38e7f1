using System.Globalization;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Persistence.Interceptors;

namespace ScaiControl.Web.Components.Shared;

/// <summary>
/// How the portal shows values and failures: money from integer minor units as "EUR 29.00" (via <see cref="Money"/>),
/// times as UTC ISO 8601, and an exception as the plain sentence a user reads (domain errors verbatim).
/// </summary>
public static class Ui
{
    /// <summary>"EUR 29.00" from minor units and an ISO 4217 code.</summary>
    public static string Money(long minorUnits, string currency) => new Money(minorUnits, currency).ToString();

    /// <summary>The UTC calendar date, "2026-11-22".</summary>
    public static string Date(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A date as "2026-11-22".</summary>
    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The UTC instant to the minute, "2026-11-22T14:05Z".</summary>
    public static string Instant(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>An interval wire name as a reader says it: "month" → "per month".</summary>
    public static string Per(string interval) => $"per {interval}";

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
            $"{c.Message} Current state: {state}; allowed actions: {(c.AllowedActions.Count == 0 ? "none" : string.Join(", ", c.AllowedActions))}.",
        DomainException d => d.Message,
        UnauthorizedAccessException u => u.Message,
        TenantScopeViolationException => "The resource was not found.",
        _ => "Something went wrong on our side. Try again; if it keeps failing, contact the operator.",
    };

    /// <summary>True for the failures <see cref="Describe"/> explains to the user (no need to log them as errors).</summary>
    public static bool IsExpected(Exception exception) =>
        exception is DomainException or UnauthorizedAccessException or TenantScopeViolationException;
}
