using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Audit;

/// <summary>
/// One audit-log row: who (user id, or "system:&lt;job&gt;"), what (action and entity), when (UTC), and the entity's
/// values before and after as JSON. Written for every mutation in the same transaction (spec 002 migration 001).
/// </summary>
public sealed class AuditEntry
{
    private AuditEntry() { }

    /// <summary>Creates an audit row.</summary>
    public AuditEntry(string actor, string? partnerId, string? tenantId, string action, string entityType, string entityId, string? beforeJson, string? afterJson, DateTimeOffset occurredAt)
    {
        Id = Ids.New("aud");
        Actor = actor;
        PartnerId = partnerId;
        TenantId = tenantId;
        Action = action;
        EntityType = entityType;
        EntityId = entityId;
        BeforeJson = beforeJson;
        AfterJson = afterJson;
        OccurredAt = occurredAt;
    }

    public string Id { get; private set; } = default!;
    public string Actor { get; private set; } = default!;
    public string? PartnerId { get; private set; }
    public string? TenantId { get; private set; }

    /// <summary>"created", "updated", "deleted" or a named operation such as "operator_access".</summary>
    public string Action { get; private set; } = default!;
    public string EntityType { get; private set; } = default!;
    public string EntityId { get; private set; } = default!;
    public string? BeforeJson { get; private set; }
    public string? AfterJson { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }
}
