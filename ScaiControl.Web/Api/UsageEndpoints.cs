using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Usage;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// /api/v1/usage (issue 15): usage ingestion. POST takes {"events":[...]} (or a bare array) of up to 1,000 events
/// {event_id, tenant_id?, meter, quantity (decimal string or number, up to 6 decimals), timestamp (RFC 3339), properties?}
/// and answers 200 with one result per event (accepted | duplicate | rejected with code and reason) once the valid ones
/// are durable. Malformed JSON: 400; more than 1,000 events: 413; no events array: 422. Never 5xx for client input.
/// </summary>
public static class UsageEndpoints
{
    /// <summary>The body limit of POST /api/v1/usage: 4 MiB (1,000 events with properties of up to 4,000 characters each fit).</summary>
    public const long IngestBodyLimit = 4 * 1024 * 1024;

    /// <summary>Maps the endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapUsageApi(this RouteGroupBuilder api)
    {
        var usage = api.MapGroup("/usage").WithTags("Usage");
        usage.MapPost("/", Ingest).RequireAuthorization(Permissions.UsageWrite).WithRequestBodyLimit(IngestBodyLimit).WithName("IngestUsage")
            .WithSummary("Report a batch of up to 1,000 usage events; per event: accepted, duplicate (safe retry) or rejected with the reason")
            .Accepts<JsonElement>("application/json").Produces<UsageBatchResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        usage.MapGet("/summary", Summary).RequireAuthorization(Permissions.UsageRead).WithName("UsageSummary")
            .WithSummary("A subscription's usage per meter by hour, day or period, from the roll-ups")
            .Produces<UsageSummary>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        usage.MapGet("/quota", Quota).RequireAuthorization(Permissions.UsageRead).WithName("UsageQuota")
            .WithSummary("A tenant's quota state on one meter in the current period: used, soft and hard limit, ok | soft_reached | hard_reached")
            .Produces<UsageQuota>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        usage.MapPost("/corrections", Correct).RequireAuthorization(Permissions.UsageWrite).WithName("CorrectUsageEvent")
            .WithSummary("Amend or void a stored usage event by its event_id (stored as a correction; the event is never changed)")
            .Produces<UsageCorrectionResult>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        usage.MapGet("/events", Events).RequireAuthorization(Permissions.UsageRead).WithName("ListUsageEvents")
            .WithSummary("A subscription's stored usage events, cursor-paged in primary-key order")
            .Produces<UsageEventPage>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>GET /api/v1/usage/summary?subscription_id=&amp;meter=&amp;from=&amp;to=&amp;granularity=hour|day|period.</summary>
    public static async Task<IResult> Summary(HttpContext http, UsageQueryService usage, [FromQuery(Name = "subscription_id")] string? subscriptionId, string? meter,
        string? from, string? to, string? granularity, CancellationToken ct) =>
        TypedResults.Ok(await usage.SummaryAsync(http.User.ToActor(), subscriptionId, meter, from, to, granularity, ct));

    /// <summary>GET /api/v1/usage/quota?tenant_id=&amp;meter=.</summary>
    public static async Task<IResult> Quota(HttpContext http, UsageQueryService usage, [FromQuery(Name = "tenant_id")] string? tenantId, string? meter, CancellationToken ct) =>
        TypedResults.Ok(await usage.QuotaAsync(http.User.ToActor(), tenantId, meter, ct));

    /// <summary>GET /api/v1/usage/events?subscription_id=&amp;meter=&amp;from=&amp;to=&amp;cursor=&amp;limit=.</summary>
    public static async Task<IResult> Events(HttpContext http, UsageQueryService usage, [FromQuery(Name = "subscription_id")] string? subscriptionId, string? meter,
        string? from, string? to, string? cursor, string? limit, CancellationToken ct)
    {
        int? size = null;
        if (!string.IsNullOrEmpty(limit))
        {
            size = int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                : throw new Domain.Common.DomainValidationException("limit", "limit must be a whole number between 1 and 200.");
        }

        var page = await usage.EventsAsync(http.User.ToActor(), subscriptionId, meter, from, to, cursor, size, ct);
        return TypedResults.Ok(new UsageEventPage(page.Items, page.NextCursor));
    }

    /// <summary>POST /api/v1/usage/corrections {event_id, tenant_id?, source? (operator only), action: amend|void, quantity? (amend), reason?}: 201 with the correction.</summary>
    public static async Task<IResult> Correct(HttpContext http, UsageCorrectionService corrections, UsageCorrectionRequest body, CancellationToken ct)
    {
        var result = await corrections.CorrectAsync(http.User.ToActor(), new UsageCorrectionInput(body.EventId, body.TenantId, body.Source, body.Action, Quantity(body.Quantity), body.Reason), ct);
        return TypedResults.Created($"/api/v1/usage/corrections/{result.Id}", result);
    }

    private static string? Quantity(JsonElement? q) => q switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        { ValueKind: JsonValueKind.Null } => null,
        _ => "invalid",
    };

    /// <summary>POST /api/v1/usage.</summary>
    public static async Task<IResult> Ingest(HttpContext http, UsageIngestionService usage, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, ct);
        }
        catch (JsonException)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The request body is not valid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            var list = root.ValueKind == JsonValueKind.Array ? root
                : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("events", out var e) && e.ValueKind == JsonValueKind.Array ? e
                : (JsonElement?)null;
            if (list is not { } events)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["events"] = ["The body must be {\"events\": [...]} or an array of events."] },
                    statusCode: StatusCodes.Status422UnprocessableEntity);
            }

            var inputs = events.EnumerateArray().Select(Read).ToList();
            try
            {
                var result = await usage.IngestAsync(http.User.ToActor(), inputs, ct);
                return TypedResults.Ok(new UsageBatchResponse(result.Accepted, result.Duplicates, result.Rejected,
                    result.Results.Select(r => new UsageEventResultDto(r.Index, r.EventId, r.Status, r.Code, r.Reason)).ToArray()));
            }
            catch (BatchTooLargeException tooLarge)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "Batch too large", tooLarge.Message);
            }
        }
    }

    private static UsageEventInput Read(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return new UsageEventInput(null, null, null, null, null, null, "each event must be a JSON object.");
        }

        string? Text(string name, out string? error)
        {
            error = null;
            if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (v.ValueKind == JsonValueKind.String)
            {
                return v.GetString();
            }

            error = $"{name} must be a string.";
            return null;
        }

        var eventId = Text("event_id", out var e1);
        var tenant = Text("tenant_id", out var e2);
        var meter = Text("meter", out var e3);
        var timestamp = Text("timestamp", out var e4);
        string? quantity = null;
        string? e5 = null;
        if (e.TryGetProperty("quantity", out var q))
        {
            quantity = q.ValueKind switch
            {
                JsonValueKind.String => q.GetString(),
                JsonValueKind.Number => q.GetRawText(),
                _ => null,
            };
            e5 = quantity is null ? "quantity must be a decimal string or a number." : null;
        }

        JsonElement? properties = e.TryGetProperty("properties", out var p) ? p.Clone() : null;
        var shape = e1 ?? e2 ?? e3 ?? e4;
        return new UsageEventInput(eventId, tenant, meter, e5 is null ? quantity : "invalid", timestamp, properties, shape);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });
}

/// <summary>One page of GET /api/v1/usage/events; next_cursor is null on the last page.</summary>
public sealed record UsageEventPage(IReadOnlyList<UsageEventItem> Items, string? NextCursor);

/// <summary>The answer to POST /api/v1/usage: counts and one result per event, in the order sent.</summary>
public sealed record UsageBatchResponse(int Accepted, int Duplicates, int Rejected, IReadOnlyList<UsageEventResultDto> Results);

/// <summary>One event's result: status accepted | duplicate | rejected; code and reason when rejected.</summary>
public sealed record UsageEventResultDto(int Index, string? EventId, string Status, string? Code, string? Reason);

/// <summary>The body of POST /api/v1/usage/corrections; quantity a decimal string or a number (amend only).</summary>
public sealed record UsageCorrectionRequest(string? EventId, string? TenantId, string? Source, string? Action, JsonElement? Quantity, string? Reason);
