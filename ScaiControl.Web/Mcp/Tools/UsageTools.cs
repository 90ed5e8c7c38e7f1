using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Usage;
using ScaiControl.Web.Api;

namespace ScaiControl.Web.Mcp.Tools;

/// <summary>One usage event as report_usage takes it (the fields of POST /api/v1/usage; quantity as decimal text).</summary>
public sealed record UsageEventArgument(string? EventId, string? TenantId, string? Meter, string? Quantity, string? Timestamp, JsonElement? Properties);

/// <summary>Usage reporting and summaries (issue 15), through the same services as POST /api/v1/usage and GET /api/v1/usage/summary.</summary>
[McpServerToolType]
public static class UsageTools
{
    /// <summary>report_usage: a batch of up to 1,000 events through <see cref="UsageIngestionService"/>; per event accepted, duplicate or rejected with the reason.</summary>
    [McpServerTool(Name = "report_usage", Title = "Report usage events", ReadOnly = false, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Report up to 1,000 usage events [{event_id, tenant_id (optional for a tenant), meter (code or service.code), quantity (decimal text, up to 6 decimals), "
        + "timestamp (RFC 3339), properties}]. event_id is the idempotency key: a resent event is 'duplicate', never counted twice. The answer gives per event "
        + "accepted | duplicate | rejected with code and reason (unknown_meter, bad_quantity, timestamp_too_old, not_your_tenant, quota_exceeded, ...).")]
    [McpPermission(Permissions.UsageWrite)]
    [McpMoneyMoving]
    public static Task<CallToolResult> ReportUsage(RequestContext<CallToolRequestParams> context, UsageIngestionService usage,
        [Description("The events.")] IReadOnlyList<UsageEventArgument> events,
        [Description("The client's id of this call; a repeat with the same id returns the first answer.")] string? request_id = null,
        CancellationToken ct = default)
    {
        _ = request_id;
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync(async () =>
        {
            var inputs = (events ?? []).Select(e => e is null
                ? new UsageEventInput(null, null, null, null, null, null, "each event must be a JSON object.")
                : new UsageEventInput(e.EventId, e.TenantId, e.Meter, e.Quantity, e.Timestamp, e.Properties)).ToList();
            try
            {
                var result = await usage.IngestAsync(actor, inputs, ct);
                return new UsageBatchResponse(result.Accepted, result.Duplicates, result.Rejected,
                    result.Results.Select(r => new UsageEventResultDto(r.Index, r.EventId, r.Status, r.Code, r.Reason)).ToArray());
            }
            catch (BatchTooLargeException tooLarge)
            {
                throw new Domain.Common.DomainValidationException("events", tooLarge.Message);
            }
        });
    }

    /// <summary>usage_summary: a subscription's usage per meter by hour, day or period, from the roll-ups (<see cref="UsageQueryService.SummaryAsync"/>).</summary>
    [McpServerTool(Name = "usage_summary", Title = "Usage summary", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("A subscription's usage per meter over [from, to) (default: the current period) at granularity hour | day | period, with totals by the meter's "
        + "aggregation (sum, count, max, latest, unique_count) as decimal text. Bounds are RFC 3339 on whole hours (UTC midnights for day).")]
    [McpPermission(Permissions.UsageRead)]
    public static Task<CallToolResult> UsageSummary(RequestContext<CallToolRequestParams> context, UsageQueryService usage,
        [Description("The subscription (sub_...).")] string subscription_id,
        [Description("Only this meter (code or service.code).")] string? meter = null,
        [Description("Start, inclusive (RFC 3339).")] string? from = null,
        [Description("End, exclusive (RFC 3339).")] string? to = null,
        [Description("hour | day | period (default day).")] string? granularity = null,
        CancellationToken ct = default)
    {
        var actor = McpActor.Of(context);
        return McpToolResults.RunAsync(() => usage.SummaryAsync(actor, subscription_id, meter, from, to, granularity, ct));
    }
}
