using System.Text.Json;
using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Usage;

/// <summary>One meter of a closed period: its total and, when the plan charges for it, what was billed.</summary>
/// <param name="MeterId">The meter.</param>
/// <param name="Meter">Its code.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="QuantityMicro">The period's aggregate when last billed (millionths of a unit).</param>
/// <param name="Events">Events counted in the period's roll-ups.</param>
/// <param name="ChargeId">The plan usage charge that priced it (null: the meter is only measured).</param>
/// <param name="AmountMinor">What has been billed for it so far (the line plus any adjustment lines), minor units.</param>
public sealed record ClosedMeter(string MeterId, string Meter, string Unit, long QuantityMicro, long Events, string? ChargeId, long AmountMinor);

/// <summary>
/// That the usage of one subscription period has been billed (issue 15, "billed in arrears"): written with the
/// invoice that carries the period's usage lines, in its transaction; its key (subscription, period start) makes a
/// period's usage invoiced once, also when two nodes bill at the same moment, and usage.period_closed.v1 once. Later
/// invoices re-price the period from the roll-ups (late events, corrections) and bill the difference as an
/// adjustment, raising <see cref="Revision"/>.
/// </summary>
public sealed class UsagePeriodClose : ITenantOwned
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private UsagePeriodClose() { }

    /// <summary>Closes [<paramref name="periodStart"/>, <paramref name="periodEnd"/>) of a subscription on <paramref name="invoiceId"/>.</summary>
    public UsagePeriodClose(string partnerId, string tenantId, string subscriptionId, DateTimeOffset periodStart, DateTimeOffset periodEnd, string currency,
        string invoiceId, IReadOnlyList<ClosedMeter> meters, DateTimeOffset now)
    {
        PartnerId = partnerId;
        TenantId = tenantId;
        SubscriptionId = subscriptionId;
        PeriodStart = periodStart;
        PeriodEnd = periodEnd;
        Currency = currency;
        InvoiceId = invoiceId;
        MetersJson = JsonSerializer.Serialize(meters, Json);
        ClosedAt = now;
        UpdatedAt = now;
    }

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;

    /// <summary>Start of the subscription period (inclusive, UTC).</summary>
    public DateTimeOffset PeriodStart { get; private set; }

    /// <summary>End of the period (exclusive, UTC).</summary>
    public DateTimeOffset PeriodEnd { get; private set; }

    /// <summary>ISO 4217 code of the amounts.</summary>
    public string Currency { get; private set; } = default!;

    /// <summary>The invoice that carries the period's usage lines.</summary>
    public string InvoiceId { get; private set; } = default!;

    /// <summary>The meters as JSON (<see cref="ClosedMeter"/>).</summary>
    public string MetersJson { get; private set; } = "[]";

    /// <summary>Adjustments billed since the close (0 = none); part of each adjustment line's billing key.</summary>
    public int Revision { get; private set; }
    public DateTimeOffset ClosedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The meters.</summary>
    public IReadOnlyList<ClosedMeter> Meters => JsonSerializer.Deserialize<List<ClosedMeter>>(MetersJson, Json) ?? [];

    /// <summary>Records a re-pricing (new quantities and billed amounts); <paramref name="adjusted"/>: an adjustment was billed, raising the revision.</summary>
    public void Reprice(IReadOnlyList<ClosedMeter> meters, bool adjusted, DateTimeOffset now)
    {
        MetersJson = JsonSerializer.Serialize(meters, Json);
        if (adjusted)
        {
            Revision++;
        }

        UpdatedAt = now;
    }
}

/// <summary>What a correction does to its event.</summary>
public enum UsageCorrectionAction
{
    /// <summary>Replaces the event's quantity.</summary>
    Amend,

    /// <summary>Takes the event out (quantity 0, not counted).</summary>
    Void,
}

/// <summary>
/// A correction of a stored usage event (issue 15, "Corrections"): the event row is never changed; the correction is
/// stored beside it and applied to the roll-ups. The latest correction of an event is its effective state.
/// <see cref="Settlement"/> says where the change is billed: on the period's own invoice (not invoiced yet, or
/// within the grace after that invoice was finalised, when the next invoice carries the difference as the period's
/// adjustment), or, after that, as a pending charge or credit (<see cref="ChargeId"/>) on the next invoice.
/// </summary>
public sealed class UsageCorrection : ITenantOwned
{
    /// <summary>The period's usage is not invoiced yet (or within the grace): its invoice or adjustment carries the change.</summary>
    public const string SettledInPeriod = "period";

    /// <summary>Past the grace: the change became a charge or credit on the next invoice.</summary>
    public const string SettledOnNextInvoice = "next_invoice";

    /// <summary>Longest reason kept.</summary>
    public const int MaxReasonLength = 500;

    private UsageCorrection() { }

    /// <summary>A correction of the event (<paramref name="source"/>, <paramref name="eventId"/>) of a tenant.</summary>
    public UsageCorrection(string partnerId, string tenantId, string source, string eventId, string subscriptionId, string meterId, DateTimeOffset occurredAt,
        UsageCorrectionAction action, long previousQuantityMicro, long quantityMicro, string? reason, string settlement, string? chargeId, string? createdBy, DateTimeOffset now)
    {
        Id = Ids.New("ucr");
        PartnerId = partnerId;
        TenantId = tenantId;
        Source = source;
        EventId = eventId;
        SubscriptionId = subscriptionId;
        MeterId = meterId;
        OccurredAt = occurredAt;
        Action = action;
        PreviousQuantityMicro = previousQuantityMicro;
        QuantityMicro = action == UsageCorrectionAction.Void ? 0 : quantityMicro;
        Reason = reason is null ? null : Guard.Text(reason, "reason", MaxReasonLength);
        Settlement = settlement;
        ChargeId = chargeId;
        CreatedBy = createdBy;
        CreatedAt = now;
    }

    /// <summary>Time-ordered id ("ucr_..."): the latest correction of an event has the greatest id.</summary>
    public string Id { get; private set; } = default!;

    /// <inheritdoc/>
    public string PartnerId { get; private set; } = default!;

    /// <inheritdoc/>
    public string TenantId { get; private set; } = default!;
    public string Source { get; private set; } = default!;
    public string EventId { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;
    public string MeterId { get; private set; } = default!;

    /// <summary>The corrected event's timestamp (its roll-up buckets).</summary>
    public DateTimeOffset OccurredAt { get; private set; }
    public UsageCorrectionAction Action { get; private set; }

    /// <summary>The event's effective quantity before this correction, millionths.</summary>
    public long PreviousQuantityMicro { get; private set; }

    /// <summary>The effective quantity after it (0 for a void), millionths.</summary>
    public long QuantityMicro { get; private set; }
    public string? Reason { get; private set; }

    /// <summary><see cref="SettledInPeriod"/> or <see cref="SettledOnNextInvoice"/>.</summary>
    public string Settlement { get; private set; } = default!;

    /// <summary>The pending charge or credit, when settled on the next invoice and the amount changed.</summary>
    public string? ChargeId { get; private set; }
    public string? CreatedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
}
