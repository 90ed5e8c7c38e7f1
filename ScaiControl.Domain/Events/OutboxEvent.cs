using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Events;

/// <summary>
/// A row of the durable event outbox (spec 002 migration 022, table 1): written in the same transaction as the
/// business change; a dispatcher (webhooks issue) delivers it at least once. <see cref="IdempotencyKey"/> travels
/// with every delivery so subscribers can de-duplicate.
/// </summary>
public sealed class OutboxEvent
{
    private OutboxEvent() { }

    /// <summary>Creates the outbox row of a domain event; <paramref name="payloadJson"/> is its snake_case JSON payload.</summary>
    public OutboxEvent(DomainEvent e, string payloadJson)
    {
        Id = Ids.New("evt");
        Topic = e.Topic;
        PartnerId = e.PartnerId;
        TenantId = e.TenantId;
        AggregateId = e.AggregateId;
        PayloadJson = payloadJson;
        OccurredAt = e.OccurredAt;
        IdempotencyKey = Id;
    }

    public string Id { get; private set; } = default!;
    public string Topic { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string? TenantId { get; private set; }
    public string AggregateId { get; private set; } = default!;
    public string PayloadJson { get; private set; } = default!;
    public DateTimeOffset OccurredAt { get; private set; }
    public string IdempotencyKey { get; private set; } = default!;

    /// <summary>When the webhook dispatcher created this event's delivery rows (null: not yet fanned out).</summary>
    public DateTimeOffset? FannedOutAt { get; private set; }

    /// <summary>Marks the event fanned out (in the same transaction as its delivery rows).</summary>
    public void MarkFannedOut(DateTimeOffset now) => FannedOutAt ??= now;
}
