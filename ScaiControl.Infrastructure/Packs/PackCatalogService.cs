using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Packs;

/// <summary>One item of a pack with the names a person reads and the plan's current list price.</summary>
public sealed record PackItemView(ServicePackItem Item, Service Service, Plan Plan);

/// <summary>A pack with its items (in position order) and its price against the parts (<see cref="PackQuote"/>, minor units).</summary>
public sealed record PackView(ServicePack Pack, IReadOnlyList<PackItemView> Items, PackQuote Quote);

/// <summary>One item of a pack to save: the plan (its service is the plan's); service_id, when given, must match.</summary>
public sealed record PackItemInput(string? PlanId, string? ServiceId);

/// <summary>
/// The terms of a pack to create or update: pricing "fixed_price" (with fixed_price, minor units) or "percentage"
/// (with discount_basis_points, 1500 = 15.00 %), ISO 4217 currency, interval "month" | "year", and the items.
/// </summary>
public sealed record PackInput(
    string? Code, string? Name, string? Description, string? Pricing, long? FixedPrice, int? DiscountBasisPoints, string? Currency, string? Interval,
    IReadOnlyList<PackItemInput?>? Items);

/// <summary>
/// Service packs in the catalog (spec 002 migration 014): everyone signed in reads the packs on sale with their
/// saving against the parts; catalog writers (the operator) see retired packs too and create, update and retire them.
/// </summary>
public sealed class PackCatalogService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>The packs on sale (all packs for catalog writers), by name, each priced from its plans' current prices.</summary>
    /// <exception cref="UnauthorizedAccessException">The actor lacks catalog:read.</exception>
    public async Task<IReadOnlyList<PackView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogRead);
        await using var db = factory.ForPlatform(actor.UserId);
        var all = actor.Can(Permissions.CatalogWrite);
        var packs = await db.ServicePacks.AsNoTracking().Include(p => p.Items).Where(p => all || p.IsActive).OrderBy(p => p.Name).ThenBy(p => p.Id).ToListAsync(ct);
        return await ViewsAsync(db, packs, ct);
    }

    /// <summary>The sort keys of the pack list: name (case-insensitive), code and created (id order).</summary>
    public static readonly SortKeys<ServicePack> Sorts = new SortKeys<ServicePack>().Text("name", p => p.Name.ToLower()).Text("code", p => p.Code).Text("created", p => p.Id);

    /// <summary>
    /// One page of <see cref="ListAsync(Actor, CancellationToken)"/> (keyset paging, never every pack): packs whose
    /// name or code contains <paramref name="search"/> (case-insensitive), in the order <paramref name="sort"/> names (null: newest first).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The actor lacks catalog:read.</exception>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<PackView>> PageAsync(Actor actor, string? search, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogRead);
        await using var db = factory.ForPlatform(actor.UserId);
        var all = actor.Can(Permissions.CatalogWrite);
        var query = db.ServicePacks.AsNoTracking().Include(p => p.Items).Where(p => all || p.IsActive);
        if (search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
#pragma warning disable CA1862 // LOWER(...) LIKE '%term%' on every provider
            query = query.Where(p => p.Name.ToLower().Contains(term) || p.Code.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        var page = await Paging.ReadAsync(query, p => p.Id, Sorts, sort, cursor, limit, ct);
        return new Page<PackView>(await ViewsAsync(db, page.Items.ToList(), ct), page.NextCursor);
    }

    /// <summary>One pack by id (retired ones too: a pack subscription names its pack).</summary>
    /// <exception cref="NotFoundException">Unknown id.</exception>
    public async Task<PackView> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogRead);
        await using var db = factory.ForPlatform(actor.UserId);
        var pack = await db.ServicePacks.AsNoTracking().Include(p => p.Items).SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("pack", id);
        return (await ViewsAsync(db, [pack], ct))[0];
    }

    /// <summary>Creates a pack (on sale at once).</summary>
    /// <exception cref="DomainValidationException">Any field breaking a rule, named (e.g. "code", "fixed_price", "items[1].plan_id").</exception>
    /// <exception cref="UnauthorizedAccessException">The actor lacks catalog:write.</exception>
    public async Task<PackView> CreateAsync(Actor actor, PackInput input, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = factory.ForPlatform(actor.UserId);
        var code = Guard.Slug(input.Code, "code");
        if (await db.ServicePacks.AnyAsync(p => p.Code == code, ct))
        {
            throw new DomainValidationException("code", $"A pack with code '{code}' already exists.");
        }

        var now = clock.GetUtcNow();
        var pack = new ServicePack(code, input.Name ?? string.Empty, input.Description ?? string.Empty, PackPrices.Parse(input.Pricing),
            input.FixedPrice, input.DiscountBasisPoints, input.Currency ?? string.Empty, BillingIntervals.Parse(input.Interval), now);
        pack.SetItems(await ResolveAsync(db, input.Items, ct), now);
        db.ServicePacks.Add(pack);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            if (await CodeTakenAsync(code, ct))
            {
                throw new DomainValidationException("code", $"A pack with code '{code}' already exists."); // created at the same moment
            }

            throw;
        }

        return await GetAsync(actor, pack.Id, ct);
    }

    /// <summary>Replaces a pack's terms and items (its code stays). Existing pack subscriptions keep their price and children.</summary>
    /// <exception cref="NotFoundException">Unknown id.</exception>
    /// <exception cref="DomainValidationException">Any field breaking a rule, named; a different code ("code").</exception>
    /// <exception cref="DomainConflictException">Changed by someone else at the same time.</exception>
    public async Task<PackView> UpdateAsync(Actor actor, string id, PackInput input, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = factory.ForPlatform(actor.UserId);
        var pack = await db.ServicePacks.Include(p => p.Items).SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("pack", id);
        if (input.Code is { Length: > 0 } code && code != pack.Code)
        {
            throw new DomainValidationException("code", "A pack's code cannot change; create a new pack instead.");
        }

        var now = clock.GetUtcNow();
        pack.Update(input.Name ?? string.Empty, input.Description ?? string.Empty, PackPrices.Parse(input.Pricing), input.FixedPrice, input.DiscountBasisPoints,
            input.Currency ?? string.Empty, BillingIntervals.Parse(input.Interval), now);
        pack.SetItems(await ResolveAsync(db, input.Items, ct), now);
        await SaveAsync(db, id, ct);
        return await GetAsync(actor, id, ct);
    }

    /// <summary>Withdraws a pack from sale; its pack subscriptions continue. Retiring a retired pack changes nothing.</summary>
    /// <exception cref="NotFoundException">Unknown id.</exception>
    public async Task<PackView> RetireAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = factory.ForPlatform(actor.UserId);
        var pack = await db.ServicePacks.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("pack", id);
        if (pack.IsActive)
        {
            pack.Retire(clock.GetUtcNow());
            await SaveAsync(db, id, ct);
        }

        return await GetAsync(actor, id, ct);
    }

    /// <summary>Adds services, plans and the quote to packs with one query per kind.</summary>
    internal static async Task<IReadOnlyList<PackView>> ViewsAsync(ScaiDbContext db, IReadOnlyList<ServicePack> packs, CancellationToken ct)
    {
        var planIds = packs.SelectMany(p => p.Items).Select(i => i.PlanId).Distinct().ToList();
        var serviceIds = packs.SelectMany(p => p.Items).Select(i => i.ServiceId).Distinct().ToList();
        var plans = await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        return packs.Select(pack =>
        {
            var items = pack.Items.OrderBy(i => i.Position).Select(i => new PackItemView(i, services[i.ServiceId], plans[i.PlanId])).ToList();
            return new PackView(pack, items, pack.Quote(items.Select(i => i.Plan)));
        }).ToList();
    }

    private static async Task<IReadOnlyList<(Service Service, Plan Plan)>> ResolveAsync(ScaiDbContext db, IReadOnlyList<PackItemInput?>? items, CancellationToken ct)
    {
        if (items is null || items.Count == 0)
        {
            throw new DomainValidationException("items", $"items is required: at least {ServicePack.MinItems} plans of different services.");
        }

        var planIds = items.Select(i => i?.PlanId).OfType<string>().Distinct().ToList();
        var plans = await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var serviceIds = plans.Values.Select(p => p.ServiceId).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var pairs = new List<(Service, Plan)>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (string.IsNullOrWhiteSpace(item?.PlanId))
            {
                throw new DomainValidationException($"items[{i}].plan_id", "plan_id is required.");
            }

            if (!plans.TryGetValue(item.PlanId, out var plan))
            {
                throw new DomainValidationException($"items[{i}].plan_id", $"Plan '{item.PlanId}' was not found.");
            }

            if (item.ServiceId is { Length: > 0 } serviceId && serviceId != plan.ServiceId)
            {
                throw new DomainValidationException($"items[{i}].service_id", $"Plan {plan.Code} does not belong to service '{serviceId}'.");
            }

            pairs.Add((services[plan.ServiceId], plan));
        }

        return pairs;
    }

    private async Task<bool> CodeTakenAsync(string code, CancellationToken ct)
    {
        await using var db = factory.ForPlatform("pack-code-check");
        return await db.ServicePacks.AnyAsync(p => p.Code == code, ct);
    }

    private static async Task SaveAsync(ScaiDbContext db, string id, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainConflictException($"Pack {id} was changed at the same time; reload and try again.");
        }
    }
}
