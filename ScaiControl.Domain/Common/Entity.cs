namespace ScaiControl.Domain.Common;

/// <summary>
/// An aggregate that records what happened to it as outbox events. The persistence layer writes them to the
/// outbox in the same transaction as the state change (spec 002, migration 022) and then clears them.
/// </summary>
public abstract class AggregateRoot
{
    private readonly List<DomainEvent> _events = [];

    /// <summary>Events raised since the aggregate was loaded, in order.</summary>
    public IReadOnlyList<DomainEvent> PendingEvents => _events;

    /// <summary>Records an event to be written to the outbox with the next save.</summary>
    protected void Raise(DomainEvent domainEvent) => _events.Add(domainEvent);

    /// <summary>Forgets the pending events (called once they are in the outbox).</summary>
    public void ClearEvents() => _events.Clear();
}

/// <summary>
/// Something that happened, as it will appear on the outbox: a topic from the spec's changelog (e.g.
/// "subscription.activated.v1"), the owning partner/tenant and a snake_case JSON-ready payload.
/// </summary>
public sealed record DomainEvent(string Topic, string PartnerId, string? TenantId, string AggregateId, DateTimeOffset OccurredAt, IReadOnlyDictionary<string, object?> Payload);

/// <summary>Marks an entity owned by one tenant of one partner; every such entity is filtered by the tenant query filter.</summary>
public interface ITenantOwned
{
    /// <summary>The partner the tenant belongs to.</summary>
    string PartnerId { get; }

    /// <summary>The owning tenant.</summary>
    string TenantId { get; }
}

/// <summary>Marks an entity owned by a partner (seller side); visible to the partner and the operator.</summary>
public interface IPartnerOwned
{
    /// <summary>The owning partner.</summary>
    string PartnerId { get; }
}
