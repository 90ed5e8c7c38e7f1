using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Distributed;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Catalog;

/// <summary>
/// The service catalog: services and their plans (reads for everyone signed in, writes for catalog:write). Reads come
/// from one cached snapshot of all services and plans (<see cref="ISharedCache"/>, shared by the nodes with Redis),
/// dropped on every node by each catalog write here and in <see cref="PlanAdminService"/>.
/// </summary>
public sealed class CatalogService(ScaiDbFactory factory, TimeProvider clock, ISharedCache cache)
{
    /// <summary>The cache key of the catalog snapshot.</summary>
    public const string CacheKey = "catalog:v1";

    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    /// <summary>Active services ordered by name (all services for catalog writers).</summary>
    public async Task<IReadOnlyList<Service>> ServicesAsync(Actor actor, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogRead);
        var all = actor.Can(Permissions.CatalogWrite);
        var snapshot = await SnapshotAsync(ct);
        return snapshot.Services.Where(s => all || s.IsActive).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The plans of a service by slug, cheapest first.</summary>
    /// <exception cref="NotFoundException">Unknown slug.</exception>
    public async Task<IReadOnlyList<Plan>> PlansAsync(Actor actor, string slug, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogRead);
        var snapshot = await SnapshotAsync(ct);
        var service = snapshot.Services.SingleOrDefault(s => s.Slug == slug) ?? throw new NotFoundException("service", slug);
        var all = actor.Can(Permissions.CatalogWrite);
        return snapshot.Plans.Where(p => p.ServiceId == service.Id && (all || p.IsActive))
            .OrderBy(p => p.Interval.ToString(), StringComparer.Ordinal).ThenBy(p => p.PriceMinor).ToList();
    }

    /// <summary>Drops the cached catalog on every node (after a write to services or plans).</summary>
    public Task InvalidateAsync(CancellationToken ct = default) => cache.InvalidateAsync(CacheKey, ct);

    /// <summary>
    /// Every service and plan, from the shared cache (loaded on a miss, at most <see cref="CacheFor"/> old, dropped by
    /// every catalog write). Platform-wide data: the catalog is not tenant-owned, so one snapshot serves every actor.
    /// </summary>
    public Task<CatalogSnapshot> SnapshotAsync(CancellationToken ct = default) =>
        cache.GetOrCreateAsync(CacheKey, async c =>
        {
            await using var db = factory.ForPlatform("catalog-cache");
            return new CatalogSnapshot(await db.Services.AsNoTracking().ToListAsync(c), await db.Plans.AsNoTracking().ToListAsync(c));
        }, CacheFor, ct: ct);

    /// <summary>One service by slug (an inactive one only for catalog writers).</summary>
    /// <exception cref="NotFoundException">Unknown slug.</exception>
    public async Task<Service> GetServiceAsync(Actor actor, string slug, CancellationToken ct = default) =>
        (await ServicesAsync(actor, ct)).SingleOrDefault(s => s.Slug == slug) ?? throw new NotFoundException("service", slug);

    /// <summary>Creates a service; a slug already in use is a conflict (use <see cref="SaveServiceAsync"/> to update).</summary>
    /// <exception cref="DomainConflictException">The slug exists (HTTP 409).</exception>
    /// <exception cref="DomainValidationException">Invalid fields.</exception>
    public async Task<Service> CreateServiceAsync(Actor actor, string? slug, string? name, string? description, string? parentSlug, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        if ((await SnapshotAsync(ct)).Services.Any(s => s.Slug == slug))
        {
            throw new DomainConflictException($"A service with slug '{slug}' exists; edit it instead.");
        }

        return await SaveServiceAsync(actor, slug ?? string.Empty, name ?? string.Empty, description ?? string.Empty, parentSlug, ct);
    }

    /// <summary>Changes the given fields of a service (null: keep; an empty parent_slug removes the parent).</summary>
    /// <exception cref="NotFoundException">Unknown slug.</exception>
    /// <exception cref="DomainValidationException">Invalid fields.</exception>
    public async Task<Service> EditServiceAsync(Actor actor, string slug, string? name, string? description, string? parentSlug, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        var current = await GetServiceAsync(actor, slug, ct);
        return await SaveServiceAsync(actor, slug, name ?? current.Name, description ?? current.Description, parentSlug ?? current.ParentSlug, ct);
    }

    /// <summary>Creates or updates a service by slug.</summary>
    /// <exception cref="DomainValidationException">Invalid fields.</exception>
    public async Task<Service> SaveServiceAsync(Actor actor, string slug, string name, string description, string? parentSlug, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = factory.ForPlatform(actor.UserId);
        var service = await db.Services.SingleOrDefaultAsync(s => s.Slug == slug, ct);
        if (service is null)
        {
            service = new Service(slug, name, description, parentSlug, clock.GetUtcNow());
            db.Services.Add(service);
        }
        else
        {
            service.Update(name, description, parentSlug);
        }

        if (service.ParentSlug is { } parent && !await db.Services.AnyAsync(s => s.Slug == parent, ct))
        {
            throw new DomainValidationException("parent_slug", $"Parent service '{parent}' does not exist.");
        }

        await db.SaveChangesAsync(ct);
        await InvalidateAsync(ct);
        return service;
    }

    /// <summary>Creates a plan of a service, or updates the plan with the same code.</summary>
    /// <exception cref="NotFoundException">Unknown service.</exception>
    /// <exception cref="DomainValidationException">Invalid fields.</exception>
    public async Task<Plan> SavePlanAsync(Actor actor, string serviceSlug, string code, string name, long priceMinor, string currency, string interval, int trialDays, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.CatalogWrite);
        await using var db = factory.ForPlatform(actor.UserId);
        var service = await db.Services.SingleOrDefaultAsync(s => s.Slug == serviceSlug, ct) ?? throw new NotFoundException("service", serviceSlug);
        var price = Money.Of(priceMinor, currency);
        var parsedInterval = BillingIntervals.Parse(interval);
        var plan = await db.Plans.SingleOrDefaultAsync(p => p.ServiceId == service.Id && p.Code == code, ct);
        if (plan is null)
        {
            plan = new Plan(service.Id, code, name, price, parsedInterval, trialDays, clock.GetUtcNow());
            db.Plans.Add(plan);
        }
        else
        {
            plan.Update(name, price, parsedInterval, trialDays);
        }

        await db.SaveChangesAsync(ct);
        await InvalidateAsync(ct);
        return plan;
    }
}

/// <summary>Every service and plan, as cached by <see cref="CatalogService"/>.</summary>
public sealed record CatalogSnapshot(List<Service> Services, List<Plan> Plans)
{
    private Dictionary<string, Service>? _servicesById;
    private Dictionary<string, Plan>? _plansById;

    /// <summary>The services by id (built once per snapshot).</summary>
    public Dictionary<string, Service> ServicesById => _servicesById ??= Services.ToDictionary(s => s.Id);

    /// <summary>The plans by id (built once per snapshot).</summary>
    public Dictionary<string, Plan> PlansById => _plansById ??= Plans.ToDictionary(p => p.Id);
}
