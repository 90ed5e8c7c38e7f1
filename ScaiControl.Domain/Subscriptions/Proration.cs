using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Subscriptions;

/// <summary>How a plan change's period is handled.</summary>
public enum ProrationRule
{
    /// <summary>Same interval: the current period continues; the unused part of the old price is credited and the new price charged for the remaining part.</summary>
    SamePeriod,

    /// <summary>Interval change (monthly ↔ yearly): a new period of the new interval starts at the change; the unused part of the old price is credited and the new price charged in full.</summary>
    NewPeriod,
}

/// <summary>
/// The money of a plan change at <see cref="At"/>: <see cref="CreditMinor"/> for the unused part of the old plan and
/// <see cref="ChargeMinor"/> for the new plan, each rounded half away from zero to a whole minor unit (they become two
/// invoice lines); <see cref="NetMinor"/> = charge − credit (positive: to pay on the next invoice; negative: a credit).
/// </summary>
public sealed record ProrationResult(ProrationRule Rule, DateTimeOffset At, long CreditMinor, long ChargeMinor, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Currency)
{
    /// <summary>Charge minus credit, minor units.</summary>
    public long NetMinor => ChargeMinor - CreditMinor;
}

/// <summary>
/// Proration by the second of the period remaining (issue 4): remaining share = (period end − change time) /
/// (period end − period start), both in whole seconds. Same interval: credit old × share, charge new × share, the
/// period continues. Interval change: credit old × share, charge the new price in full for a new period of the new
/// interval starting at the change (so a monthly → yearly upgrade starts a year from the change).
/// </summary>
public static class Proration
{
    /// <summary>Computes the plan change of a subscription in period [<paramref name="periodStart"/>, <paramref name="periodEnd"/>) at <paramref name="at"/>.</summary>
    /// <exception cref="DomainConflictException">The change time is outside the period.</exception>
    /// <exception cref="CurrencyMismatchException">The plans are priced in different currencies.</exception>
    public static ProrationResult Calculate(Money oldPrice, BillingInterval oldInterval, Money newPrice, BillingInterval newInterval,
        DateTimeOffset periodStart, DateTimeOffset periodEnd, DateTimeOffset at)
    {
        if (oldPrice.Currency != newPrice.Currency)
        {
            throw new CurrencyMismatchException(oldPrice.Currency, newPrice.Currency);
        }

        if (at < periodStart || at >= periodEnd)
        {
            throw new DomainConflictException($"A plan change at {at:O} lies outside the current period {periodStart:O} – {periodEnd:O}.");
        }

        var periodSeconds = (long)(periodEnd - periodStart).TotalSeconds;
        var remainingSeconds = (long)(periodEnd - at).TotalSeconds;
        var credit = oldPrice.Fraction(remainingSeconds, periodSeconds).MinorUnits;
        return oldInterval == newInterval
            ? new ProrationResult(ProrationRule.SamePeriod, at, credit, newPrice.Fraction(remainingSeconds, periodSeconds).MinorUnits, periodStart, periodEnd, newPrice.Currency)
            : new ProrationResult(ProrationRule.NewPeriod, at, credit, newPrice.MinorUnits, at, newInterval.PeriodEnd(at), newPrice.Currency);
    }
}
