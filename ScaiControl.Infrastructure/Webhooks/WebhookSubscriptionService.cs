using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>A delivery with its attempt log (oldest attempt first).</summary>
/// <param name="Delivery">The delivery row.</param>
/// <param name="Attempts">Every recorded attempt, replays included.</param>
public sealed record WebhookDeliveryView(WebhookDelivery Delivery, IReadOnlyList<WebhookDeliveryAttempt> Attempts);

/// <summary>What "send test event" gave.</summary>
/// <param name="Attempt">The recorded attempt (DeliveryId null).</param>
/// <param name="MessageId">The webhook-id sent.</param>
public sealed record WebhookTestResult(WebhookDeliveryAttempt Attempt, string MessageId)
{
    /// <summary>True for a 2xx answer.</summary>
    public bool Succeeded => Attempt.StatusCode is >= 200 and < 300;
}

/// <summary>
/// The webhook subscriber admin (API, admin UI and CLI): create, list, read, edit, re-enable, rotate the secret,
/// send a test event, list deliveries with their attempts, and replay. The operator (super_admin) manages every
/// partner's subscribers; a partner admin only its own partner's: another partner's subscriber or delivery is
/// "not found" (404) and nothing changes. Input is validated before anything is written (422 naming the field).
/// </summary>
public sealed partial class WebhookSubscriptionService(ScaiDbFactory factory, WebhookOptions options, Secrets.ISecretStore secrets, WebhookDispatcher dispatcher, TimeProvider clock)
{
    private readonly WebhookUrlPolicy _urls = new(options.AllowHttp, options.SsrfProtection);

    /// <summary>
    /// Creates an enabled subscriber for <paramref name="partnerId"/> (default: the actor's partner; the operator
    /// partner's subscribers receive every partner's events). Returns the subscriber and its whsec_ secret, shown once;
    /// the secret itself goes to the secret store at the subscriber's SecretPath.
    /// </summary>
    /// <exception cref="DomainValidationException">Bad URL (field "url"), unknown topic (field "topics"), unknown partner (field "partner_id").</exception>
    public async Task<(WebhookSubscription Subscriber, string Secret)> CreateAsync(Actor actor, string? url, IEnumerable<string?>? topics, string? description, string? partnerId, CancellationToken ct = default)
    {
        Require(actor);
        var uri = await _urls.CheckAsync(url, ct);
        var filter = TopicFilter.Parse(topics);
        CheckDescription(description);

        await using var db = await factory.OpenAsync(actor, "create webhook subscription", ct);
        var owner = partnerId ?? actor.PartnerId ?? throw new DomainValidationException("partner_id", "partner_id is required.");
        if (!await db.Partners.AnyAsync(p => p.Id == owner, ct))
        {
            throw new DomainValidationException("partner_id", $"Unknown partner '{owner}'.");
        }

        var id = Ids.New("whs");
        var secret = StandardWebhooks.NewSecret();
        var path = WebhookSubscription.NewSecretPath(id);
        // The secret is stored first: if the subscriber insert then fails, an unreferenced secret is all that remains.
        await secrets.WriteAsync(path, secret, ct);
        var subscriber = new WebhookSubscription(owner, uri.ToString(), filter, description, path, clock.GetUtcNow(), id);
        db.WebhookSubscriptions.Add(subscriber);
        await db.SaveChangesAsync(ct);
        return (subscriber, secret);
    }

    /// <summary>Every subscriber the actor may see, oldest first (the CLI's list).</summary>
    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await factory.OpenAsync(actor, "list webhook subscriptions", ct);
        return await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
    }

    /// <summary>One page of the subscribers the actor may see, newest first (cursor paging, <see cref="Paging"/>).</summary>
    /// <exception cref="DomainValidationException">limit outside 1..200 or a malformed cursor.</exception>
    public async Task<Page<WebhookSubscription>> ListAsync(Actor actor, string? cursor, int limit, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "list webhook subscriptions", ct);
        return await Paging.ReadAsync(db.WebhookSubscriptions.AsNoTracking(), s => s.Id, cursor, limit, ct);
    }

    /// <summary>The sort keys of the subscriber list: url and created (id order).</summary>
    public static readonly SortKeys<WebhookSubscription> Sorts = new SortKeys<WebhookSubscription>().Text("url", s => s.Url).Text("created", s => s.Id);

    /// <summary>
    /// Like <see cref="ListAsync(Actor, string?, int, CancellationToken)"/>, narrowed to subscribers whose URL or
    /// description contains <paramref name="search"/> (case-insensitive), in the order <paramref name="sort"/> names (null: newest first).
    /// </summary>
    /// <exception cref="DomainValidationException">An unknown sort key, bad limit or cursor.</exception>
    public async Task<Page<WebhookSubscription>> ListAsync(Actor actor, string? search, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "list webhook subscriptions", ct);
        var query = db.WebhookSubscriptions.AsNoTracking();
        if (search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
#pragma warning disable CA1862 // LOWER(...) LIKE '%term%' on every provider
            query = query.Where(s => s.Url.ToLower().Contains(term) || (s.Description != null && s.Description.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        return await Paging.ReadAsync(query, s => s.Id, Sorts, sort, cursor, limit, ct);
    }

    /// <summary>One subscriber.</summary>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    public async Task<WebhookSubscription> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "read webhook subscription", ct);
        return await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new NotFoundException("webhook_subscription", id);
    }

    /// <summary>
    /// The subscribers the actor may see that were disabled automatically (410 Gone, failing for days) and not yet
    /// re-enabled: the admin portal's notice. Empty for actors who cannot manage webhooks.
    /// </summary>
    public async Task<IReadOnlyList<WebhookSubscription>> AutoDisabledAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.Can(Permissions.WebhooksWrite))
        {
            return [];
        }

        // The actor's own scope (no audited operator path): a notice on every page must not write an audit row each time.
        await using var db = actor.IsSuperAdmin ? factory.ForPlatform(actor.UserId) : factory.ForActor(actor);
        var query = actor.IsSuperAdmin ? db.WebhookSubscriptions.IgnoreQueryFilters() : db.WebhookSubscriptions;
        return await query.AsNoTracking().Where(s => !s.Enabled && s.DisabledAt != null).OrderBy(s => s.Id).ToListAsync(ct);
    }

    /// <summary>
    /// Changes URL, topics and description. With <paramref name="replace"/> (PUT) url and topics are required and a
    /// missing description clears it; otherwise (PATCH) only the given fields change. Validated as on create.
    /// </summary>
    /// <exception cref="DomainValidationException">Bad URL (field "url"), unknown topic (field "topics"), description too long.</exception>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    public async Task<WebhookSubscription> UpdateAsync(Actor actor, string id, string? url, IEnumerable<string?>? topics, string? description, bool replace, CancellationToken ct = default)
    {
        Require(actor);
        Uri? uri = url is null && !replace ? null : await _urls.CheckAsync(url, ct);
        TopicFilter? filter = topics is null && !replace ? null : TopicFilter.Parse(topics);
        CheckDescription(description);

        await using var db = await factory.OpenAsync(actor, "update webhook subscription", ct);
        var s = await db.WebhookSubscriptions.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("webhook_subscription", id);
        s.Update(uri?.ToString() ?? s.Url, filter ?? s.Filter, replace || description is not null ? description : s.Description, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return s;
    }

    /// <summary>Re-enables a subscriber (after an automatic or manual disable); a no-op when it is enabled. Deliveries it missed stay failed: replay them.</summary>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    public async Task<WebhookSubscription> EnableAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "enable webhook subscription", ct);
        var s = await db.WebhookSubscriptions.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("webhook_subscription", id);
        if (!s.Enabled)
        {
            s.Enable(clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
        }

        return s;
    }

    /// <summary>
    /// Rotates the signing secret: a new whsec_ secret (returned once) signs from now on; the previous one keeps
    /// signing too for <see cref="WebhookOptions.RotationOverlap"/> (webhook-signature then carries both), so the
    /// consumer can switch without losing a delivery.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown, or another partner's.</exception>
    public async Task<(WebhookSubscription Subscriber, string Secret)> RotateSecretAsync(Actor actor, string id, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "rotate webhook secret", ct);
        var s = await db.WebhookSubscriptions.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("webhook_subscription", id);
        var secret = StandardWebhooks.NewSecret();
        var path = WebhookSubscription.NewSecretPath(id);
        await secrets.WriteAsync(path, secret, ct);
        s.RotateSecret(path, clock.GetUtcNow(), options.RotationOverlap);
        await db.SaveChangesAsync(ct);
        return (s, secret);
    }

    /// <summary>
    /// A page of a subscriber's deliveries, newest first, each with its attempts; optionally only one
    /// <paramref name="status"/> ("pending", "succeeded", "failed") and/or one <paramref name="topic"/> (exact or wildcard).
    /// </summary>
    /// <exception cref="DomainValidationException">Unknown status (field "status") or topic (field "topic"), bad paging.</exception>
    /// <exception cref="NotFoundException">Unknown subscriber, or another partner's.</exception>
    public Task<Page<WebhookDeliveryView>> DeliveriesAsync(Actor actor, string id, string? status, string? topic, string? cursor, int limit, CancellationToken ct = default) =>
        DeliveriesAsync(actor, id, status, topic, null, null, cursor, limit, ct);

    /// <summary>The sort keys of the delivery list: topic, attempts and created (id order).</summary>
    public static readonly SortKeys<WebhookDelivery> DeliverySorts = new SortKeys<WebhookDelivery>().Text("topic", d => d.Topic).Number("attempts", d => d.Attempts).Text("created", d => d.Id);

    /// <summary>
    /// Like the overload without <paramref name="search"/> and <paramref name="sort"/>: narrowed to deliveries whose
    /// topic or event id contains <paramref name="search"/> (case-insensitive), in the order <paramref name="sort"/>
    /// names (<see cref="DeliverySorts"/>; null: newest first).
    /// </summary>
    /// <exception cref="DomainValidationException">Unknown status, topic or sort key, bad paging.</exception>
    /// <exception cref="NotFoundException">Unknown subscriber, or another partner's.</exception>
    public async Task<Page<WebhookDeliveryView>> DeliveriesAsync(Actor actor, string id, string? status, string? topic, string? search, ListSort? sort, string? cursor, int limit, CancellationToken ct = default)
    {
        Require(actor);
        var wanted = ParseStatus(status, allowPending: true);
        var filter = ParseTopic(topic);
        await using var db = await factory.OpenAsync(actor, "list webhook deliveries", ct);
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, ct))
        {
            throw new NotFoundException("webhook_subscription", id);
        }

        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (wanted is { } st)
        {
            query = query.Where(d => d.Status == st);
        }

        if (filter is not null)
        {
            var topics = EventTopics.All.Where(filter.Matches).ToList();
            query = query.Where(d => topics.Contains(d.Topic));
        }

        if (search?.Trim().ToLowerInvariant() is { Length: > 0 } term)
        {
#pragma warning disable CA1862 // LOWER(...) LIKE '%term%' on every provider
            query = query.Where(d => d.Topic.ToLower().Contains(term) || d.EventId.ToLower().Contains(term));
#pragma warning restore CA1862
        }

        var page = await Paging.ReadAsync(query, d => d.Id, DeliverySorts, sort, cursor, limit, ct);
        var ids = page.Items.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookDeliveryAttempts.AsNoTracking().Where(a => a.DeliveryId != null && ids.Contains(a.DeliveryId)).ToListAsync(ct))
            .OrderBy(a => a.StartedAt).ThenBy(a => a.Id, StringComparer.Ordinal).ToLookup(a => a.DeliveryId!);
        return new Page<WebhookDeliveryView>(page.Items.Select(d => new WebhookDeliveryView(d, attempts[d.Id].ToList())).ToList(), page.NextCursor);
    }

    /// <summary>The test events sent to a subscriber (attempts without a delivery), newest first, at most <paramref name="limit"/>.</summary>
    /// <exception cref="NotFoundException">Unknown subscriber, or another partner's.</exception>
    public async Task<IReadOnlyList<WebhookDeliveryAttempt>> TestAttemptsAsync(Actor actor, string id, int limit = 10, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "list webhook test events", ct);
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, ct))
        {
            throw new NotFoundException("webhook_subscription", id);
        }

        return await db.WebhookDeliveryAttempts.AsNoTracking().Where(a => a.SubscriptionId == id && a.DeliveryId == null)
            .OrderByDescending(a => a.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>
    /// Sends a signed test event ("webhook.test.v1", same envelope and signing as real events) synchronously, even to a
    /// disabled subscriber, and records the attempt (DeliveryId null). The endpoint's failure is a result, not an error.
    /// </summary>
    /// <exception cref="NotFoundException">Unknown subscriber, or another partner's.</exception>
    public async Task<WebhookTestResult> SendTestAsync(Actor actor, string id, CancellationToken ct = default)
    {
        var s = await GetAsync(actor, id, ct);
        var now = clock.GetUtcNow();
        var e = new OutboxEvent(new DomainEvent(WebhookPayloads.TestTopic, s.PartnerId, null, s.Id, now, new Dictionary<string, object?>
        {
            ["subscription_id"] = s.Id,
            ["message"] = "Test event sent from the ScaiControl admin.",
        }), $$"""{"subscription_id":"{{s.Id}}","message":"Test event sent from the ScaiControl admin."}""");
        var send = await dispatcher.SendAsync(s, e.IdempotencyKey, WebhookDispatcher.BodyOf(e), now, ct);
        var attempt = new WebhookDeliveryAttempt(s.Id, null, WebhookPayloads.TestTopic, 1, now, send.DurationMs, send.RequestHeadersJson, send.StatusCode, send.ResponseExcerpt, send.Error);
        await using var db = await factory.OpenAsync(actor, "record webhook test event", ct);
        db.WebhookDeliveryAttempts.Add(attempt);
        await db.SaveChangesAsync(ct);
        return new WebhookTestResult(attempt, e.IdempotencyKey);
    }

    /// <summary>
    /// Replays a subscriber's settled deliveries: those created at or after <paramref name="since"/> (RFC 3339),
    /// of <paramref name="topic"/> (exact or wildcard) and <paramref name="status"/> ("failed" or "succeeded"; default
    /// both). Each becomes pending and due now with a fresh retry schedule; the attempt log is kept. All in one save.
    /// Returns how many were replayed.
    /// </summary>
    /// <exception cref="DomainValidationException">Bad since (field "since"), topic (field "topic") or status (field "status").</exception>
    /// <exception cref="NotFoundException">Unknown subscriber, or another partner's.</exception>
    /// <exception cref="DomainConflictException">The subscriber is disabled: enable it first.</exception>
    public Task<int> ReplayAsync(Actor actor, string id, string? since, string? topic, string? status, CancellationToken ct = default) =>
        ReplayAsync(actor, id, since, topic, status, false, ct);

    /// <summary>Like the overload without <paramref name="dryRun"/>; with it, counts what would be replayed and saves nothing.</summary>
    public async Task<int> ReplayAsync(Actor actor, string id, string? since, string? topic, string? status, bool dryRun, CancellationToken ct = default)
    {
        Require(actor);
        var from = since is null ? (DateTimeOffset?)null : ParseRfc3339(since) ?? throw new DomainValidationException("since", $"since '{since}' is not an RFC 3339 time (e.g. 2026-11-30T00:00:00Z).");
        var filter = ParseTopic(topic);
        var wanted = ParseStatus(status, allowPending: false);
        await using var db = await factory.OpenAsync(actor, "replay webhook deliveries", ct);
        var s = await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotFoundException("webhook_subscription", id);
        RequireEnabled(s);
        var query = db.WebhookDeliveries.Where(d => d.SubscriptionId == id && d.Status != WebhookDeliveryStatus.Pending);
        if (wanted is { } st)
        {
            query = query.Where(d => d.Status == st);
        }

        if (from is { } f)
        {
            query = query.Where(d => d.CreatedAt >= f);
        }

        if (filter is not null)
        {
            var topics = EventTopics.All.Where(filter.Matches).ToList();
            query = query.Where(d => topics.Contains(d.Topic));
        }

        var rows = await query.ToListAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var d in rows)
        {
            d.Replay(now);
        }

        if (!dryRun)
        {
            await db.SaveChangesAsync(ct);
        }

        return rows.Count;
    }

    /// <summary>Replays one settled delivery (pending and due now, fresh retry schedule, attempt log kept).</summary>
    /// <exception cref="NotFoundException">Unknown delivery, or one of another partner's subscriber.</exception>
    /// <exception cref="DomainConflictException">It is still pending, or its subscriber is disabled.</exception>
    public Task<WebhookDelivery> ReplayDeliveryAsync(Actor actor, string deliveryId, CancellationToken ct = default) => ReplayDeliveryAsync(actor, deliveryId, false, ct);

    /// <summary>Like the overload without <paramref name="dryRun"/>; with it, the same checks and nothing saved.</summary>
    public async Task<WebhookDelivery> ReplayDeliveryAsync(Actor actor, string deliveryId, bool dryRun, CancellationToken ct = default)
    {
        Require(actor);
        await using var db = await factory.OpenAsync(actor, "replay webhook delivery", ct);
        var d = await db.WebhookDeliveries.SingleOrDefaultAsync(x => x.Id == deliveryId, ct);
        // Visibility follows the subscriber (partner-scoped by the query filter).
        var s = d is null ? null : await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(x => x.Id == d.SubscriptionId, ct);
        if (d is null || s is null)
        {
            throw new NotFoundException("webhook_delivery", deliveryId);
        }

        RequireEnabled(s);
        d.Replay(clock.GetUtcNow());
        if (!dryRun)
        {
            await db.SaveChangesAsync(ct);
        }

        return d;
    }

    /// <summary>Parses an RFC 3339 date-time with an explicit offset ("Z" or ±hh:mm); null when it is not one.</summary>
    public static DateTimeOffset? ParseRfc3339(string? text) =>
        text is not null && Rfc3339().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t.ToUniversalTime() : null;

    /// <summary>The wire name of a delivery status ("pending", "succeeded", "failed").</summary>
    public static string WireName(WebhookDeliveryStatus status) => status.ToString().ToLowerInvariant();

    private static WebhookDeliveryStatus? ParseStatus(string? status, bool allowPending) => status switch
    {
        null or "" => null,
        "failed" => WebhookDeliveryStatus.Failed,
        "succeeded" => WebhookDeliveryStatus.Succeeded,
        "pending" when allowPending => WebhookDeliveryStatus.Pending,
        _ => throw new DomainValidationException("status", allowPending
            ? "status must be 'pending', 'succeeded' or 'failed'."
            : "status must be 'failed' or 'succeeded' (pending deliveries are sent anyway)."),
    };

    private static TopicFilter? ParseTopic(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return null;
        }

        try
        {
            return TopicFilter.Parse([topic]);
        }
        catch (DomainValidationException e)
        {
            throw new DomainValidationException("topic", e.Message);
        }
    }

    private static void RequireEnabled(WebhookSubscription s)
    {
        if (!s.Enabled)
        {
            throw new DomainConflictException($"Webhook subscriber {s.Id} is disabled ({s.DisabledReason ?? "by an operator"}); enable it before replaying.", "disabled", ["enable"]);
        }
    }

    private static void CheckDescription(string? description)
    {
        if (description is { Length: > 500 })
        {
            throw new DomainValidationException("description", "description holds at most 500 characters.");
        }

        Guard.Characters(description, "description");
    }

    private static void Require(Actor actor)
    {
        if (!actor.Can(Permissions.WebhooksWrite))
        {
            throw new UnauthorizedAccessException($"The permission '{Permissions.WebhooksWrite}' is required.");
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
