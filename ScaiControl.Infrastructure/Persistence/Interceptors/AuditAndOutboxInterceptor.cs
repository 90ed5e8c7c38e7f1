using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ScaiControl.Domain.Audit;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;

namespace ScaiControl.Infrastructure.Persistence.Interceptors;

/// <summary>
/// On every SaveChanges, in the same transaction as the business change: (1) refuses writes of tenant-owned rows
/// outside the context's <see cref="DataScope"/> (<see cref="TenantScopeViolationException"/>); (2) turns the
/// aggregates' pending events into outbox rows; (3) writes an audit row (who, what, when, before/after) for every
/// added, modified or deleted entity. Two exceptions: a secret's value is never copied into the audit log (it is
/// recorded as "[redacted]"), and the webhook dispatcher's own bookkeeping (delivery rows and their attempt log, written
/// by a "system:" actor) is not audited row by row: those tables are themselves the log of what was sent, and an audit
/// row per attempt tripled the dispatcher's writes (docs/benchmarks.md). Operator changes to them (replay) are audited.
/// </summary>
public sealed class AuditAndOutboxInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    /// <summary>snake_case JSON, as every payload the platform emits.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <inheritdoc/>
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Record(eventData.Context);
        return result;
    }

    /// <inheritdoc/>
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Record(DbContext? context)
    {
        if (context is not ScaiDbContext db)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var entries = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Where(e => e.Entity is not AuditEntry and not OutboxEvent)
            .ToList();
        var systemActor = db.Scope.ActorId.StartsWith("system:", StringComparison.Ordinal);

        foreach (var entry in entries)
        {
            if (entry.Entity is ITenantOwned owned && !db.InScope(owned.PartnerId, owned.TenantId))
            {
                throw new TenantScopeViolationException(entry.Metadata.ClrType.Name);
            }
        }

        foreach (var aggregate in db.ChangeTracker.Entries<AggregateRoot>().Select(e => e.Entity).ToList())
        {
            foreach (var e in aggregate.PendingEvents)
            {
                db.OutboxEvents.Add(new OutboxEvent(e, JsonSerializer.Serialize(e.Payload, Json)));
            }

            aggregate.ClearEvents();
        }

        foreach (var entry in entries)
        {
            // The heartbeat monitor's probe bookkeeping is likewise its own log (service_health_events keeps every change).
            if (systemActor && entry.Entity is Domain.Webhooks.WebhookDelivery or Domain.Webhooks.WebhookDeliveryAttempt or Domain.Registry.RegisteredService or Domain.Registry.ServiceHealthEvent)
            {
                continue;
            }

            // The billing run's batches audit each invoice once themselves (ScaiDbContext.BillingRunAudit).
            if (db.BillingRunAudit && entry.Entity is Domain.Invoicing.Invoice or Domain.Invoicing.InvoiceLine or Domain.Invoicing.InvoiceDocument or Domain.Payments.InvoiceAccount
                    or Domain.Subscriptions.Subscription or Domain.Subscriptions.PackSubscription or Domain.Subscriptions.SubscriptionCharge or Domain.Usage.UsagePeriodClose)
            {
                continue;
            }

            var key = string.Join('/', entry.Metadata.FindPrimaryKey()!.Properties.Select(p => Convert.ToString(entry.Property(p.Name).CurrentValue, System.Globalization.CultureInfo.InvariantCulture)));
            Dictionary<string, object?>? before = null, after = null;
            switch (entry.State)
            {
                case EntityState.Added:
                    after = entry.Properties.ToDictionary(p => p.Metadata.Name, p => p.CurrentValue);
                    if (entry.Entity is Secrets.LocalSecret)
                    {
                        after[nameof(Secrets.LocalSecret.Value)] = "[redacted]";
                    }

                    break;
                case EntityState.Deleted:
                    before = entry.Properties.ToDictionary(p => p.Metadata.Name, p => p.OriginalValue);
                    break;
                default:
                    var changed = entry.Properties.Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue)).ToList();
                    if (changed.Count == 0)
                    {
                        continue;
                    }

                    before = changed.ToDictionary(p => p.Metadata.Name, p => p.OriginalValue);
                    after = changed.ToDictionary(p => p.Metadata.Name, p => p.CurrentValue);
                    break;
            }

            var owned = entry.Entity as ITenantOwned;
            db.AuditLog.Add(new AuditEntry(
                db.Scope.ActorId,
                owned?.PartnerId ?? (entry.Entity as IPartnerOwned)?.PartnerId,
                owned?.TenantId,
                entry.State.ToString().ToLowerInvariant(),
                entry.Metadata.ClrType.Name,
                key,
                before is null ? null : JsonSerializer.Serialize(before, Json),
                after is null ? null : JsonSerializer.Serialize(after, Json),
                now));
        }
    }
}

/// <summary>A write of a tenant-owned row outside the caller's tenant or partner (a bug or an attack; HTTP 404 at the API).</summary>
public sealed class TenantScopeViolationException(string entity)
    : InvalidOperationException($"Refused to write a {entity} outside the current tenant scope.");
