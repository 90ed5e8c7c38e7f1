using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Catalog;

/// <summary>How a service pack is priced (spec 002 migration 014): a fixed price overriding the sum of its plans, or a percentage discount off that sum.</summary>
public enum PackPricing
{
    /// <summary>"fixed_price": <see cref="ServicePack.FixedPriceMinor"/> replaces the catalog sum.</summary>
    FixedPrice,

    /// <summary>"percentage": <see cref="ServicePack.DiscountBasisPoints"/> off the catalog sum.</summary>
    Percentage,
}

/// <summary>
/// A service pack (spec 002 migration 014): several (service, plan) pairs sold under one billable line. All its plans
/// share one currency and one interval. Catalog data, owned by the operator.
/// </summary>
public sealed class ServicePack
{
    private readonly List<ServicePackItem> _items = [];

    private ServicePack() { }

    /// <summary>Creates an empty, inactive-until-items pack. Items are added with <see cref="SetItems"/>.</summary>
    public ServicePack(string code, string name, string description, PackPricing pricing, long? fixedPriceMinor, int? discountBasisPoints, string currency, BillingInterval interval, DateTimeOffset now)
    {
        Id = Ids.New("pck");
        Code = Guard.Slug(code, "code");
        Name = Guard.Text(name, "name", 200);
        Description = Guard.OptionalText(description, "description", 2000) ?? string.Empty;
        Pricing = pricing;
        FixedPriceMinor = fixedPriceMinor;
        DiscountBasisPoints = discountBasisPoints;
        Currency = Currencies.Require(currency);
        Interval = interval;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string Code { get; private set; } = default!;
    public string Name { get; private set; } = default!;
    public string Description { get; private set; } = default!;
    public PackPricing Pricing { get; private set; }

    /// <summary>fixed_price packs: the pack price per interval in minor units.</summary>
    public long? FixedPriceMinor { get; private set; }

    /// <summary>percentage packs: the discount in basis points (1500 = 15.00 %).</summary>
    public int? DiscountBasisPoints { get; private set; }

    /// <summary>ISO 4217 code shared by the pack and all its plans.</summary>
    public string Currency { get; private set; } = default!;

    /// <summary>The interval shared by the pack and all its plans.</summary>
    public BillingInterval Interval { get; private set; }
    public bool IsActive { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The (service, plan) pairs, in position order.</summary>
    public IReadOnlyList<ServicePackItem> Items => _items;

    /// <summary>Replaces the items (one per service).</summary>
    public void SetItems(IEnumerable<ServicePackItem> items, DateTimeOffset now)
    {
        _items.Clear();
        _items.AddRange(items);
        UpdatedAt = now;
    }

    /// <summary>Withdraws the pack from sale (existing pack subscriptions continue).</summary>
    public void Retire(DateTimeOffset now)
    {
        IsActive = false;
        UpdatedAt = now;
    }
}

/// <summary>One (service, plan) pair of a <see cref="ServicePack"/>.</summary>
public sealed class ServicePackItem
{
    private ServicePackItem() { }

    /// <summary>A pair at <paramref name="position"/> (1-based).</summary>
    public ServicePackItem(string packId, string serviceId, string planId, int position)
    {
        Id = Ids.New("pki");
        PackId = packId;
        ServiceId = serviceId;
        PlanId = planId;
        Position = position;
    }

    public string Id { get; private set; } = default!;
    public string PackId { get; private set; } = default!;
    public string ServiceId { get; private set; } = default!;
    public string PlanId { get; private set; } = default!;
    public int Position { get; private set; }
}
