using ScaiControl.Domain.Common;

namespace ScaiControl.Domain.Webhooks;

/// <summary>
/// A webhook subscriber (endpoint): where a partner's events (or, for the operator partner, every partner's events)
/// matching <see cref="Topics"/> are POSTed, signed with <see cref="Secret"/>.
/// NOTE: the secret is stored in the row for now; the spec wants a ScaiVault path resolved at use time (later issue).
/// </summary>
public sealed class WebhookSubscription
{
    private WebhookSubscription() { }

    /// <summary>Creates an enabled subscriber with a fresh whsec_ secret.</summary>
    public WebhookSubscription(string partnerId, string url, TopicFilter topics, string? description, DateTimeOffset now)
    {
        Id = Ids.New("whs");
        PartnerId = partnerId;
        Url = url;
        Topics = string.Join(' ', topics.Patterns);
        Description = description;
        Enabled = true;
        Secret = StandardWebhooks.NewSecret();
        CreatedAt = now;
    }

    public string Id { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string Url { get; private set; } = default!;

    /// <summary>The <see cref="TopicFilter"/> patterns, space-separated.</summary>
    public string Topics { get; private set; } = default!;
    public string? Description { get; private set; }
    public bool Enabled { get; private set; }

    /// <summary>The current signing secret (whsec_...). To move to a vault path.</summary>
    public string Secret { get; private set; } = default!;

    /// <summary>The previous secret, still signed with until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; private set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>When the current run of failed attempts started (null after a success).</summary>
    public DateTimeOffset? ConsecutiveFailureSince { get; private set; }

    /// <summary>Why the subscriber was disabled automatically (410 Gone, failing too long).</summary>
    public string? DisabledReason { get; private set; }

    /// <summary>The parsed topic filter.</summary>
    public TopicFilter Filter => TopicFilter.Parse(Topics.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The secrets to sign with at <paramref name="now"/>: the current one, and the previous one during rotation.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is not null && PreviousSecretExpiresAt > now ? [Secret, PreviousSecret] : [Secret];

    /// <summary>Starts signing with a new secret; the old one stays valid for <paramref name="overlap"/>. Returns the new secret.</summary>
    public string RotateSecret(DateTimeOffset now, TimeSpan overlap)
    {
        PreviousSecret = Secret;
        PreviousSecretExpiresAt = now + overlap;
        Secret = StandardWebhooks.NewSecret();
        return Secret;
    }

    /// <summary>Records a successful delivery.</summary>
    public void RecordSuccess() => ConsecutiveFailureSince = null;

    /// <summary>Records a failed attempt; the first of a run starts the failure window.</summary>
    public void RecordFailure(DateTimeOffset now) => ConsecutiveFailureSince ??= now;

    /// <summary>Stops deliveries to this subscriber.</summary>
    public void Disable(string reason)
    {
        Enabled = false;
        DisabledReason = reason;
    }

    /// <summary>Resumes deliveries.</summary>
    public void Enable()
    {
        Enabled = true;
        DisabledReason = null;
        ConsecutiveFailureSince = null;
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
