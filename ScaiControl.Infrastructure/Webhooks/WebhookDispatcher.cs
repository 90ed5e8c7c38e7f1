using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Webhooks;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Webhooks;

/// <summary>Webhook delivery settings (section "Webhooks").</summary>
public sealed class WebhookOptions
{
    /// <summary>Refuse private, loopback and link-local targets (on by default outside Development).</summary>
    public bool SsrfProtection { get; set; } = true;

    /// <summary>Allow http:// endpoints (Development only by default).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Run the dispatcher job every 10 s (tests switch it off and call the passes themselves).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>Timeout of one POST.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deliveries claimed per pass.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How many POSTs run at once within a pass.</summary>
    public int Parallelism { get; set; } = 16;

    /// <summary>A subscriber failing without a single success for this long is disabled.</summary>
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromDays(5);

    /// <summary>After a secret rotation, how long the previous secret still signs (both signatures are sent).</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the dispatch job looks for work (Webhooks:PollInterval; read by the job schedule).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one run of the dispatch job keeps running passes back to back while there is work.</summary>
    public TimeSpan DrainFor { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>What a pass did.</summary>
/// <param name="FannedOut">Events fanned out.</param>
/// <param name="DeliveriesCreated">Delivery rows created by fan-out.</param>
/// <param name="Attempted">POSTs made.</param>
/// <param name="Succeeded">2xx answers.</param>
public sealed record WebhookPassResult(int FannedOut, int DeliveriesCreated, int Attempted, int Succeeded);

/// <summary>
/// The two-pass webhook dispatcher (spec 000/001). <see cref="FanOutAsync"/> turns outbox events not yet fanned out
/// into one delivery row per matching enabled subscriber (a subscriber sees its own partner's events; subscribers of
/// the operator partner see all), marking the events in the same transaction; the unique (subscription,
/// idempotency key) makes a concurrent second fan-out fail harmlessly. <see cref="DeliverAsync"/> claims due
/// deliveries (<see cref="IDeliveryClaim"/>: FOR UPDATE SKIP LOCKED on PostgreSQL and MariaDB, one UPDATE ... RETURNING on SQLite;
/// one retriable unit, so a Galera claim that collides with another node's is run again), leases them for
/// <see cref="Lease"/> so a node killed mid-POST leaves them to be retried (at-least-once), POSTs each signed per
/// Standard Webhooks, and records the outcome: 2xx succeeded; 410 disables the subscriber; 429/503 honour
/// Retry-After; anything else follows <see cref="RetrySchedule"/>.
/// </summary>
public sealed class WebhookDispatcher(ScaiDbFactory factory, IHttpClientFactory http, WebhookOptions options, Secrets.ISecretStore secrets, Distributed.ISharedCache cache, ILogger<WebhookDispatcher> logger)
{
    /// <summary>The named HttpClient used for deliveries.</summary>
    public const string HttpClientName = "webhooks";

    /// <summary>How long a claimed delivery is reserved for the claiming node.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly WebhookUrlPolicy _urls = new(options.AllowHttp, options.SsrfProtection);

    // Secret paths are versioned and never overwritten (a rotation writes a new path), so a resolved secret can be
    // cached long: one secret-store read per secret, not one per POST (docs/benchmarks.md). Shared by all nodes
    // (encrypted with the data-protection key ring) when Redis is configured.
    private static readonly TimeSpan SecretCacheFor = TimeSpan.FromHours(1);

    /// <summary>Runs fan-out then delivery.</summary>
    public async Task<WebhookPassResult> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var fan = await FanOutAsync(now, ct);
        var deliver = await DeliverAsync(now, ct);
        return fan with { Attempted = deliver.Attempted, Succeeded = deliver.Succeeded };
    }

    /// <summary>Creates the delivery rows of events not yet fanned out (in batches of 500 until none is left).</summary>
    public async Task<WebhookPassResult> FanOutAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        // Cheap idle check without the audited system scope (outbox rows carry no tenant filter): no audit row per idle pass.
        await using (var probe = factory.ForPlatform("system:webhook-dispatcher"))
        {
            if (!await probe.OutboxEvents.AnyAsync(e => e.FannedOutAt == null, ct))
            {
                return new WebhookPassResult(0, 0, 0, 0);
            }
        }

        int events = 0, created = 0;
        while (true)
        {
            await using var db = await factory.ForSystemAsync("webhook-dispatcher", ct);
            var batch = await db.OutboxEvents.Where(e => e.FannedOutAt == null).OrderBy(e => e.Id).Take(500).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return new WebhookPassResult(events, created, 0, 0);
            }

            var operators = (await db.Partners.Where(p => p.IsOperator).Select(p => p.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var subscribers = (await db.WebhookSubscriptions.Where(s => s.Enabled).ToListAsync(ct))
                .Select(s => (s.Id, s.PartnerId, Filter: s.Filter, SeesAll: operators.Contains(s.PartnerId))).ToList();
            var keys = batch.Select(e => e.IdempotencyKey).ToList();
            var existing = (await db.WebhookDeliveries.Where(d => keys.Contains(d.IdempotencyKey)).Select(d => new { d.SubscriptionId, d.IdempotencyKey }).ToListAsync(ct))
                .Select(d => (d.SubscriptionId, d.IdempotencyKey)).ToHashSet();
            foreach (var e in batch)
            {
                foreach (var s in subscribers.Where(s => (s.SeesAll || s.PartnerId == e.PartnerId) && s.Filter.Matches(e.Topic)))
                {
                    if (existing.Add((s.Id, e.IdempotencyKey)))
                    {
                        db.WebhookDeliveries.Add(new WebhookDelivery(s.Id, e.Id, e.IdempotencyKey, e.Topic, now));
                        created++;
                    }
                }

                e.MarkFannedOut(now);
            }

            try
            {
                await db.SaveChangesAsync(ct);
                events += batch.Count;
            }
            catch (DbUpdateException ex)
            {
                // Another node fanned out the same events at the same moment (unique key): it did the work.
                logger.LogInformation(ex, "Webhook fan-out raced with another node; leaving the batch to it.");
                return new WebhookPassResult(events, created, 0, 0);
            }
        }
    }

    /// <summary>POSTs the deliveries due at <paramref name="now"/> (one batch).</summary>
    public async Task<WebhookPassResult> DeliverAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        now = now.ToUniversalTime();
        await using (var probe = factory.ForPlatform("system:webhook-dispatcher"))
        {
            if (!await probe.WebhookDeliveries.AnyAsync(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now, ct))
            {
                return new WebhookPassResult(0, 0, 0, 0);
            }
        }

        var claimed = await ClaimAsync(now, ct);
        if (claimed.Count == 0)
        {
            return new WebhookPassResult(0, 0, 0, 0);
        }

        Dictionary<string, WebhookSubscription> subscribers;
        Dictionary<string, OutboxEvent> events;
        await using (var db = await factory.ForSystemAsync("webhook-dispatcher", ct))
        {
            var subIds = claimed.Select(d => d.SubscriptionId).Distinct().ToList();
            var eventIds = claimed.Select(d => d.EventId).Distinct().ToList();
            subscribers = await db.WebhookSubscriptions.AsNoTracking().Where(s => subIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
            events = await db.OutboxEvents.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        }

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, Outcome>();
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = ct }, async (d, token) =>
            outcomes[d.Id] = await AttemptAsync(subscribers.GetValueOrDefault(d.SubscriptionId), events[d.EventId], d, now, token));

        // A node stopped here (cancelled, killed) records nothing: its leases run out and another node delivers again.
        ct.ThrowIfCancellationRequested();

        await using (var db = await factory.ForSystemAsync("webhook-dispatcher", ct))
        {
            var ids = claimed.Select(d => d.Id).ToList();
            var rows = await db.WebhookDeliveries.Where(d => ids.Contains(d.Id)).ToListAsync(ct);
            var subIds = rows.Select(d => d.SubscriptionId).Distinct().ToList();
            var subs = await db.WebhookSubscriptions.Where(s => subIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
            foreach (var row in rows)
            {
                var o = outcomes[row.Id];
                var sub = subs.GetValueOrDefault(row.SubscriptionId);
                if (row.Status != WebhookDeliveryStatus.Pending)
                {
                    continue; // replayed or settled meanwhile by another node after our lease ran out
                }

                switch (o.Kind)
                {
                    case OutcomeKind.Success:
                        row.Succeeded(o.StatusCode!.Value, now);
                        sub?.RecordSuccess();
                        break;
                    case OutcomeKind.Gone:
                        row.Abandon(o.StatusCode, o.Error, now, countAttempt: true);
                        sub?.Disable("The endpoint answered 410 Gone.", now);
                        break;
                    case OutcomeKind.Skipped:
                        row.Abandon(null, o.Error, now, countAttempt: false);
                        break;
                    default:
                        row.AttemptFailed(o.StatusCode, o.Error, now, o.RetryAfter);
                        if (sub is not null)
                        {
                            sub.RecordFailure(now);
                            if (sub.Enabled && now - sub.ConsecutiveFailureSince >= options.DisableAfterFailingFor)
                            {
                                sub.Disable($"Every delivery failed for {options.DisableAfterFailingFor.TotalDays:0} days.", now);
                            }
                        }

                        break;
                }

                if (o.Kind != OutcomeKind.Skipped)
                {
                    // The attempt log row goes in the same save as the delivery's outcome.
                    db.WebhookDeliveryAttempts.Add(new WebhookDeliveryAttempt(row.SubscriptionId, row.Id, row.Topic, row.Attempts, now, o.Send.DurationMs,
                        o.Send.RequestHeadersJson, o.StatusCode, o.Send.ResponseExcerpt, o.Kind == OutcomeKind.Success ? null : o.Error));
                }
            }

            await db.SaveChangesAsync(ct);
        }

        foreach (var d in claimed)
        {
            var o = outcomes[d.Id];
            Observability.ScaiMetrics.WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", o.Kind.ToString().ToLowerInvariant()));
            if (o.Kind == OutcomeKind.Success)
            {
                Observability.ScaiMetrics.WebhookDispatchLag.Record(Math.Max(0, (now - events[d.EventId].OccurredAt).TotalSeconds));
            }
        }

        return new WebhookPassResult(0, 0, outcomes.Values.Count(o => o.Kind != OutcomeKind.Skipped), outcomes.Values.Count(o => o.Kind == OutcomeKind.Success));
    }

    /// <summary>The JSON body POSTed for an event: {"id","type","timestamp","partner_id","tenant_id","data"}.</summary>
    public static string BodyOf(OutboxEvent e) => BodyOf(e.IdempotencyKey, e.Topic, e.OccurredAt, e.PartnerId, e.TenantId, e.PayloadJson);

    /// <summary>
    /// The envelope: "id" (the idempotency key, = webhook-id), "type" (the topic), "timestamp" (when it happened,
    /// UTC, milliseconds), "partner_id", "tenant_id" (null for partner-level events) and "data" (the topic's payload).
    /// </summary>
    public static string BodyOf(string id, string topic, DateTimeOffset occurredAt, string partnerId, string? tenantId, string payloadJson)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("type", topic);
            w.WriteString("timestamp", occurredAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("partner_id", partnerId);
            if (tenantId is null)
            {
                w.WriteNull("tenant_id");
            }
            else
            {
                w.WriteString("tenant_id", tenantId);
            }

            w.WritePropertyName("data");
            using (var payload = JsonDocument.Parse(payloadJson))
            {
                payload.RootElement.WriteTo(w);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private async Task<List<WebhookDelivery>> ClaimAsync(DateTimeOffset now, CancellationToken ct)
    {
        var until = now + Lease;
        await using var db = await factory.ForSystemAsync("webhook-dispatcher", ct);
        var claim = DeliveryClaims.For(db);
        return await RetriableUnits.RunAsync(db, "webhook-claim", (_, token) => claim.ClaimAsync(db, now, until, options.BatchSize, token), ct);
    }

    private async Task<Outcome> AttemptAsync(WebhookSubscription? sub, OutboxEvent e, WebhookDelivery d, DateTimeOffset now, CancellationToken ct)
    {
        if (sub is null || !sub.Enabled)
        {
            return new Outcome(OutcomeKind.Skipped, null, "The subscriber is disabled or deleted.", null, WebhookSendResult.NotSent(string.Empty));
        }

        var send = await SendAsync(sub, d.IdempotencyKey, BodyOf(e), now, ct);
        var kind = send.StatusCode switch
        {
            >= 200 and < 300 => OutcomeKind.Success,
            410 => OutcomeKind.Gone,
            _ => OutcomeKind.Failure,
        };
        var error = kind == OutcomeKind.Gone ? "410 Gone: the subscriber is disabled." : send.Error ?? (send.StatusCode is { } c ? $"HTTP {c}" : "No answer.");
        return new Outcome(kind, send.StatusCode, error, send.RetryAfter, send);
    }

    /// <summary>
    /// POSTs <paramref name="body"/> to the subscriber, signed per Standard Webhooks with webhook-id
    /// <paramref name="messageId"/> and every secret the subscriber currently signs with (two during a rotation
    /// window), with the <see cref="WebhookOptions.Timeout"/>. Never throws for the endpoint's faults (refused URL,
    /// missing secret, timeout, connection error): they come back as <see cref="WebhookSendResult.Error"/>.
    /// Retry-After (seconds or an HTTP date) is read from 429 and 503 answers.
    /// </summary>
    public async Task<WebhookSendResult> SendAsync(WebhookSubscription sub, string messageId, string body, DateTimeOffset now, CancellationToken ct = default)
    {
        Uri uri;
        try
        {
            uri = await _urls.CheckAsync(sub.Url, ct);
        }
        catch (DomainValidationException ex)
        {
            return WebhookSendResult.NotSent("Refused: " + ex.Message);
        }

        var signingSecrets = new List<string>();
        foreach (var path in sub.SigningSecretPaths(now))
        {
            try
            {
                signingSecrets.Add(await cache.GetOrCreateAsync("secret:" + path, c => secrets.ReadAsync(path, c), SecretCacheFor, sensitive: true, ct));
            }
            catch (Exception ex) when (ex is KeyNotFoundException or Secrets.SecretStoreUnavailableException)
            {
                return WebhookSendResult.NotSent("Signing secret unavailable: " + ex.Message);
            }
        }

        var headers = new Dictionary<string, string>(StandardWebhooks.Headers(signingSecrets, messageId, DateTimeOffset.UtcNow, body), StringComparer.Ordinal)
        {
            ["content-type"] = "application/json; charset=utf-8",
            ["user-agent"] = UserAgent,
        };
        var headersJson = JsonSerializer.Serialize(headers);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers.Where(h => h.Key != "content-type"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Timeout);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            TimeSpan? retryAfter = null;
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is { } ra)
            {
                retryAfter = ra.Delta ?? (ra.Date is { } date ? date - now : null);
            }

            var excerpt = await ExcerptAsync(response, timeout.Token);
            return new WebhookSendResult(code, response.IsSuccessStatusCode ? null : $"HTTP {code}", retryAfter, watch.ElapsedMilliseconds, headersJson, excerpt);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new WebhookSendResult(null, $"Timed out after {options.Timeout.TotalSeconds:0} s.", null, watch.ElapsedMilliseconds, headersJson, null);
        }
        catch (HttpRequestException ex)
        {
            return new WebhookSendResult(null, ex.Message, null, watch.ElapsedMilliseconds, headersJson, null);
        }
    }

    /// <summary>The User-Agent of every delivery.</summary>
    public const string UserAgent = "ScaiControl-Webhooks/1";

    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var buffer = new char[WebhookDeliveryAttempt.MaxExcerpt];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), ct)) > 0)
            {
                read += n;
            }

            return read == 0 ? null : new string(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return null; // the status is what counts; a body cut short is not a failed delivery
        }
    }

    private enum OutcomeKind
    {
        Success,
        Gone,
        Failure,
        Skipped,
    }

    private sealed record Outcome(OutcomeKind Kind, int? StatusCode, string Error, TimeSpan? RetryAfter, WebhookSendResult Send);
}

/// <summary>What one POST to a subscriber gave.</summary>
/// <param name="StatusCode">The HTTP status; null when no answer arrived (refused URL, missing secret, timeout, connection error).</param>
/// <param name="Error">Why it did not succeed; null for a 2xx.</param>
/// <param name="RetryAfter">The Retry-After of a 429/503 answer.</param>
/// <param name="DurationMs">Milliseconds from sending to the response headers (0 when nothing was sent).</param>
/// <param name="RequestHeadersJson">The headers sent, as a JSON object ("{}" when nothing was sent).</param>
/// <param name="ResponseExcerpt">The first <see cref="WebhookDeliveryAttempt.MaxExcerpt"/> characters of the response body.</param>
public sealed record WebhookSendResult(int? StatusCode, string? Error, TimeSpan? RetryAfter, long DurationMs, string RequestHeadersJson, string? ResponseExcerpt)
{
    /// <summary>True for a 2xx answer.</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>Nothing was sent, for <paramref name="error"/>.</summary>
    public static WebhookSendResult NotSent(string error) => new(null, error.Length == 0 ? null : error, null, 0, "{}", null);
}
