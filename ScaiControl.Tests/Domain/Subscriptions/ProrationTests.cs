using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;

namespace ScaiControl.Tests.Domain.Subscriptions;

/// <summary>Proration by the second, every expected cent computed by hand (see each row's comment).</summary>
public sealed class ProrationTests
{
    private static readonly DateTimeOffset Nov1 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Dec1 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Jan1 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Jan1Next = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IEnumerable<object[]> Cases =>
    [
        // name, old price, old interval, new price, new interval, period start, period end, change at, credit, charge, net
        // 30-day November; 15 of 30 days left: credit 2900/2 = 1450, charge 4900/2 = 2450.
        ["upgrade mid-month", 2900L, "month", 4900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-16T00:00:00Z", 1450L, 2450L, 1000L],
        ["downgrade mid-month", 4900L, "month", 2900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-16T00:00:00Z", 2450L, 1450L, -1000L],
        // At the very start the whole period is left.
        ["upgrade at period start", 2900L, "month", 4900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-01T00:00:00Z", 2900L, 4900L, 2000L],
        // 1 s of 2,592,000 s left: 2900/2592000 = 0.0011 -> 0; 4900/2592000 = 0.0019 -> 0.
        ["upgrade in the last second", 2900L, "month", 4900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-30T23:59:59Z", 0L, 0L, 0L],
        // 10 of 30 days left: 2900/3 = 966.67 -> 967; 4900/3 = 1633.33 -> 1633.
        ["upgrade with a third left", 2900L, "month", 4900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-21T00:00:00Z", 967L, 1633L, 666L],
        // 19.5 days = 1,684,800 s of 2,592,000 s = 0.65: 990 * 0.65 = 643.5 -> 644 (half away from zero); 2900 * 0.65 = 1885.
        ["upgrade at noon, half-cent rounding", 990L, "month", 2900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-11T12:00:00Z", 644L, 1885L, 1241L],
        ["swap to a plan of the same price", 2900L, "month", 2900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-16T00:00:00Z", 1450L, 1450L, 0L],
        ["downgrade to a free plan", 2900L, "month", 0L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-16T00:00:00Z", 1450L, 0L, -1450L],
        // 2026 has 365 days; 183 left on 2 July: 29000*183/365 = 14539.73 -> 14540; 49000*183/365 = 24567.12 -> 24567.
        ["yearly upgrade in July", 29000L, "year", 49000L, "year", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2026-07-02T00:00:00Z", 14540L, 24567L, 10027L],
        // Interval change: credit the unused half month (1450), charge the full yearly price for a new period.
        ["monthly to yearly", 2900L, "month", 29000L, "year", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-16T00:00:00Z", 1450L, 29000L, 27550L],
        // Yearly to monthly on 2 July: credit 14540 (as above), charge one month 2900.
        ["yearly to monthly", 29000L, "year", 2900L, "month", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2026-07-02T00:00:00Z", 14540L, 2900L, -11640L],
        // February 2027 has 28 days; 21 left on the 8th = 3/4: 2900*0.75 = 2175; 4900*0.75 = 3675.
        ["upgrade in February", 2900L, "month", 4900L, "month", "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z", "2027-02-08T00:00:00Z", 2175L, 3675L, 1500L],
        // Same 0.65 share: 990 -> 643.5 -> 644 credited, nothing charged.
        ["downgrade to free at noon", 990L, "month", 0L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-11T12:00:00Z", 644L, 0L, -644L],
        // Leap February 2028 has 29 days; 15 left on the 15th: 2900*15/29 = 1500; 4900*15/29 = 2534.48 -> 2534.
        ["upgrade in a leap February", 2900L, "month", 4900L, "month", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z", "2028-02-15T00:00:00Z", 1500L, 2534L, 1034L],
        // 2028 has 366 days; 183 left on 2 July = exactly half: 29000/2 = 14500; 49000/2 = 24500.
        ["yearly upgrade in a leap year", 29000L, "year", 49000L, "year", "2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z", "2028-07-02T00:00:00Z", 14500L, 24500L, 10000L],
        // 14.75 days = 1,274,400 s of 2,592,000 s left at 06:00 on the 16th: 2900 * 0.491667 = 1425.83 -> 1426; 4900 * 0.491667 = 2409.17 -> 2409.
        ["upgrade at 06:00", 2900L, "month", 4900L, "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-11-16T06:00:00Z", 1426L, 2409L, 983L],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void PlanChange_ProratesByTheSecond(string name, long oldPrice, string oldInterval, long newPrice, string newInterval,
        string start, string end, string at, long credit, long charge, long net)
    {
        var result = Proration.Calculate(Money.Of(oldPrice, "EUR"), BillingIntervals.Parse(oldInterval), Money.Of(newPrice, "EUR"), BillingIntervals.Parse(newInterval),
            DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(credit == result.CreditMinor, $"{name}: credit {result.CreditMinor}");
        Assert.True(charge == result.ChargeMinor, $"{name}: charge {result.ChargeMinor}");
        Assert.True(net == result.NetMinor, $"{name}: net {result.NetMinor}");
    }

    [Fact]
    public void AnIntervalChange_StartsANewPeriodAtTheChange()
    {
        var at = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
        var result = Proration.Calculate(Money.Of(2900, "EUR"), BillingInterval.Month, Money.Of(29000, "EUR"), BillingInterval.Year, Nov1, Dec1, at);
        Assert.Equal(ProrationRule.NewPeriod, result.Rule);
        Assert.Equal(at, result.PeriodStart);
        Assert.Equal(new DateTimeOffset(2027, 11, 16, 0, 0, 0, TimeSpan.Zero), result.PeriodEnd);
    }

    [Fact]
    public void TheSameInterval_KeepsThePeriod()
    {
        var result = Proration.Calculate(Money.Of(29000, "EUR"), BillingInterval.Year, Money.Of(49000, "EUR"), BillingInterval.Year, Jan1, Jan1Next, Jan1.AddDays(100));
        Assert.Equal((Jan1, Jan1Next), (result.PeriodStart, result.PeriodEnd));
    }

    [Fact]
    public void AChangeOutsideThePeriod_IsRefused()
    {
        Assert.Throws<DomainConflictException>(() => Proration.Calculate(Money.Of(1, "EUR"), BillingInterval.Month, Money.Of(2, "EUR"), BillingInterval.Month, Nov1, Dec1, Dec1));
        Assert.Throws<DomainConflictException>(() => Proration.Calculate(Money.Of(1, "EUR"), BillingInterval.Month, Money.Of(2, "EUR"), BillingInterval.Month, Nov1, Dec1, Nov1.AddSeconds(-1)));
    }

    [Fact]
    public void PlansInDifferentCurrencies_CannotBeProrated() =>
        Assert.Throws<CurrencyMismatchException>(() => Proration.Calculate(Money.Of(1, "EUR"), BillingInterval.Month, Money.Of(2, "USD"), BillingInterval.Month, Nov1, Dec1, Nov1));
}
