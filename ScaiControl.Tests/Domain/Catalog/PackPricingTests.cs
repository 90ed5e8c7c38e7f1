using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Catalog;

/// <summary>
/// The pack price rule with hand-computed cents: fixed_price replaces the sum; percentage takes
/// sum × bp / 10 000, rounded half away from zero to a whole cent, ONCE off the sum (never per item).
/// </summary>
public sealed class PackPricingTests
{
    public static TheoryData<string, long?, int?, long[], long, long, long> Cases => new()
    {
        // pricing, fixed, bp, plan prices (cents) → catalog sum, price, saving — each worked out by hand
        { "percentage", null, 1500, [2900, 4900, 990], 8790, 7471, 1319 },  // 8790 × 0.15 = 1318.5 → 1319
        { "percentage", null, 1000, [999, 999], 1998, 1798, 200 },          // 199.8 → 200
        { "percentage", null, 2500, [1, 1], 2, 1, 1 },                      // 0.5 → 1 (half away from zero)
        { "percentage", null, 1250, [4, 8], 12, 10, 2 },                    // 1.5 → 2
        { "percentage", null, 3333, [1000, 2000], 3000, 2000, 1000 },       // 999.9 → 1000
        { "percentage", null, 1, [4999, 5000], 9999, 9998, 1 },             // 0.9999 → 1
        { "percentage", null, 1, [2500, 2499], 4999, 4999, 0 },             // 0.4999 → 0
        { "percentage", null, 9999, [5000, 5000], 10000, 1, 9999 },         // 9999 exactly
        { "percentage", null, 1500, [990, 990, 990], 2970, 2524, 446 },     // on the sum 445.5 → 446 (per item it would be 3 × 149 = 447)
        { "percentage", null, 1250, [29000, 49000, 9900], 87900, 76912, 10988 }, // 10987.5 → 10988
        { "fixed_price", 5000, null, [2900, 4900], 7800, 5000, 2800 },
        { "fixed_price", 7800, null, [2900, 4900], 7800, 7800, 0 },
        { "fixed_price", 52900, null, [49000, 9900], 58900, 52900, 6000 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Quote_FollowsTheStatedRule(string pricing, long? fixedPrice, int? bp, long[] prices, long sum, long price, long saving)
    {
        var quote = PackPrices.Quote(PackPrices.Parse(pricing), fixedPrice, bp, prices, "EUR");

        Assert.Equal(sum, quote.CatalogSumMinor);
        Assert.Equal(price, quote.PriceMinor);
        Assert.Equal(saving, quote.SavingMinor);
    }

    [Fact]
    public void APack_QuotesFromItsPlansCurrentPrices()
    {
        var (pack, pairs) = Build(PackPricing.Percentage, null, 1500, (2900, "EUR", BillingInterval.Month), (4900, "EUR", BillingInterval.Month), (990, "EUR", BillingInterval.Month));
        pack.SetItems(pairs, Now);

        var quote = pack.Quote(pairs.Select(p => p.Plan));

        Assert.Equal(7471, quote.PriceMinor);
        Assert.Equal([1, 2, 3], pack.Items.Select(i => i.Position));
        Assert.Equal(pairs.Select(p => p.Plan.Id), pack.Items.Select(i => i.PlanId));
    }

    [Theory]
    [InlineData("EUR", BillingInterval.Year, "items[1].plan_id")]  // another interval
    [InlineData("USD", BillingInterval.Month, "items[1].plan_id")] // another currency
    public void Items_ShareThePacksCurrencyAndInterval(string currency, BillingInterval interval, string field)
    {
        var (pack, pairs) = Build(PackPricing.Percentage, null, 1000, (2900, "EUR", BillingInterval.Month), (4900, currency, interval));

        Assert.Equal(field, Assert.Throws<DomainValidationException>(() => pack.SetItems(pairs, Now)).Field);
        Assert.Empty(pack.Items);
    }

    [Fact]
    public void OneItemPerService_AndAtLeastTwo()
    {
        var (pack, pairs) = Build(PackPricing.Percentage, null, 1000, (2900, "EUR", BillingInterval.Month), (4900, "EUR", BillingInterval.Month));
        var sameService = new Plan(pairs[0].Service.Id, "other", "Other", Money.Of(100, "EUR"), BillingInterval.Month, 0, Now);

        Assert.Equal("items[1].plan_id", Assert.Throws<DomainValidationException>(() => pack.SetItems([pairs[0], (pairs[0].Service, sameService)], Now)).Field);
        Assert.Equal("items", Assert.Throws<DomainValidationException>(() => pack.SetItems([pairs[0]], Now)).Field);
        Assert.Equal("items[1].plan_id", Assert.Throws<DomainValidationException>(() => pack.SetItems([pairs[0], (pairs[0].Service, pairs[1].Plan)], Now)).Field);
    }

    [Fact]
    public void MoreThanFiftyItems_AreRefused()
    {
        var (pack, pairs) = Build(PackPricing.Percentage, null, 1000, Enumerable.Repeat((100L, "EUR", BillingInterval.Month), 51).ToArray());

        Assert.Equal("items", Assert.Throws<DomainValidationException>(() => pack.SetItems(pairs, Now)).Field);
        pack.SetItems(pairs.Take(50).ToList(), Now);
        Assert.Equal(50, pack.Items.Count);
    }

    [Fact]
    public void ARetiredPlan_CannotJoinAPack()
    {
        var (pack, pairs) = Build(PackPricing.Percentage, null, 1000, (2900, "EUR", BillingInterval.Month), (4900, "EUR", BillingInterval.Month));
        pairs[1].Plan.Retire();

        Assert.Equal("items[1].plan_id", Assert.Throws<DomainValidationException>(() => pack.SetItems(pairs, Now)).Field);
    }

    [Fact]
    public void AFixedPrice_AboveTheSumOfTheParts_IsRefused()
    {
        var (pack, pairs) = Build(PackPricing.FixedPrice, 7801, null, (2900, "EUR", BillingInterval.Month), (4900, "EUR", BillingInterval.Month));

        Assert.Equal("fixed_price", Assert.Throws<DomainValidationException>(() => pack.SetItems(pairs, Now)).Field);
    }

    [Theory]
    [InlineData(PackPricing.FixedPrice, null, null, "fixed_price")]
    [InlineData(PackPricing.FixedPrice, 0L, null, "fixed_price")]
    [InlineData(PackPricing.FixedPrice, 5000L, 1000, "discount_basis_points")]
    [InlineData(PackPricing.Percentage, null, null, "discount_basis_points")]
    [InlineData(PackPricing.Percentage, null, 0, "discount_basis_points")]
    [InlineData(PackPricing.Percentage, null, 10000, "discount_basis_points")]
    [InlineData(PackPricing.Percentage, 5000L, 1000, "fixed_price")]
    public void IncompleteOrContradictoryTerms_AreRefusedNamingTheField(PackPricing pricing, long? fixedPrice, int? bp, string field)
    {
        var e = Assert.Throws<DomainValidationException>(() => new ServicePack("duo", "Duo", "", pricing, fixedPrice, bp, "EUR", BillingInterval.Month, Now));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void UnknownPricing_IsRefused() =>
        Assert.Equal("pricing", Assert.Throws<DomainValidationException>(() => PackPrices.Parse("bundle")).Field);

    private static readonly DateTimeOffset Now = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    internal static (ServicePack Pack, List<(Service Service, Plan Plan)> Pairs) Build(PackPricing pricing, long? fixedPrice, int? bp, params (long Price, string Currency, BillingInterval Interval)[] plans)
    {
        var pack = new ServicePack("duo", "Duo", "Two services", pricing, fixedPrice, bp, "EUR", BillingInterval.Month, Now);
        var pairs = plans.Select((p, i) =>
        {
            var service = new Service($"svc-{i}", $"Service {i}", "", null, Now);
            return (service, new Plan(service.Id, $"plan-{i}", $"Plan {i}", Money.Of(p.Price, p.Currency), p.Interval, 14, Now));
        }).ToList();
        return (pack, pairs);
    }
}
