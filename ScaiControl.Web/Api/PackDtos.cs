using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Packs;

namespace ScaiControl.Web.Api;

// The JSON shapes of service packs (spec 002 migration 014). Amounts are integer minor units (cents) per interval
// with the ISO 4217 currency beside them; times RFC 3339 UTC.

/// <summary>One (service, plan) pair of a pack, with the plan's current list price (cents per interval).</summary>
public sealed record PackItemDto(string ServiceId, string ServiceSlug, string ServiceName, string PlanId, string PlanCode, string PlanName, long Price);

/// <summary>
/// A pack of the catalog: pricing "fixed_price" (fixed_price) or "percentage" (discount_basis_points, 1500 = 15.00 %),
/// price = what the pack costs per interval, catalog_sum = the parts bought one by one, saving = catalog_sum − price.
/// </summary>
public sealed record PackDto(
    string Id, string Code, string Name, string Description, string Pricing, long? FixedPrice, int? DiscountBasisPoints, string Currency, string Interval,
    long Price, long CatalogSum, long Saving, bool IsActive, IReadOnlyList<PackItemDto> Items, DateTimeOffset UpdatedAt)
{
    /// <summary>From a pack view.</summary>
    public static PackDto From(PackView v) => new(
        v.Pack.Id, v.Pack.Code, v.Pack.Name, v.Pack.Description, v.Pack.Pricing.WireName(), v.Pack.FixedPriceMinor, v.Pack.DiscountBasisPoints, v.Pack.Currency,
        v.Pack.Interval.WireName(), v.Quote.PriceMinor, v.Quote.CatalogSumMinor, v.Quote.SavingMinor, v.Pack.IsActive,
        v.Items.Select(i => new PackItemDto(i.Service.Id, i.Service.Slug, i.Service.Name, i.Plan.Id, i.Plan.Code, i.Plan.Name, i.Plan.PriceMinor)).ToArray(),
        v.Pack.UpdatedAt);
}

/// <summary>POST /api/v1/admin/packs and PUT /api/v1/admin/packs/{id} body.</summary>
public sealed record PackRequest(
    string? Code, string? Name, string? Description, string? Pricing, long? FixedPrice, int? DiscountBasisPoints, string? Currency, string? Interval,
    IReadOnlyList<PackItemRequest?>? Items)
{
    /// <summary>As the service's input.</summary>
    public PackInput ToInput() => new(Code, Name, Description, Pricing, FixedPrice, DiscountBasisPoints, Currency, Interval,
        Items?.Select(i => i is null ? null : new PackItemInput(i.PlanId, i.ServiceId)).ToArray());
}

/// <summary>One item of a pack request: the plan (service_id optional; it must be the plan's service).</summary>
public sealed record PackItemRequest(string? PlanId, string? ServiceId);

/// <summary>A child subscription of a pack: its service, plan and status (it moves only with the pack).</summary>
public sealed record PackChildDto(string Id, string ServiceId, string ServiceSlug, string ServiceName, string PlanId, string PlanCode, string PlanName, string Status);

/// <summary>A pack subscription with its children and the actions its state allows (on the pack, never on a child).</summary>
public sealed record PackSubscriptionDto(
    string Id, string PartnerId, string TenantId, string TenantName, string PackId, string PackCode, string PackName, long Price, string Currency, string Interval,
    string Status, IReadOnlyList<string> AllowedActions, DateTimeOffset CurrentPeriodStart, DateTimeOffset CurrentPeriodEnd, string? CancellationReason,
    DateTimeOffset? CancelledAt, DateTimeOffset CreatedAt, IReadOnlyList<PackChildDto> Children)
{
    /// <summary>From a pack subscription view.</summary>
    public static PackSubscriptionDto From(PackSubscriptionView v)
    {
        var p = v.Parent;
        return new(p.Id, p.PartnerId, p.TenantId, v.TenantName, p.PackId, v.Pack.Code, v.Pack.Name, p.PriceMinor, p.Currency, p.Interval.WireName(),
            p.Status.WireName(), PackSubscription.AllowedActions(p.Status).Select(a => a.WireName()).ToArray(), p.CurrentPeriodStart, p.CurrentPeriodEnd,
            p.CancellationReason, p.CancelledAt, p.CreatedAt,
            v.Children.Select(c => new PackChildDto(c.Subscription.Id, c.Service.Id, c.Service.Slug, c.Service.Name, c.Plan.Id, c.Plan.Code, c.Plan.Name,
                c.Subscription.Status.WireName())).ToArray());
    }
}

/// <summary>POST /api/v1/pack-subscriptions body: the pack, and for a partner or the operator the tenant.</summary>
public sealed record CreatePackSubscriptionRequest(string? PackId, string? TenantId);
