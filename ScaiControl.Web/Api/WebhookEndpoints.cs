using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Webhooks;
using ScaiControl.Web.Auth;

namespace ScaiControl.Web.Api;

/// <summary>
/// /api/v1/admin/webhook-subscriptions and /api/v1/admin/webhook-deliveries (issue 5): the subscriber admin for
/// the operator (every partner) and partner admins (their own partner; another partner's subscriber or delivery is
/// a 404). Needs the "webhooks:write" permission. Bad input is a 422 naming the field, and nothing is written.
/// </summary>
public static class WebhookEndpoints
{
    private const int DefaultLimit = 50;

    /// <summary>Maps the webhook admin endpoints under <paramref name="api"/> (the /api/v1 group).</summary>
    public static void MapWebhookApi(this RouteGroupBuilder api)
    {
        var subs = api.MapGroup("/admin/webhook-subscriptions").WithTags("Webhooks").RequireAuthorization(Permissions.WebhooksWrite);
        subs.MapPost("/", Create).WithName("CreateWebhookSubscription").WithSummary("Add a webhook subscriber (the whsec_ secret is returned once)")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subs.MapGet("/", List).WithName("ListWebhookSubscriptions").WithSummary("List webhook subscribers (cursor paging, newest first)")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subs.MapGet("/{id}", Get).WithName("GetWebhookSubscription").WithSummary("Read a webhook subscriber").ProducesProblem(StatusCodes.Status404NotFound);
        subs.MapPatch("/{id}", Patch).WithName("PatchWebhookSubscription").WithSummary("Change url, topics and/or description (only the fields given)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subs.MapPut("/{id}", Put).WithName("PutWebhookSubscription").WithSummary("Replace url, topics and description")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subs.MapPost("/{id}/enable", Enable).WithName("EnableWebhookSubscription").WithSummary("Re-enable a (possibly automatically) disabled subscriber")
            .ProducesProblem(StatusCodes.Status404NotFound);
        subs.MapPost("/{id}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret")
            .WithSummary("New whsec_ secret (returned once); the old one keeps signing, beside it, for the overlap window").ProducesProblem(StatusCodes.Status404NotFound);
        subs.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("A subscriber's deliveries with every attempt (cursor paging; filters status, topic)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        subs.MapPost("/{id}/test", SendTest).WithName("SendWebhookTestEvent").WithSummary("Send a signed test event now; returns status and duration")
            .ProducesProblem(StatusCodes.Status404NotFound);
        subs.MapPost("/{id}/replay", Replay).WithName("ReplayWebhookDeliveries")
            .WithSummary("Replay settled deliveries matching {since, topic, status}: pending and due now, attempt log kept")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGroup("/admin/webhook-deliveries").WithTags("Webhooks").RequireAuthorization(Permissions.WebhooksWrite)
            .MapPost("/{id}/replay", ReplayOne).WithName("ReplayWebhookDelivery").WithSummary("Replay one delivery")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    /// <summary>POST /api/v1/admin/webhook-subscriptions {"url", "topics", "description", "partner_id"?}.</summary>
    public static async Task<Created<WebhookSubscriptionCreatedDto>> Create(WebhookSubscriptionRequest? body, HttpContext http, WebhookSubscriptionService service, CancellationToken ct)
    {
        var (s, secret) = await service.CreateAsync(http.User.ToActor(), body?.Url, body?.Topics, body?.Description, body?.PartnerId, ct);
        return TypedResults.Created($"/api/v1/admin/webhook-subscriptions/{s.Id}", new WebhookSubscriptionCreatedDto(WebhookSubscriptionDto.From(s), secret));
    }

    /// <summary>GET /api/v1/admin/webhook-subscriptions?cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<WebhookSubscriptionDto>>> List(HttpContext http, WebhookSubscriptionService service, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await service.ListAsync(http.User.ToActor(), cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<WebhookSubscriptionDto>(page.Items.Select(WebhookSubscriptionDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>GET /api/v1/admin/webhook-subscriptions/{id}.</summary>
    public static async Task<Ok<WebhookSubscriptionDto>> Get(string id, HttpContext http, WebhookSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(WebhookSubscriptionDto.From(await service.GetAsync(http.User.ToActor(), id, ct)));

    /// <summary>PATCH /api/v1/admin/webhook-subscriptions/{id} {"url"?, "topics"?, "description"?}.</summary>
    public static async Task<Ok<WebhookSubscriptionDto>> Patch(string id, WebhookSubscriptionRequest? body, HttpContext http, WebhookSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(WebhookSubscriptionDto.From(await service.UpdateAsync(http.User.ToActor(), id, body?.Url, body?.Topics, body?.Description, replace: false, ct)));

    /// <summary>PUT /api/v1/admin/webhook-subscriptions/{id} {"url", "topics", "description"}.</summary>
    public static async Task<Ok<WebhookSubscriptionDto>> Put(string id, WebhookSubscriptionRequest? body, HttpContext http, WebhookSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(WebhookSubscriptionDto.From(await service.UpdateAsync(http.User.ToActor(), id, body?.Url, body?.Topics, body?.Description, replace: true, ct)));

    /// <summary>POST /api/v1/admin/webhook-subscriptions/{id}/enable.</summary>
    public static async Task<Ok<WebhookSubscriptionDto>> Enable(string id, HttpContext http, WebhookSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(WebhookSubscriptionDto.From(await service.EnableAsync(http.User.ToActor(), id, ct)));

    /// <summary>POST /api/v1/admin/webhook-subscriptions/{id}/rotate-secret: the subscriber and the new secret (shown once).</summary>
    public static async Task<Ok<WebhookSubscriptionCreatedDto>> RotateSecret(string id, HttpContext http, WebhookSubscriptionService service, CancellationToken ct)
    {
        var (s, secret) = await service.RotateSecretAsync(http.User.ToActor(), id, ct);
        return TypedResults.Ok(new WebhookSubscriptionCreatedDto(WebhookSubscriptionDto.From(s), secret));
    }

    /// <summary>GET /api/v1/admin/webhook-subscriptions/{id}/deliveries?status=&amp;topic=&amp;cursor=&amp;limit=.</summary>
    public static async Task<Ok<ListResponse<WebhookDeliveryDto>>> Deliveries(string id, HttpContext http, WebhookSubscriptionService service, string? status, string? topic, string? cursor, int? limit, CancellationToken ct)
    {
        var page = await service.DeliveriesAsync(http.User.ToActor(), id, status, topic, cursor, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new ListResponse<WebhookDeliveryDto>(page.Items.Select(WebhookDeliveryDto.From).ToArray(), page.NextCursor));
    }

    /// <summary>POST /api/v1/admin/webhook-subscriptions/{id}/test: 200 with the attempt (also when the endpoint failed: see "succeeded").</summary>
    public static async Task<Ok<WebhookTestResultDto>> SendTest(string id, HttpContext http, WebhookSubscriptionService service, CancellationToken ct)
    {
        var result = await service.SendTestAsync(http.User.ToActor(), id, ct);
        return TypedResults.Ok(new WebhookTestResultDto(result.MessageId, result.Succeeded, result.Attempt.StatusCode, result.Attempt.DurationMs, result.Attempt.Error,
            WebhookAttemptDto.From(result.Attempt)));
    }

    /// <summary>POST /api/v1/admin/webhook-subscriptions/{id}/replay {"since"?, "topic"?, "status"?}: how many deliveries were replayed.</summary>
    public static async Task<Ok<WebhookReplayResultDto>> Replay(string id, WebhookReplayRequest? body, HttpContext http, WebhookSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(new WebhookReplayResultDto(await service.ReplayAsync(http.User.ToActor(), id, body?.Since, body?.Topic, body?.Status, ct)));

    /// <summary>POST /api/v1/admin/webhook-deliveries/{id}/replay.</summary>
    public static async Task<Ok<WebhookDeliveryDto>> ReplayOne(string id, HttpContext http, WebhookSubscriptionService service, CancellationToken ct) =>
        TypedResults.Ok(WebhookDeliveryDto.From(new WebhookDeliveryView(await service.ReplayDeliveryAsync(http.User.ToActor(), id, ct), [])));
}

/// <summary>POST /admin/webhook-subscriptions/{id}/replay body; every field optional.</summary>
/// <param name="Since">RFC 3339: deliveries created at or after it.</param>
/// <param name="Topic">An exact topic or a wildcard such as subscription.*.</param>
/// <param name="Status">"failed" or "succeeded" (default: both).</param>
public sealed record WebhookReplayRequest(string? Since, string? Topic, string? Status);

/// <summary>How many deliveries a replay reset to pending.</summary>
public sealed record WebhookReplayResultDto(int Replayed);

/// <summary>
/// One HTTP attempt of a delivery or test event: the request headers sent (webhook-id, webhook-timestamp,
/// webhook-signature, content-type, user-agent), the status (null: no answer), at most 2000 characters of the
/// response body, and the milliseconds until the response headers arrived.
/// </summary>
public sealed record WebhookAttemptDto(string Id, int AttemptNumber, DateTimeOffset StartedAt, long DurationMs, IReadOnlyDictionary<string, string> RequestHeaders,
    int? StatusCode, string? ResponseExcerpt, string? Error)
{
    /// <summary>Maps an attempt row.</summary>
    public static WebhookAttemptDto From(WebhookDeliveryAttempt a) => new(a.Id, a.AttemptNumber, a.StartedAt, a.DurationMs,
        JsonSerializer.Deserialize<Dictionary<string, string>>(a.RequestHeaders) ?? [], a.StatusCode, a.ResponseExcerpt, a.Error);
}

/// <summary>
/// A delivery of one event to one subscriber: status "pending", "succeeded" or "failed"; attempts in the current
/// round (a replay restarts it at 0); the attempt log with every recorded attempt, replays included, oldest first.
/// </summary>
public sealed record WebhookDeliveryDto(string Id, string SubscriptionId, string EventId, string IdempotencyKey, string Topic, string Status, int Attempts,
    DateTimeOffset? NextAttemptAt, int? LastStatusCode, string? LastError, DateTimeOffset? LastAttemptAt, DateTimeOffset CreatedAt, IReadOnlyList<WebhookAttemptDto> AttemptLog)
{
    /// <summary>Maps a delivery view.</summary>
    public static WebhookDeliveryDto From(WebhookDeliveryView v)
    {
        var d = v.Delivery;
        return new(d.Id, d.SubscriptionId, d.EventId, d.IdempotencyKey, d.Topic, WebhookSubscriptionService.WireName(d.Status), d.Attempts, d.NextAttemptAt,
            d.LastStatusCode, d.LastError, d.LastAttemptAt, d.CreatedAt, v.Attempts.Select(WebhookAttemptDto.From).ToArray());
    }
}

/// <summary>The result of "send test event".</summary>
public sealed record WebhookTestResultDto(string MessageId, bool Succeeded, int? StatusCode, long DurationMs, string? Error, WebhookAttemptDto Attempt);
