using System.Text.Json.Nodes;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;

namespace ScaiControl.Domain.Usage;

/// <summary>
/// The documented "data" shape of the usage topics (issue 15), next to the ingestion that produces them;
/// docs/webhooks.md is generated from <see cref="WebhookPayloads"/>, which includes these.
/// </summary>
public static class UsagePayloads
{
    /// <summary>The shapes: usage.quota_reached.v1, usage.period_closed.v1.</summary>
    public static IReadOnlyList<PayloadShape> Shapes() =>
    [
        new(EventTopics.UsageQuotaReached, "A tenant's usage of a meter reached its plan's soft quota in the current period (sent once per period per subscription and meter, by the ingestion that crossed it).",
        [
            new("subscription_id", "string", "The subscription the usage is attributed to.", "sub_01JD8Z0Q4M7P3X5V6W7Y8Z9A0F"),
            new("tenant_id", "string", "The tenant.", "tnt_01JD8Z0Q4M7P3X5V6W7Y8Z9A0C"),
            new("partner_id", "string", "The tenant's partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
            new("meter_id", "string", "The meter.", "mtr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0R"),
            new("meter", "string", "The meter's code.", "api_calls"),
            new("unit", "string", "The meter's unit.", "call"),
            new("quota", "string", "Which quota was reached.", "soft", Enum: ["soft"]),
            new("limit", "integer", "The soft quota, whole units per period.", 10000),
            new("hard_limit", "integer", "The hard quota, whole units per period (null: none).", 12000, Nullable: true),
            new("used", "string", "The period's usage when the quota was found reached (decimal text, up to 6 decimals).", "10000"),
            new("period_start", "date-time", "Start of the subscription period (inclusive).", "2026-12-01T00:00:00Z"),
            new("period_end", "date-time", "End of the subscription period (exclusive).", "2027-01-01T00:00:00Z"),
            new("reached_at", "date-time", "When the ingestion found it reached (UTC).", "2026-12-18T14:05:00Z"),
        ]),
        new(EventTopics.UsagePeriodClosed, "A subscription period's usage was closed: billed in arrears on the invoice made when the next period starts (once per subscription and period, with the totals per meter).",
        [
            new("subscription_id", "string", "The subscription.", "sub_01JD8Z0Q4M7P3X5V6W7Y8Z9A0F"),
            new("tenant_id", "string", "The tenant.", "tnt_01JD8Z0Q4M7P3X5V6W7Y8Z9A0C"),
            new("partner_id", "string", "The tenant's partner.", "ptr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0D"),
            new("period_start", "date-time", "Start of the subscription period (inclusive).", "2026-11-01T00:00:00Z"),
            new("period_end", "date-time", "End of the subscription period (exclusive).", "2026-12-01T00:00:00Z"),
            new("invoice_id", "string", "The invoice that carries the period's usage lines.", "inv_01JD8Z0Q4M7P3X5V6W7Y8Z9A0G"),
            new("currency", "string", "ISO 4217 code of the amounts.", "EUR"),
            new("amount", "integer", "The usage lines' total, net, minor units.", 1530),
            new("meters", "array", "Per meter of the service: meter_id, meter (code), unit, quantity (decimal text), events, amount (minor units; null when the plan does not charge for it).",
                new JsonArray(new JsonObject { ["meter_id"] = "mtr_01JD8Z0Q4M7P3X5V6W7Y8Z9A0R", ["meter"] = "api_calls", ["unit"] = "call", ["quantity"] = "25300", ["events"] = 25300, ["amount"] = 1530 })),
            new("closed_at", "date-time", "When the billing run closed it (UTC).", "2026-12-01T00:04:00Z"),
        ]),
    ];
}
