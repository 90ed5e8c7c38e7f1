using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Webhooks;

/// <summary>
/// A webhook subscriber (endpoint): where a partner's events (or, for the operator partner, every partner's events)
/// matching <see cref="Topics"/> are POSTed. The signing secret is not stored here: <see cref="SecretPath"/> names it
/// in the secret store (ScaiVault in production, the local store by default) and it is resolved at use time.
/// </summary>
public sealed class WebhookSubscription
{
    private WebhookSubscription() { }

    /// <summary>Creates an enabled subscriber whose whsec_ secret lives at <paramref name="secretPath"/>.</summary>
    public WebhookSubscription(string partnerId, string url, TopicFilter topics, string? description, string secretPath, DateTimeOffset now, string? id = null)
    {
        Id = id ?? Ids.New("whs");
        PartnerId = partnerId;
        Url = url;
        Topics = string.Join(' ', topics.Patterns);
        Description = description;
        Enabled = true;
        SecretPath = secretPath;
        CreatedAt = now;
        UpdatedAt = now;
    }

    /// <summary>A fresh secret-store path for a secret of subscriber <paramref name="subscriptionId"/> ("webhooks/whs_.../sec_...").</summary>
    public static string NewSecretPath(string subscriptionId) => $"webhooks/{subscriptionId}/{Ids.New("sec")}";

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string Url { get; private set; } = default!;

    /// <summary>The <see cref="TopicFilter"/> patterns, space-separated.</summary>
    public string Topics { get; private set; } = default!;
    public string? Description { get; private set; }
    public bool Enabled { get; private set; }

    /// <summary>The secret-store path of the current signing secret (whsec_...).</summary>
    public string SecretPath { get; private set; } = default!;

    /// <summary>The previous secret's path, still signed with until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecretPath { get; private set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Last change by an operator or the dispatcher (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>When the current run of failed attempts started (null after a success).</summary>
    public DateTimeOffset? ConsecutiveFailureSince { get; private set; }

    /// <summary>Why the subscriber was disabled automatically (410 Gone, failing too long).</summary>
    public string? DisabledReason { get; private set; }

    /// <summary>When it was disabled (UTC); the portal tells the operator about automatic disables.</summary>
    public DateTimeOffset? DisabledAt { get; private set; }

    /// <summary>The parsed topic filter.</summary>
    public TopicFilter Filter => TopicFilter.Parse(Topics.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The secret paths to sign with at <paramref name="now"/>: the current one, and the previous one during rotation.</summary>
    public IReadOnlyList<string> SigningSecretPaths(DateTimeOffset now) =>
        PreviousSecretPath is not null && PreviousSecretExpiresAt > now ? [SecretPath, PreviousSecretPath] : [SecretPath];

    /// <summary>Starts signing with the secret at <paramref name="newSecretPath"/>; the old one stays valid for <paramref name="overlap"/>.</summary>
    public void RotateSecret(string newSecretPath, DateTimeOffset now, TimeSpan overlap)
    {
        PreviousSecretPath = SecretPath;
        PreviousSecretExpiresAt = now + overlap;
        SecretPath = newSecretPath;
        UpdatedAt = now;
    }

    /// <summary>Changes URL, topics and description (already validated).</summary>
    public void Update(string url, TopicFilter topics, string? description, DateTimeOffset now)
    {
        Url = url;
        Topics = string.Join(' ', topics.Patterns);
        Description = description;
        UpdatedAt = now;
    }

    /// <summary>Records a successful delivery.</summary>
    public void RecordSuccess() => ConsecutiveFailureSince = null;

    /// <summary>Records a failed attempt; the first of a run starts the failure window.</summary>
    public void RecordFailure(DateTimeOffset now) => ConsecutiveFailureSince ??= now;

    /// <summary>Stops deliveries to this subscriber.</summary>
    public void Disable(string reason, DateTimeOffset now)
    {
        Enabled = false;
        DisabledReason = reason;
        DisabledAt = now;
        UpdatedAt = now;
    }

    /// <summary>Resumes deliveries.</summary>
    public void Enable(DateTimeOffset now)
    {
        Enabled = true;
        DisabledReason = null;
        DisabledAt = null;
        ConsecutiveFailureSince = null;
        UpdatedAt = now;
    }
}

/// <summary>The state of a <see cref="WebhookDelivery"/>.</summary>
public enum WebhookDeliveryStatus
{
    /// <summary>Not yet delivered; tried at <see cref="WebhookDelivery.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>Answered 2xx.</summary>
    Succeeded,

    /// <summary>Retries exhausted or the subscriber is gone.</summary>
    Failed,
}

/// <summary>
/// One event for one subscriber (spec 002 migration 022, table 2), unique on (subscription, idempotency key) so
/// fan-out is idempotent; delivered at least once, the subscriber de-duplicates on webhook-id.
/// </summary>
public sealed class WebhookDelivery
{
    private WebhookDelivery() { }

    /// <summary>A pending delivery due at once.</summary>
    public WebhookDelivery(string subscriptionId, string eventId, string idempotencyKey, string topic, DateTimeOffset now)
    {
        Id = Ids.New("whd");
        SubscriptionId = subscriptionId;
        EventId = eventId;
        IdempotencyKey = idempotencyKey;
        Topic = topic;
        Status = WebhookDeliveryStatus.Pending;
        NextAttemptAt = now;
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;
    public string EventId { get; private set; } = default!;
    public string IdempotencyKey { get; private set; } = default!;
    public string Topic { get; private set; } = default!;
    public WebhookDeliveryStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? NextAttemptAt { get; private set; }
    public int? LastStatusCode { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? LastAttemptAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Records a 2xx answer.</summary>
    public void Succeeded(int statusCode, DateTimeOffset now)
    {
        Attempts++;
        Status = WebhookDeliveryStatus.Succeeded;
        LastStatusCode = statusCode;
        LastError = null;
        LastAttemptAt = now;
        NextAttemptAt = null;
    }

    /// <summary>Records a failed attempt and schedules the next per <see cref="RetrySchedule"/> (failed when exhausted).</summary>
    public void AttemptFailed(int? statusCode, string error, DateTimeOffset now, TimeSpan? retryAfter = null)
    {
        Attempts++;
        LastStatusCode = statusCode;
        LastError = error.Length > 1000 ? error[..1000] : error;
        LastAttemptAt = now;
        NextAttemptAt = RetrySchedule.NextAttempt(Attempts, now, retryAfter);
        Status = NextAttemptAt is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending;
    }

    /// <summary>
    /// Sends the delivery again (operator replay): pending and due at <paramref name="now"/>, with a fresh retry
    /// schedule (the attempt counter restarts at 0; the attempt log keeps every earlier attempt).
    /// </summary>
    /// <exception cref="DomainConflictException">The delivery is still pending (it will be sent anyway; replaying it could send it twice at once).</exception>
    public void Replay(DateTimeOffset now)
    {
        if (Status == WebhookDeliveryStatus.Pending)
        {
            throw new DomainConflictException("The delivery is still pending: it is sent at its next attempt; only succeeded or failed deliveries are replayed.",
                "pending", []);
        }

        Status = WebhookDeliveryStatus.Pending;
        Attempts = 0;
        NextAttemptAt = now;
    }

    /// <summary>Gives up without another attempt (the subscriber is disabled or gone).</summary>
    public void Abandon(int? statusCode, string error, DateTimeOffset now, bool countAttempt)
    {
        if (countAttempt)
        {
            Attempts++;
            LastAttemptAt = now;
        }

        LastStatusCode = statusCode ?? LastStatusCode;
        LastError = error;
        NextAttemptAt = null;
        Status = WebhookDeliveryStatus.Failed;
    }
}

/// <summary>
/// One HTTP attempt of a delivery, or of a test event (<see cref="DeliveryId"/> null), for the admin delivery log:
/// request headers (signatures included: they are useless without the secret), status, response body excerpt, duration.
/// </summary>
public sealed class WebhookDeliveryAttempt
{
    /// <summary>Longest stored response body excerpt (characters).</summary>
    public const int MaxExcerpt = 2000;

    private WebhookDeliveryAttempt() { }

    /// <summary>Records an attempt that started at <paramref name="startedAt"/> (UTC) and took <paramref name="durationMs"/> milliseconds.</summary>
    public WebhookDeliveryAttempt(string subscriptionId, string? deliveryId, string topic, int attemptNumber, DateTimeOffset startedAt, long durationMs,
        string requestHeadersJson, int? statusCode, string? responseExcerpt, string? error)
    {
        Id = Ids.New("wha");
        SubscriptionId = subscriptionId;
        DeliveryId = deliveryId;
        Topic = topic;
        AttemptNumber = attemptNumber;
        StartedAt = startedAt;
        DurationMs = durationMs;
        RequestHeaders = requestHeadersJson;
        StatusCode = statusCode;
        ResponseExcerpt = responseExcerpt is { Length: > MaxExcerpt } ? responseExcerpt[..MaxExcerpt] : responseExcerpt;
        Error = error is { Length: > 1000 } ? error[..1000] : error;
    }

    public string Id { get; private set; } = default!;
    public string SubscriptionId { get; private set; } = default!;

    /// <summary>The delivery; null for a test event.</summary>
    public string? DeliveryId { get; private set; }
    public string Topic { get; private set; } = default!;

    /// <summary>1-based attempt number within the delivery (1 for a test event).</summary>
    public int AttemptNumber { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public long DurationMs { get; private set; }

    /// <summary>The request headers sent, as a JSON object.</summary>
    public string RequestHeaders { get; private set; } = default!;

    /// <summary>The HTTP status; null when no answer arrived (timeout, refused, DNS).</summary>
    public int? StatusCode { get; private set; }

    /// <summary>The first <see cref="MaxExcerpt"/> characters of the response body.</summary>
    public string? ResponseExcerpt { get; private set; }
    public string? Error { get; private set; }
}
