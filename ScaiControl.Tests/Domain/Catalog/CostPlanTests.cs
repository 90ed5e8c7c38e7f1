using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;

namespace ScaiControl.Tests.Domain.Catalog;

/// <summary>Cost-plus pricing (spec 002 migration 007): price = unit cost × (1 + margin bp / 10000), half away from zero to a cent.</summary>
public sealed class CostPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1999L, 2500, 2499L)] // 2498.75 -> 2499
    [InlineData(1000L, 0, 1000L)]
    [InlineData(333L, 5000, 500L)] // 499.5 -> 500 (half away from zero)
    [InlineData(1L, 4999, 1L)] // 1.4999 -> 1
    [InlineData(0L, 1000, 0L)]
    [InlineData(12345L, 100000, 135795L)] // 1000 % margin: × 11
    public void RefreshCostPrice_ComputesThePrice(long cost, int margin, long price)
    {
        var plan = new Plan("svc_1", "gpu-hour", "GPU hour", Money.Of(1, "EUR"), BillingInterval.Month, 0, Now);
        plan.RefreshCostPrice(cost, margin, Now);
        Assert.Equal((price, PricingModel.CostPlus, cost, margin, Now), (plan.PriceMinor, plan.PricingModel, plan.UnitCostMinor!.Value, plan.MarginBasisPoints!.Value, plan.PriceRefreshedAt!.Value));
    }

    [Theory]
    [InlineData(-1L, 100, "unit_cost")]
    [InlineData(100L, -1, "margin_bps")]
    [InlineData(100L, 100001, "margin_bps")]
    [InlineData(1_000_000_000_000L, 1, "unit_cost")]
    public void RefreshCostPrice_RefusesOutOfRange(long cost, int margin, string field)
    {
        var plan = new Plan("svc_1", "gpu-hour", "GPU hour", Money.Of(1, "EUR"), BillingInterval.Month, 0, Now);
        Assert.Equal(field, Assert.Throws<DomainValidationException>(() => plan.RefreshCostPrice(cost, margin, Now)).Field);
        Assert.Equal((1L, PricingModel.Fixed), (plan.PriceMinor, plan.PricingModel));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(121)]
    public void SetLifecycle_RefusesATermOutOfRange(int term) =>
        Assert.Equal("term_periods", Assert.Throws<DomainValidationException>(() =>
            new Plan("svc_1", "term-x", "X", Money.Of(1, "EUR"), BillingInterval.Month, 0, Now).SetLifecycle(TrialEndBehavior.Activate, term)).Field);
}
