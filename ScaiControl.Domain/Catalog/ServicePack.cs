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
/// A pack's price against its parts, all in minor units of the pack's currency per interval: the catalog sum of
/// the items' plan prices, the pack price, and the saving (sum − price).
/// </summary>
public sealed record PackQuote(long CatalogSumMinor, long PriceMinor, string Currency)
{
    /// <summary>What the pack saves against buying the parts (negative only if a plan got cheaper than a fixed pack price).</summary>
    public long SavingMinor => CatalogSumMinor - PriceMinor;
}

/// <summary>
/// The pack price rule (spec 002 migration 014), integer arithmetic only. fixed_price: the pack price is the fixed
/// price, whatever the sum. percentage: the discount is computed ONCE on the catalog sum (not per item),
/// discount = sum × basis points / 10 000 rounded half away from zero to a whole minor unit
/// (<see cref="Rounding.DivideHalfAwayFromZero"/>), and the price is sum − discount. Example: EUR 87.90 at 15 %
/// → discount 1318.5 → 1319 cents, price 7471 cents.
/// </summary>
public static class PackPrices
{
    /// <summary>The largest discount: 100.00 % would make the pack free, which is not a price.</summary>
    public const int MaxDiscountBasisPoints = 9_999;

    /// <summary>Prices a pack from its terms and the current prices of its plans (minor units).</summary>
    /// <exception cref="DomainValidationException">The terms are incomplete (fixed_price or discount_basis_points missing).</exception>
    public static PackQuote Quote(PackPricing pricing, long? fixedPriceMinor, int? discountBasisPoints, IEnumerable<long> planPricesMinor, string currency)
    {
        var sum = planPricesMinor.Aggregate(0L, (a, b) => checked(a + b));
        var price = pricing switch
        {
            PackPricing.FixedPrice => fixedPriceMinor ?? throw new DomainValidationException("fixed_price", "fixed_price is required for fixed_price packs."),
            PackPricing.Percentage => sum - Rounding.DivideHalfAwayFromZero(
                checked(sum * (discountBasisPoints ?? throw new DomainValidationException("discount_basis_points", "discount_basis_points is required for percentage packs."))), 10_000),
        };
        return new PackQuote(sum, price, currency);
    }

    /// <summary>The wire name of a pricing kind ("fixed_price" | "percentage").</summary>
    public static string WireName(this PackPricing pricing) => pricing switch
    {
        PackPricing.FixedPrice => "fixed_price",
        PackPricing.Percentage => "percentage",
    };

    /// <summary>Parses "fixed_price" | "percentage".</summary>
    /// <exception cref="DomainValidationException">Any other value (field "pricing").</exception>
    public static PackPricing Parse(string? value) => value switch
    {
        "fixed_price" => PackPricing.FixedPrice,
        "percentage" => PackPricing.Percentage,
        _ => throw new DomainValidationException("pricing", "pricing must be 'fixed_price' or 'percentage'."),
    };
}

/// <summary>
/// A service pack (spec 002 migration 014): several (service, plan) pairs sold under one billable line. All its plans
/// share one currency and one interval; one item per service; 2 to 50 items. Catalog data, owned by the operator.
/// </summary>
public sealed class ServicePack
{
    /// <summary>The fewest items a pack has (a pack of one is just the plan).</summary>
    public const int MinItems = 2;

    /// <summary>The most items a pack has (keeps every sum × basis points product far inside 64 bits).</summary>
    public const int MaxItems = 50;

    private readonly List<ServicePackItem> _items = [];

    private ServicePack() { }

    /// <summary>Creates a pack with its terms; items are set with <see cref="SetItems"/> before it is saved.</summary>
    /// <exception cref="DomainValidationException">Bad code, name, currency, or pricing terms (field named).</exception>
    public ServicePack(string code, string name, string description, PackPricing pricing, long? fixedPriceMinor, int? discountBasisPoints, string currency, BillingInterval interval, DateTimeOffset now)
    {
        Id = Ids.New("pck");
        Code = Guard.Slug(code, "code");
        CreatedAt = now;
        Update(name, description, pricing, fixedPriceMinor, discountBasisPoints, currency, interval, now);
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

    /// <summary>Changes the commercial terms. Existing pack subscriptions keep the price they were sold at.</summary>
    /// <exception cref="DomainValidationException">Bad name, currency, or pricing terms (field named).</exception>
    public void Update(string name, string description, PackPricing pricing, long? fixedPriceMinor, int? discountBasisPoints, string currency, BillingInterval interval, DateTimeOffset now)
    {
        Name = Guard.Text(name, "name", 200);
        Description = Guard.OptionalText(description, "description", 2000, multiline: true) ?? string.Empty;
        Currency = Currencies.Require(currency);
        switch (pricing)
        {
            case PackPricing.FixedPrice:
                if (fixedPriceMinor is not { } price)
                {
                    throw new DomainValidationException("fixed_price", "fixed_price (minor units) is required for a fixed_price pack.");
                }

                if (price is <= 0 or > Plan.MaxPriceMinor)
                {
                    throw new DomainValidationException("fixed_price", $"fixed_price must be between 1 and {Plan.MaxPriceMinor} minor units.");
                }

                if (discountBasisPoints is not null)
                {
                    throw new DomainValidationException("discount_basis_points", "A fixed_price pack has no discount_basis_points.");
                }

                break;
            case PackPricing.Percentage:
                if (discountBasisPoints is not { } bp)
                {
                    throw new DomainValidationException("discount_basis_points", "discount_basis_points is required for a percentage pack (1500 = 15.00 %).");
                }

                if (bp is < 1 or > PackPrices.MaxDiscountBasisPoints)
                {
                    throw new DomainValidationException("discount_basis_points", $"discount_basis_points must be between 1 and {PackPrices.MaxDiscountBasisPoints} (0.01 % to 99.99 %).");
                }

                if (fixedPriceMinor is not null)
                {
                    throw new DomainValidationException("fixed_price", "A percentage pack has no fixed_price.");
                }

                break;
        }

        Pricing = pricing;
        FixedPriceMinor = fixedPriceMinor;
        DiscountBasisPoints = discountBasisPoints;
        Interval = interval;
        UpdatedAt = now;
    }

    /// <summary>
    /// Replaces the items with <paramref name="pairs"/> (position = list order): each plan must belong to its
    /// service, be on sale, and share the pack's currency and interval; one item per service; at least
    /// <see cref="MinItems"/>. A fixed price may not exceed the catalog sum of the parts. Items of services that stay
    /// are updated in place (the (pack, service) pair is unique).
    /// </summary>
    /// <exception cref="DomainValidationException">The first broken rule, with the field ("items", "items[1].plan_id", "fixed_price").</exception>
    public void SetItems(IReadOnlyList<(Service Service, Plan Plan)> pairs, DateTimeOffset now)
    {
        if (pairs.Count is < MinItems or > MaxItems)
        {
            throw new DomainValidationException("items", $"A pack bundles {MinItems} to {MaxItems} plans of different services.");
        }

        for (var i = 0; i < pairs.Count; i++)
        {
            var (service, plan) = pairs[i];
            var field = $"items[{i}].plan_id";
            if (plan.ServiceId != service.Id)
            {
                throw new DomainValidationException(field, $"Plan {plan.Code} does not belong to service {service.Slug}.");
            }

            if (!plan.IsActive || !service.IsActive)
            {
                throw new DomainValidationException(field, $"Plan {plan.Code} of {service.Slug} is not on sale.");
            }

            if (plan.Currency != Currency)
            {
                throw new DomainValidationException(field, $"Plan {plan.Code} is priced in {plan.Currency}; every plan of this pack must be in {Currency}.");
            }

            if (plan.Interval != Interval)
            {
                throw new DomainValidationException(field, $"Plan {plan.Code} bills per {plan.Interval.WireName()}; every plan of this pack must bill per {Interval.WireName()}.");
            }

            if (pairs.Take(i).Any(p => p.Service.Id == service.Id))
            {
                throw new DomainValidationException(field, $"{service.Slug} is in the pack twice; a pack has one plan per service.");
            }
        }

        var quote = Quote(pairs.Select(p => p.Plan));
        if (quote.PriceMinor > quote.CatalogSumMinor)
        {
            throw new DomainValidationException("fixed_price",
                $"The fixed price ({Money.Of(quote.PriceMinor, Currency)}) is more than buying the parts ({Money.Of(quote.CatalogSumMinor, Currency)}).");
        }

        _items.RemoveAll(item => pairs.All(p => p.Service.Id != item.ServiceId));
        for (var i = 0; i < pairs.Count; i++)
        {
            var (service, plan) = pairs[i];
            if (_items.Find(item => item.ServiceId == service.Id) is { } existing)
            {
                existing.Change(plan.Id, i + 1);
            }
            else
            {
                _items.Add(new ServicePackItem(Id, service.Id, plan.Id, i + 1));
            }
        }

        _items.Sort((a, b) => a.Position.CompareTo(b.Position));
        UpdatedAt = now;
    }

    /// <summary>The price against the parts, from <paramref name="plans"/> (the items' plans at their current prices).</summary>
    public PackQuote Quote(IEnumerable<Plan> plans) =>
        PackPrices.Quote(Pricing, FixedPriceMinor, DiscountBasisPoints, plans.Select(p => p.PriceMinor), Currency);

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

    /// <summary>Points the item at another plan of the same service and/or moves it.</summary>
    internal void Change(string planId, int position)
    {
        PlanId = planId;
        Position = position;
    }
}
