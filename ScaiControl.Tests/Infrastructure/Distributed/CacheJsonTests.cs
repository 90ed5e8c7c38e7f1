using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Infrastructure.Catalog;
using ScaiControl.Infrastructure.Distributed;

namespace ScaiControl.Tests.Infrastructure.Distributed;

/// <summary>What the shared cache stores in Redis comes back as the same entities (private setters included).</summary>
public sealed class CacheJsonTests
{
    [Fact]
    public void ACatalogSnapshot_RoundTripsWithEveryStoredField()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 30, 0, 123, TimeSpan.Zero);
        var service = new Service("scaicrm", "ScaiCRM", "CRM", null, now);
        var plan = new Plan(service.Id, "crm-team-monthly", "Team", Money.Of(2900, "EUR"), BillingInterval.Month, 14, now);
        plan.SetLifecycle(TrialEndBehavior.Expire, 12);
        plan.RefreshCostPrice(2000, 2500, now);
        plan.Retire();

        var back = CacheJson.Deserialize<CatalogSnapshot>(CacheJson.Serialize(new CatalogSnapshot([service], [plan])));

        var s = Assert.Single(back.Services);
        Assert.Equal((service.Id, service.Slug, service.Name, service.Description, service.IsActive, service.CreatedAt), (s.Id, s.Slug, s.Name, s.Description, s.IsActive, s.CreatedAt));
        var p = Assert.Single(back.Plans);
        Assert.Equal(
            (plan.Id, plan.ServiceId, plan.Code, plan.Name, plan.PriceMinor, plan.Currency, plan.Interval, plan.TrialDays, plan.TrialEndBehavior, plan.TermPeriods),
            (p.Id, p.ServiceId, p.Code, p.Name, p.PriceMinor, p.Currency, p.Interval, p.TrialDays, p.TrialEndBehavior, p.TermPeriods));
        Assert.Equal((plan.PricingModel, plan.UnitCostMinor, plan.MarginBasisPoints, plan.PriceRefreshedAt, plan.IsActive, plan.CreatedAt),
            (p.PricingModel, p.UnitCostMinor, p.MarginBasisPoints, p.PriceRefreshedAt, p.IsActive, p.CreatedAt));
        Assert.Equal(plan.Price, p.Price);
        Assert.False(p.IsActive);
    }
}
