using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Packs;

/// <summary>A child subscription of a pack with its service and plan (the plan's list price is informative: the pack is what is billed).</summary>
public sealed record PackChildView(Subscription Subscription, Service Service, Plan Plan);

/// <summary>A pack subscription with its pack, tenant name and children (in the pack's item order).</summary>
public sealed record PackSubscriptionView(PackSubscription Parent, ServicePack Pack, string TenantName, IReadOnlyList<PackChildView> Children);

/// <summary>
/// Subscribing to a service pack and the pack lifecycle (spec 002 migration 014). Subscribing writes the parent,
/// one child subscription per (service, plan) pair and the pack_subscription.activated.v1 event in ONE transaction;
/// every lifecycle action moves the parent and all its children in one transaction too (the children's
/// UpdatedAt and the parent's are concurrency tokens, so a concurrent change makes the whole action fail, never half
/// of it). Children raise no subscription.* events for these transitions.
/// </summary>
public sealed class PackSubscriptionService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>Subscribes the actor's tenant (or, for the operator/partner, <paramref name="tenantId"/>) to a pack.</summary>
    /// <exception cref="DomainValidationException">pack_id missing, unknown or retired (or one of its plans is); unknown tenant; a tenant user naming another tenant.</exception>
    public async Task<PackSubscriptionView> SubscribeAsync(Actor actor, string? packId, string? tenantId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsWrite);
        if (string.IsNullOrWhiteSpace(packId))
        {
            throw new DomainValidationException("pack_id", "pack_id is required.");
        }

        var targetTenant = Subscriptions.SubscriptionService.TargetTenantId(actor, tenantId);

        await using var db = await factory.OpenAsync(actor, "subscribe tenant to pack", ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == targetTenant, ct)
            ?? throw new DomainValidationException("tenant_id", $"Tenant '{targetTenant}' was not found.");
        var pack = await db.ServicePacks.AsNoTracking().Include(p => p.Items).SingleOrDefaultAsync(p => p.Id == packId, ct)
            ?? throw new DomainValidationException("pack_id", $"Pack '{packId}' was not found.");
        var view = (await PackCatalogService.ViewsAsync(db, [pack], ct))[0];
        var (parent, children) = PackSubscription.Start(tenant.PartnerId, tenant.Id, pack, view.Items.Select(i => (i.Service, i.Plan)).ToList(), clock.GetUtcNow());
        db.PackSubscriptions.Add(parent);
        db.Subscriptions.AddRange(children);
        await db.SaveChangesAsync(ct); // one transaction: parent, children, outbox event, audit rows — or nothing
        return new PackSubscriptionView(parent, pack, tenant.Name, children.Select((c, i) => new PackChildView(c, view.Items[i].Service, view.Items[i].Plan)).ToList());
    }

    /// <summary>The pack subscriptions the actor may see (its tenant's; a partner's tenants'; all for the operator), the newest 200 first.</summary>
    public async Task<IReadOnlyList<PackSubscriptionView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsRead);
        await using var db = await factory.OpenAsync(actor, "list pack subscriptions", ct);
        var parents = await db.PackSubscriptions.AsNoTracking().OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(200).ToListAsync(ct);
        return await ViewsAsync(db, parents, ct);
    }

    /// <summary>One pack subscription with its children.</summary>
    /// <exception cref="NotFoundException">Unknown, or another tenant's.</exception>
    public async Task<PackSubscriptionView> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsRead);
        await using var db = await factory.OpenAsync(actor, "read pack subscription", ct);
        return await ViewAsync(db, id, ct);
    }

    /// <summary>Cancels the pack and all its children now (→ cancelled, pack_subscription.cancelled.v1) or at period end (→ cancelling; the reaper finishes it).</summary>
    /// <exception cref="NotFoundException">Unknown, or another tenant's.</exception>
    /// <exception cref="SubscriptionTransitionException">The state forbids it (HTTP 409); nothing changes.</exception>
    public Task<PackSubscriptionView> CancelAsync(Actor actor, string id, bool atPeriodEnd, string? reason, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: false, "cancel pack subscription", (p, children, now) =>
        {
            if (atPeriodEnd)
            {
                p.ScheduleCancellation(children, now, reason);
            }
            else
            {
                p.Cancel(children, now, reason);
            }
        }, ct);

    /// <summary>cancelling → active for the pack and its children.</summary>
    /// <exception cref="SubscriptionTransitionException">Not cancelling (HTTP 409).</exception>
    public Task<PackSubscriptionView> ResumeAsync(Actor actor, string id, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: false, "resume pack subscription", (p, children, now) => p.Resume(children, now), ct);

    /// <summary>Operator action: → suspended, the pack and its children.</summary>
    /// <exception cref="UnauthorizedAccessException">Not the operator.</exception>
    public Task<PackSubscriptionView> SuspendAsync(Actor actor, string id, string? reason, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: true, "suspend pack subscription", (p, children, now) => p.Suspend(children, now, reason), ct);

    /// <summary>Operator action: suspended → active, the pack and its children.</summary>
    /// <exception cref="UnauthorizedAccessException">Not the operator.</exception>
    public Task<PackSubscriptionView> UnsuspendAsync(Actor actor, string id, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: true, "unsuspend pack subscription", (p, children, now) => p.Unsuspend(children, now), ct);

    private async Task<PackSubscriptionView> TransitionAsync(
        Actor actor, string id, bool operatorOnly, string purpose, Action<PackSubscription, IReadOnlyList<Subscription>, DateTimeOffset> transition, CancellationToken ct)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsWrite);
        if (operatorOnly && !actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator suspends and unsuspends pack subscriptions.");
        }

        await using var db = await factory.OpenAsync(actor, purpose, ct);
        var parent = await db.PackSubscriptions.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("pack_subscription", id);
        var children = await db.Subscriptions.Where(s => s.PackSubscriptionId == id).OrderBy(s => s.Id).ToListAsync(ct);
        transition(parent, children, clock.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct); // parent, every child and the event together, or nothing
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainConflictException($"Pack subscription {id} was changed at the same time; reload and try again.");
        }

        return await ViewAsync(db, id, ct);
    }

    private static async Task<PackSubscriptionView> ViewAsync(ScaiDbContext db, string id, CancellationToken ct)
    {
        var parent = await db.PackSubscriptions.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw new NotFoundException("pack_subscription", id);
        return (await ViewsAsync(db, [parent], ct))[0];
    }

    /// <summary>Adds packs, tenants and children (with service and plan) with one query per kind.</summary>
    private static async Task<IReadOnlyList<PackSubscriptionView>> ViewsAsync(ScaiDbContext db, IReadOnlyList<PackSubscription> parents, CancellationToken ct)
    {
        var ids = parents.Select(p => p.Id).ToList();
        var packIds = parents.Select(p => p.PackId).Distinct().ToList();
        var tenantIds = parents.Select(p => p.TenantId).Distinct().ToList();
        var children = await db.Subscriptions.AsNoTracking().Where(s => s.PackSubscriptionId != null && ids.Contains(s.PackSubscriptionId)).ToListAsync(ct);
        var packs = await db.ServicePacks.AsNoTracking().Include(p => p.Items).Where(p => packIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var planIds = children.Select(c => c.PlanId).Distinct().ToList();
        var serviceIds = children.Select(c => c.ServiceId).Distinct().ToList();
        var plans = await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var tenants = await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        return parents.Select(p =>
        {
            var pack = packs[p.PackId];
            int Position(Subscription c) => pack.Items.FirstOrDefault(i => i.ServiceId == c.ServiceId)?.Position ?? int.MaxValue;
            var mine = children.Where(c => c.PackSubscriptionId == p.Id).OrderBy(Position).ThenBy(c => c.Id, StringComparer.Ordinal)
                .Select(c => new PackChildView(c, services[c.ServiceId], plans[c.PlanId])).ToList();
            return new PackSubscriptionView(p, pack, tenants.GetValueOrDefault(p.TenantId, p.TenantId), mine);
        }).ToList();
    }
}
