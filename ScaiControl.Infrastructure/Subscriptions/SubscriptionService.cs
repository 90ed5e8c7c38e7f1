using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Subscriptions;

/// <summary>One status change of a subscription: from (null when created), to, the actor (user id or system:job) and the UTC time.</summary>
public sealed record SubscriptionHistoryEntry(string? From, string To, string Actor, DateTimeOffset OccurredAt);

/// <summary>A subscription with the names a person reads (service and plan).</summary>
public sealed record SubscriptionView(Subscription Subscription, string ServiceSlug, string ServiceName, string PlanCode, string PlanName, long PriceMinor, string Currency, string TenantName);

/// <summary>
/// Subscribing and the subscription lifecycle actions available now (subscribe, cancel now or at period end), each a
/// transition of <see cref="SubscriptionStateMachine"/> whose outbox event is written in the same transaction.
/// </summary>
public sealed class SubscriptionService(ScaiDbFactory factory, TimeProvider clock, Catalog.CatalogService catalog)
{
    /// <summary>
    /// The tenant a subscribe call (plan or pack) acts for: a tenant user's own tenant, or the one an operator or
    /// partner names in <paramref name="tenantId"/>.
    /// </summary>
    /// <exception cref="DomainValidationException">No tenant_id from an operator/partner, or a tenant user naming another tenant (field "tenant_id").</exception>
    public static string TargetTenantId(Actor actor, string? tenantId)
    {
        if (actor.TenantId is not null && tenantId is not null && tenantId != actor.TenantId)
        {
            throw new DomainValidationException("tenant_id", "A tenant user subscribes its own tenant only.");
        }

        return actor.TenantId ?? tenantId ?? throw new DomainValidationException("tenant_id", "tenant_id is required for a partner or operator.");
    }

    /// <summary>Subscribes the actor's tenant (or, for the operator/partner, <paramref name="tenantId"/>) to a plan.</summary>
    /// <exception cref="DomainValidationException">Unknown plan/tenant (field named), retired plan, or an actor without a tenant.</exception>
    public async Task<SubscriptionView> SubscribeAsync(Actor actor, string? planId, string? tenantId, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsWrite);
        if (string.IsNullOrWhiteSpace(planId))
        {
            throw new DomainValidationException("plan_id", "plan_id is required.");
        }

        var targetTenant = TargetTenantId(actor, tenantId);

        await using var db = await factory.OpenAsync(actor, "subscribe tenant", ct);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == targetTenant, ct)
            ?? throw new DomainValidationException("tenant_id", $"Tenant '{targetTenant}' was not found.");
        var plan = await db.Plans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == planId, ct)
            ?? throw new DomainValidationException("plan_id", $"Plan '{planId}' was not found.");
        var service = await db.Services.AsNoTracking().SingleAsync(s => s.Id == plan.ServiceId, ct);
        var subscription = Subscription.Start(tenant.PartnerId, tenant.Id, service, plan, clock.GetUtcNow());
        db.Subscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);
        return new SubscriptionView(subscription, service.Slug, service.Name, plan.Code, plan.Name, plan.PriceMinor, plan.Currency, tenant.Name);
    }

    /// <summary>A page of subscriptions the actor may see, newest first, optionally by status.</summary>
    public Task<Page<SubscriptionView>> ListAsync(Actor actor, SubscriptionStatus? status, string? cursor, int limit, CancellationToken ct = default) =>
        SearchAsync(actor, status, null, cursor, limit, ct);

    /// <summary>
    /// Like <see cref="ListAsync"/>, narrowed by <paramref name="text"/> (case-insensitive): the tenant's, service's or
    /// plan's name contains it. Same keyset paging (newest first, never the whole table).
    /// </summary>
    public Task<Page<SubscriptionView>> SearchAsync(Actor actor, SubscriptionStatus? status, string? text, string? cursor, int limit, CancellationToken ct = default) =>
        SearchAsync(actor, status, text, null, cursor, limit, ct);

    /// <summary>The sort keys of the subscription list: rate (minor units per interval) and created (id order).</summary>
    public static readonly SortKeys<Subscription> Sorts = new SortKeys<Subscription>().Number("rate", s => s.RateMinor).Text("created", s => s.Id);

    /// <summary>Like the overload without <paramref name="sort"/>, in the order it names (<see cref="Sorts"/>; null: newest first).</summary>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public Task<Page<SubscriptionView>> SearchAsync(Actor actor, SubscriptionStatus? status, string? text, ListSort? sort, string? cursor, int limit, CancellationToken ct = default) =>
        SearchAsync(actor, status, text, sort, cursor, limit, standaloneOnly: false, ct);

    /// <summary>
    /// Like the other overloads; with <paramref name="standaloneOnly"/> the subscriptions inside a pack are left out
    /// in the query (the tenant's list shows them with their pack), so every page is full.
    /// </summary>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<SubscriptionView>> SearchAsync(Actor actor, SubscriptionStatus? status, string? text, ListSort? sort, string? cursor, int limit, bool standaloneOnly, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsRead);
        await using var db = await factory.OpenAsync(actor, "list subscriptions", ct);
        var query = db.Subscriptions.AsNoTracking().Where(s => status == null || s.Status == status);
        if (standaloneOnly)
        {
            query = query.Where(s => s.PackSubscriptionId == null);
        }

        if (text?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
            // LOWER(...) LIKE '%term%' on every provider (the StringComparison overload has no SQL translation).
#pragma warning disable CA1862
            query = query.Where(s => db.Tenants.Any(t => t.Id == s.TenantId && t.Name.ToLower().Contains(term))
                || db.Plans.Any(p => p.Id == s.PlanId && (p.Name.ToLower().Contains(term) || db.Services.Any(v => v.Id == p.ServiceId && v.Name.ToLower().Contains(term)))));
#pragma warning restore CA1862
        }

        var page = await Paging.ReadAsync(query, s => s.Id, Sorts, sort, cursor, limit, ct);
        return new Page<SubscriptionView>(await ViewsAsync(db, page.Items, ct), page.NextCursor);
    }

    /// <summary>One subscription.</summary>
    /// <exception cref="NotFoundException">Unknown or another tenant's.</exception>
    public async Task<SubscriptionView> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsRead);
        await using var db = await factory.OpenAsync(actor, "read subscription", ct);
        return await View(db, id, ct);
    }

    /// <summary>Cancels now (→ cancelled) or at period end (→ cancelling), keeping the reason.</summary>
    /// <exception cref="NotFoundException">Unknown or another tenant's.</exception>
    /// <exception cref="SubscriptionTransitionException">The state machine forbids it (HTTP 409).</exception>
    public Task<SubscriptionView> CancelAsync(Actor actor, string id, bool atPeriodEnd, string? reason, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: false, "cancel subscription", (s, now) =>
        {
            if (atPeriodEnd)
            {
                s.ScheduleCancellation(now, reason);
            }
            else
            {
                s.Cancel(now, reason);
            }
        }, ct);

    /// <summary>cancelling → active: withdraws a scheduled cancellation before the period ends.</summary>
    /// <exception cref="SubscriptionTransitionException">Not cancelling (e.g. already cancelled): HTTP 409.</exception>
    public Task<SubscriptionView> ResumeAsync(Actor actor, string id, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: false, "resume subscription", (s, now) => s.Resume(now), ct);

    /// <summary>Operator action: → suspended, with the reason.</summary>
    /// <exception cref="UnauthorizedAccessException">Not the operator.</exception>
    public Task<SubscriptionView> SuspendAsync(Actor actor, string id, string? reason, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: true, "suspend subscription", (s, now) => s.Suspend(now, reason), ct);

    /// <summary>Operator action: suspended → active.</summary>
    /// <exception cref="UnauthorizedAccessException">Not the operator.</exception>
    public Task<SubscriptionView> UnsuspendAsync(Actor actor, string id, CancellationToken ct = default) =>
        TransitionAsync(actor, id, operatorOnly: true, "unsuspend subscription", (s, now) => s.Unsuspend(now), ct);

    /// <summary>Every status change of a subscription, oldest first: from, to, who, when (from the audit log).</summary>
    /// <exception cref="NotFoundException">Unknown or another tenant's.</exception>
    public async Task<IReadOnlyList<SubscriptionHistoryEntry>> HistoryAsync(Actor actor, string id, CancellationToken ct = default)
    {
        _ = await GetAsync(actor, id, ct); // visibility check: 404 for another tenant's subscription
        await using var db = await factory.ForSystemAsync("subscription history", ct);
        var rows = await db.AuditLog.AsNoTracking().Where(a => a.EntityType == nameof(Subscription) && a.EntityId == id)
            .OrderBy(a => a.OccurredAt).ThenBy(a => a.Id).ToListAsync(ct);
        return Entries(rows);
    }

    /// <summary>The sort key of the history: created (the audit rows' id order, oldest first ascending).</summary>
    public static readonly SortKeys<Domain.Audit.AuditEntry> HistorySorts = new SortKeys<Domain.Audit.AuditEntry>().Text("created", a => a.Id);

    /// <summary>
    /// One page of <see cref="HistoryAsync"/> (keyset paging over the subscription's audit rows, never the whole log):
    /// oldest first unless <paramref name="sort"/> says created descending. A page may hold fewer entries than
    /// <paramref name="limit"/> (audit rows that changed no status are left out); its cursor still moves on.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown or another tenant's.</exception>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<SubscriptionHistoryEntry>> HistoryPageAsync(Actor actor, string id, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        _ = await GetAsync(actor, id, ct); // visibility check: 404 for another tenant's subscription
        await using var db = await factory.ForSystemAsync("subscription history", ct);
        var query = db.AuditLog.AsNoTracking().Where(a => a.EntityType == nameof(Subscription) && a.EntityId == id);
        var page = await Paging.ReadAsync(query, a => a.Id, HistorySorts, sort ?? new ListSort("created", false), cursor, limit, ct);
        return new Page<SubscriptionHistoryEntry>(Entries(page.Items), page.NextCursor);
    }

    private static List<SubscriptionHistoryEntry> Entries(IEnumerable<Domain.Audit.AuditEntry> rows)
    {
        static string? StatusIn(string? json) =>
            json is not null && System.Text.Json.JsonDocument.Parse(json).RootElement.TryGetProperty(nameof(Subscription.Status), out var v) ? v.GetString() : null;
        return rows.Select(r => (Row: r, From: StatusIn(r.BeforeJson), To: StatusIn(r.AfterJson)))
            .Where(x => x.To is not null)
            .Select(x => new SubscriptionHistoryEntry(
                x.From is null ? null : Enum.Parse<SubscriptionStatus>(x.From).WireName(), Enum.Parse<SubscriptionStatus>(x.To!).WireName(), x.Row.Actor, x.Row.OccurredAt))
            .ToList();
    }

    /// <summary>
    /// Dry run of a lifecycle action (cancel now or at period end, resume, suspend, unsuspend): the same permission,
    /// visibility and state-machine checks and the same transition as the action, on a copy that is never saved.
    /// Returns the subscription as the action would leave it; changes nothing, emits no event.
    /// </summary>
    /// <exception cref="DomainValidationException">An action that is not a lifecycle action (field "action").</exception>
    /// <exception cref="SubscriptionTransitionException">The state machine forbids it (HTTP 409).</exception>
    public Task<SubscriptionView> DryRunAsync(Actor actor, string id, SubscriptionAction action, string? reason, CancellationToken ct = default) => action switch
    {
        SubscriptionAction.Cancel => TransitionAsync(actor, id, operatorOnly: false, "dry-run cancel subscription", (s, now) => s.Cancel(now, reason), ct, dryRun: true),
        SubscriptionAction.ScheduleCancellation => TransitionAsync(actor, id, operatorOnly: false, "dry-run cancel subscription", (s, now) => s.ScheduleCancellation(now, reason), ct, dryRun: true),
        SubscriptionAction.Resume => TransitionAsync(actor, id, operatorOnly: false, "dry-run resume subscription", (s, now) => s.Resume(now), ct, dryRun: true),
        SubscriptionAction.Suspend => TransitionAsync(actor, id, operatorOnly: true, "dry-run suspend subscription", (s, now) => s.Suspend(now, reason), ct, dryRun: true),
        SubscriptionAction.Unsuspend => TransitionAsync(actor, id, operatorOnly: true, "dry-run unsuspend subscription", (s, now) => s.Unsuspend(now), ct, dryRun: true),
        _ => throw new DomainValidationException("action", $"'{action.WireName()}' has no dry run."),
    };

    private async Task<SubscriptionView> TransitionAsync(Actor actor, string id, bool operatorOnly, string purpose, Action<Subscription, DateTimeOffset> transition, CancellationToken ct, bool dryRun = false)
    {
        InvoiceService.Require(actor, Permissions.SubscriptionsWrite);
        if (operatorOnly && !actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator suspends and unsuspends subscriptions.");
        }

        await using var db = await factory.OpenAsync(actor, purpose, ct);
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("subscription", id);
        transition(subscription, clock.GetUtcNow());
        if (dryRun)
        {
            return (await ViewsAsync(db, [subscription], ct))[0];
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainConflictException($"Subscription {id} was changed at the same time; reload and try again.");
        }

        return await View(db, id, ct);
    }

    private async Task<SubscriptionView> View(ScaiDbContext db, string id, CancellationToken ct)
    {
        var subscription = await db.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("subscription", id);
        return (await ViewsAsync(db, [subscription], ct))[0];
    }

    /// <summary>
    /// Adds service, plan and tenant names to subscriptions: plans and services from the cached catalog snapshot
    /// (<see cref="Catalog.CatalogService.SnapshotAsync"/>, the catalog is platform-wide), falling back to the database
    /// for a plan or service the snapshot does not hold yet; tenant names in one query (no N+1, issue 13).
    /// </summary>
    private async Task<IReadOnlyList<SubscriptionView>> ViewsAsync(ScaiDbContext db, IReadOnlyList<Subscription> subscriptions, CancellationToken ct)
    {
        if (subscriptions.Count == 0)
        {
            return [];
        }

        var snapshot = await catalog.SnapshotAsync(ct);
        var plans = snapshot.PlansById;
        var services = snapshot.ServicesById;
        if (subscriptions.Any(s => !plans.ContainsKey(s.PlanId) || !services.ContainsKey(s.ServiceId)))
        {
            var planIds = subscriptions.Select(s => s.PlanId).Distinct().ToList();
            var serviceIds = subscriptions.Select(s => s.ServiceId).Distinct().ToList();
            plans = await db.Plans.AsNoTracking().Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
            services = await db.Services.AsNoTracking().Where(v => serviceIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, ct);
        }

        var tenantIds = subscriptions.Select(s => s.TenantId).Distinct().ToList();
        var tenants = tenantIds.Count == 1
            ? await db.Tenants.AsNoTracking().Where(t => t.Id == tenantIds[0]).ToDictionaryAsync(t => t.Id, t => t.Name, ct)
            : await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        return subscriptions.Select(s =>
        {
            var plan = plans[s.PlanId];
            var service = services[s.ServiceId];
            return new SubscriptionView(s, service.Slug, service.Name, plan.Code, plan.Name, plan.PriceMinor, plan.Currency, tenants.GetValueOrDefault(s.TenantId, s.TenantId));
        }).ToList();
    }
}
